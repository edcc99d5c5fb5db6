"""On the engine (real machines and handlers): a look-back without requests is sized by the same minutes
yesterday (Read Demand reads them, Plan Scale-Down keeps that capacity), so traffic that stops where it
ran the day before (an outage) comes back to the capacity it left, while a table idle then too goes to
min_capacity."""

from datetime import UTC, datetime

from ddbflow.sim.ddbflow_policy import TABLE
from helpers import replay_minutes

START = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
LEVEL = 100.0


def test_an_outage_keeps_its_capacity_and_an_idle_table_goes_to_min() -> None:
    # GIVEN 100/s from 00:00 to 04:00, nothing until the next midnight, then 100/s for an hour, a
    # two-hour outage (the hours that ran yesterday) and 100/s again
    demand = [LEVEL] * 240 + [0.0] * 1200 + [LEVEL] * 60 + [0.0] * 120 + [LEVEL] * 60
    config = {"defaults": {"min_capacity": 5, "max_capacity": 4000}, "tables": {TABLE.table: {}}}
    replay = replay_minutes(demand, 143, start=START, bounds=(5, 4000), config=config)

    # THEN the first night, with no traffic the day before, ends at min_capacity
    assert replay.capacities[1400] == 5
    # the second day's traffic raised it (throttle alarm: ⌈(5 + 95) / 0.9⌉ = 112); the hourly checks in
    # the outage keep that (the same minutes yesterday need ⌈100 / 0.9 × 1.05⌉ = 117), so the return is
    # served at once
    assert replay.capacities[1499] == 112
    assert all(c == 112 for c in replay.capacities[1500:])
    summaries = [d["summary"] for d in replay.decisions]
    assert any(
        "no requests in 10 min, peak 100.0/s in the same minutes yesterday: an outage, its traffic "
        "expected back" in s
        for s in summaries
    )
