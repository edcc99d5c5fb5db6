"""On the engine (real machines and handlers): a short burst that throttles nothing does not raise the
table; an excess that throttles does, at once (the throttle alarm), sized to the demand it refused."""

import math
from datetime import UTC, datetime, timedelta

from ddbflow.sim.ddbflow_policy import TABLE
from ddbflow.sim.traffic import TrafficModel
from helpers import Replay, replay_minutes

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def simulate(demand: list[float], capacity: int) -> list[tuple[datetime, int]]:
    """The UpdateTable calls the executions made (served = min(demand, capacity), the rest throttled)."""
    # the shipped alarms: utilization over two minutes; refused requests fire the throttle alarm at once
    config = {"defaults": {"min_capacity": 5, "max_capacity": 2000}, "tables": {TABLE.table: {}}}
    return replay_minutes(demand, capacity, start=START, bounds=(5, 2000), config=config).changes


def test_a_short_absorbed_burst_does_not_raise_capacity() -> None:
    # 100 units provisioned, 80/s (too busy for a decrease that saves 10 %), then a minute at 95/s twice
    # (above the 90 % target, nothing refused)
    assert simulate([80.0] * 10 + [95.0, 80.0, 95.0] + [80.0] * 10, 100) == []


def test_a_sustained_throttled_excess_raises_capacity_at_once() -> None:
    # the same table, then 150/s for good: 50/s refused from the first minute
    changes = simulate([80.0] * 10 + [150.0] * 10, 100)
    assert changes, "no increase"
    first_at, first_to = changes[0]
    # the throttle alarm fires at the end of the first refused minute (09:11): no five-minute wait
    assert first_at == START + timedelta(minutes=11)
    assert first_to >= 150 / 0.8  # sized to consumed + throttled at the target utilization


def replay_with_credit(demand: list[float], capacity: int) -> Replay:
    """The real machines on the simulator's traffic model, whose burst credit serves an excess over
    capacity while the bank lasts (DynamoDB banks up to 300 s of unused capacity)."""
    config = {"defaults": {"min_capacity": 5, "max_capacity": 2000}, "tables": {TABLE.table: {}}}
    return replay_minutes(
        demand, capacity, start=START, bounds=(5, 2000), config=config, traffic=TrafficModel()
    )


def test_a_spike_that_burst_credit_carries_to_its_end_raises_nothing() -> None:
    # GIVEN 100 units at 80/s for 40 minutes (the bank fills: 300 s of capacity)
    # WHEN 3 minutes at 130/s: above the 90 % target twice, the utilization alarm fires, but the bank
    # serves the 30/s excess (16 minutes of it) and nothing is refused
    replay = replay_with_credit([80.0] * 40 + [130.0] * 3 + [80.0] * 20, 100)
    # THEN the scale-up waits a minute at a time while the credit carries it, and finds the spike over
    assert replay.changes == []
    [decision] = [d for d in replay.decisions if "burst credit" in d.get("summary", "")]
    # (the alarm fired at 09:42 on minutes 40 and 41; minute 42 still ran at 130/s)
    assert "burst credit carried it: 80/100 per s in the latest minute after 2 min" in decision["summary"]


def test_an_excess_that_outlasts_the_wait_is_raised_before_the_bank_runs_out() -> None:
    # GIVEN the same full bank WHEN demand moves to 115/s for good (15/s over capacity: the bank carries
    # it 33 minutes)
    demand = [80.0] * 40 + [115.0] * 30
    replay = replay_with_credit(demand, 100)
    # THEN the alarm (two minutes above target, at 09:42) waits at most the 5 minutes a full bank holds,
    # then raises to the demand
    first_at, first_to = replay.changes[0]
    assert first_at == START + timedelta(minutes=42 + 5)
    assert first_to == math.ceil(115 / 0.9)
    # AND nothing was ever refused: the same traffic model over the capacity that was in effect
    traffic = TrafficModel()
    minutes = [
        traffic.minute(i, START, d, c) for i, (d, c) in enumerate(zip(demand, replay.capacities, strict=True))
    ]
    assert sum(m.throttled for m in minutes) == 0
    assert any(m.demand > m.capacity for m in minutes)  # burst credit did serve an excess
