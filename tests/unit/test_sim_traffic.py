"""The traffic model against hand-computed minutes: burst credit accrues from unused capacity up to 300 s
of capacity, is spent when demand exceeds capacity, and what it cannot cover is throttled; the consumed
Sum is what was served."""

from datetime import UTC, datetime

import pytest

from ddbflow.sim.traffic import TrafficModel

AT = datetime(2026, 1, 5, tzinfo=UTC)


def test_under_capacity_everything_is_served_and_the_rest_is_banked() -> None:
    # GIVEN 100 units/s provisioned and 40 wanted WHEN a minute passes
    traffic = TrafficModel()
    minute = traffic.minute(0, AT, demand=40, capacity=100)
    # THEN 40 × 60 = 2400 consumed, nothing throttled, (100 - 40) × 60 = 3600 unit-seconds banked
    assert (minute.consumed, minute.throttled, minute.throttle_events) == (2400, 0, 0)
    assert traffic.burst_credit == 3600


def test_the_bank_holds_at_most_300_seconds_of_capacity() -> None:
    traffic = TrafficModel()
    for index in range(10):  # 10 idle minutes would bank 60,000; the cap is 300 × 100
        traffic.minute(index, AT, demand=0, capacity=100)
    assert traffic.burst_credit == 30_000


def test_burst_covers_an_overload_until_it_runs_out_then_requests_are_throttled() -> None:
    # GIVEN 30,000 unit-seconds banked at 100 units/s
    traffic = TrafficModel(burst_credit=30_000)
    # WHEN 400 units/s are wanted: 300 × 60 = 18,000 beyond capacity each minute
    first = traffic.minute(0, AT, demand=400, capacity=100)
    second = traffic.minute(1, AT, demand=400, capacity=100)
    # THEN the first minute is served in full from the bank (12,000 left)
    assert (first.consumed, first.throttled) == (24_000, 0)
    # AND the second spends the last 12,000 and throttles the other 6,000
    assert (second.consumed, second.throttled, second.throttle_events) == (6000 + 12_000, 6000, 6000)
    assert traffic.burst_credit == 0


@pytest.mark.parametrize(("demand", "credit"), [(150, 0), (150, 1000), (1000, 5000), (100, 0)])
def test_consumed_never_exceeds_capacity_plus_the_credit_spent(demand: float, credit: float) -> None:
    traffic = TrafficModel(burst_credit=credit)
    minute = traffic.minute(0, AT, demand=demand, capacity=100)
    assert minute.consumed <= 100 * 60 + credit
    assert minute.consumed + minute.throttled == pytest.approx(demand * 60)


def test_a_capacity_decrease_shrinks_the_bank_to_300_seconds_of_the_new_capacity() -> None:
    traffic = TrafficModel(burst_credit=30_000)
    minute = traffic.minute(0, AT, demand=10, capacity=20)
    # bank capped at 300 × 20 = 6000 before the minute; the 600 unused cannot raise it past the cap
    assert traffic.burst_credit == 6000
    assert minute.capacity == 20
