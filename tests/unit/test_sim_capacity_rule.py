"""One rule counts every policy's capacity: the mean capacity in effect over each minute, a change that
lands mid-minute counted pro rata — for the baselines' simulated table and for ddbflow's engine alike."""

from datetime import UTC, datetime, timedelta

import pytest

from ddbflow.sim.ddbflow_policy import DdbflowPolicy
from ddbflow.sim.policy import capacity_during
from ddbflow.sim.table import SimTable

T0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def test_a_change_landing_mid_minute_counts_for_its_share_of_the_minute() -> None:
    timeline = [(T0 - M, 100.0), (T0 + 15 * S, 200.0)]
    assert capacity_during(timeline, T0 - M) == 100
    assert capacity_during(timeline, T0) == pytest.approx(100 * 0.25 + 200 * 0.75)
    assert capacity_during(timeline, T0 + M) == 200


def test_a_change_on_the_minute_counts_from_that_minute_and_several_in_one_minute_each_for_its_share() -> (
    None
):
    assert capacity_during([(T0 - M, 100.0), (T0, 300.0)], T0) == 300
    assert capacity_during([(T0 - M, 100.0), (T0 + M, 300.0)], T0) == 100
    timeline = [(T0, 60.0), (T0 + 20 * S, 120.0), (T0 + 40 * S, 30.0)]
    assert capacity_during(timeline, T0) == pytest.approx((60 + 120 + 30) / 3)


def test_the_baselines_table_and_the_ddbflow_policy_count_the_same_landing_alike() -> None:
    # The same history: 100 units, an UpdateTable to 400 at T0 + 10 s, ACTIVE 30 s later (T0 + 40 s).
    table = SimTable(1, 1000, update_seconds=30)
    table.begin(100)
    assert table.update(T0 + 10 * S, 400)
    ddbflow = DdbflowPolicy(1, 1000, update_seconds=30)
    ddbflow._timeline = [(T0 - M, 100), (T0 + 40 * S, 400)]  # what _record_changes makes of that call
    for minute in (T0 - M, T0, T0 + M):
        assert ddbflow.capacity_at(minute) == table.capacity_during(minute)
    assert ddbflow.capacity_at(T0) == pytest.approx(100 * 2 / 3 + 400 / 3)
