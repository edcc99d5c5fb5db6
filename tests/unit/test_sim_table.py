"""The simulated table: update delay, UPDATING refusals, min/max, and the daily decrease budget."""

from datetime import UTC, datetime, timedelta

from ddbflow.sim.table import SimTable

T0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def test_new_capacity_is_in_effect_update_seconds_after_the_call() -> None:
    table = SimTable(1, 1000, update_seconds=30)
    table.begin(100)
    assert table.update(T0, 200)
    # the minute in which it lands runs half on each
    assert table.capacity_during(T0) == 150
    assert table.updating(T0 + 29 * S)
    assert table.provisioned(T0 + 29 * S) == 100
    assert table.provisioned(T0 + 30 * S) == 200
    assert table.capacity_during(T0 + M) == 200


def test_updates_are_refused_while_updating_and_clamped_to_min_and_max() -> None:
    table = SimTable(5, 300, update_seconds=30)
    table.begin(100)
    assert table.update(T0, 1000)
    assert not table.update(T0 + 10 * S, 50)  # ResourceInUseException
    assert table.provisioned(T0 + M) == 300
    assert table.update(T0 + M, 0.2)
    assert table.provisioned(T0 + 2 * M) == 5
    assert table.counts().update_calls == 2
    assert table.refused == 1


def test_decreases_follow_the_daily_budget_and_reset_at_utc_midnight() -> None:
    table = SimTable(1, 1000, update_seconds=30)
    table.begin(1000)
    for n in range(4):  # four at any time
        assert table.update(T0 + n * M, 900 - 100 * n)
    assert not table.update(T0 + 30 * M, 100)  # the fifth needs an hour since the last
    assert table.update(T0 + 3 * M + timedelta(hours=1), 100)
    midnight = datetime(2026, 1, 6, tzinfo=UTC)
    assert table.update(midnight, 1000)  # increases are never limited
    for n in range(4):
        assert table.update(midnight + (n + 1) * M, 900 - 100 * n)
    counts = table.counts()
    assert (counts.update_calls, counts.decreases) == (10, 9)
