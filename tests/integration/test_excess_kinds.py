"""On the engine (real machines and handlers): a short burst that throttles nothing does not raise the
table; an excess that throttles does, at once (the throttle alarm), sized to the demand it refused."""

from datetime import UTC, datetime, timedelta

from ddbflow.sim.ddbflow_policy import TABLE
from helpers import replay_minutes

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
