"""The scale-up's wait on burst credit (core.capacity: credit_window, read_credit, credit_wait and
plan_increase's "wait"): hand-computed cases, and properties — the bank read from the minutes is never
more than DynamoDB's own bank, and a raise never waits on an excess that refuses requests."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ddbflow.sim.traffic import TrafficModel
from ddbflow_lambda.core.capacity import (
    CREDIT_LOOK_BACK_MINUTES,
    CREDIT_WAITS,
    Credit,
    Demand,
    credit_wait,
    credit_window,
    plan_increase,
    read_credit,
)
from ddbflow_lambda.core.config import Policy

NOW = datetime(2026, 11, 24, 9, 40, 20, 500000, tzinfo=UTC)
POLICY = Policy(min_capacity=5, max_capacity=2000)


def minutes(*per_second: float, first: int = 0) -> dict[int, tuple[float, float]]:
    """One-minute Sums (consumed units, no throttle events) by index, from ``first``."""
    return {first + i: (rate * 60, 0.0) for i, rate in enumerate(per_second)}


def test_the_window_is_the_last_whole_minutes_and_banks_from_a_minute_after_the_last_update() -> None:
    # GIVEN a check at 09:40:20.5 WHEN the table was last updated at 09:20:10
    start, end, first = credit_window(NOW, NOW.replace(minute=20, second=10, microsecond=0))
    # THEN 30 whole minutes up to 09:40, and the first to bank starts at or after 09:21:10: 09:22, index 12
    assert (start, end) == (
        datetime(2026, 11, 24, 9, 10, tzinfo=UTC),
        datetime(2026, 11, 24, 9, 40, tzinfo=UTC),
    )
    assert first == 12
    assert credit_window(NOW, None)[2] == 0
    assert credit_window(NOW, NOW - timedelta(days=1))[2] == 0
    assert credit_window(NOW, NOW)[2] == CREDIT_LOOK_BACK_MINUTES  # nothing banks yet


def test_minutes_under_capacity_fill_the_bank_to_300_seconds_and_an_excess_spends_it() -> None:
    # GIVEN 100 units: 27 minutes at 80/s bank 20 × 60 = 1,200 each, capped at 300 × 100 = 30,000
    # WHEN three minutes at 130/s spend 30 × 60 = 1,800 each
    credit = read_credit(minutes(*[80.0] * 27, 130.0, 130.0, 130.0), 0, 100, 1.0)
    # THEN 30,000 − 3 × 1,800 are left, and the latest minute is 30/s over capacity, nothing refused
    assert credit == Credit(banked=24_600.0, excess_per_second=30.0, latest_per_second=130.0, throttled=False)


def test_a_minute_without_a_datapoint_banks_all_of_it_and_minutes_before_the_update_none() -> None:
    # GIVEN 10 units, banking from minute 25 WHEN minutes 25-28 have no datapoint (no requests: 600 each)
    # and minute 29 consumed 15/s (5/s over: 300 spent)
    credit = read_credit({3: (99_999.0, 0.0), 29: (900.0, 0.0)}, 25, 10, 1.0)
    # THEN 4 × 600 − 300, whatever minute 3 did
    assert credit.banked == 2_100.0
    assert credit.excess_per_second == 5.0


def test_refused_requests_count_in_the_latest_minutes_demand() -> None:
    credit = read_credit({29: (6_000.0, 1_200.0)}, 0, 100, 2.0)  # 1,200 events of 2 units
    assert (credit.latest_per_second, credit.throttled) == (140.0, True)


def test_a_raise_waits_while_the_bank_carries_the_excess_a_minute_and_two_more() -> None:
    carried = Credit(banked=5_400.0, excess_per_second=30.0, latest_per_second=130.0, throttled=False)
    # 5,400 / (30 × 60) = exactly 3 minutes: the minute waited, one for the raise, one to spare
    assert "burst credit carries it: 130/100 per s" in credit_wait(100, carried, 0)
    assert "last 3.0 min at that excess" in credit_wait(100, carried, 0)
    # a bank 1 unit-s short, refused requests, no excess over capacity, or the fifth wait: no wait
    assert credit_wait(100, Credit(5_399.0, 30.0, 130.0, False), 0) == ""
    assert credit_wait(100, Credit(30_000.0, 30.0, 130.0, True), 0) == ""
    assert credit_wait(100, Credit(30_000.0, 0.0, 100.0, False), 0) == ""
    assert credit_wait(100, carried, CREDIT_WAITS) == ""
    assert credit_wait(100, carried, CREDIT_WAITS - 1) != ""


def test_after_a_wait_a_spike_that_has_ended_raises_nothing_and_one_that_lasts_is_raised() -> None:
    demand = Demand(130.0, 0.0, 2)  # the alarm window's peak still holds the spike
    full = Credit(banked=30_000.0, excess_per_second=30.0, latest_per_second=130.0, throttled=False)
    assert plan_increase(100, demand, POLICY, credit=full).action == "wait"
    # WHEN the minute waited is back at 80/s THEN nothing to raise
    ended = Credit(banked=30_000.0, excess_per_second=-20.0, latest_per_second=80.0, throttled=False)
    plan = plan_increase(100, demand, POLICY, credit=ended, credit_waits=1)
    assert (plan.action, plan.new) == ("none", 100)
    assert plan.reason == "burst credit carried it: 80/100 per s in the latest minute after 1 min, within 90%"
    # WHEN it still runs at 130/s after the fifth wait THEN the demand rule raises: ⌈130 / 0.9⌉ = 145
    plan = plan_increase(100, demand, POLICY, credit=full, credit_waits=CREDIT_WAITS)
    assert (plan.action, plan.new) == ("increase", 145)
    # a manual request never waits
    assert plan_increase(100, demand, POLICY, require_demand=False, credit=full).action == "increase"


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(min_value=1, max_value=2000),
    start_full=st.floats(min_value=0, max_value=1),
    demand=st.lists(st.floats(min_value=0, max_value=5000), min_size=1, max_size=CREDIT_LOOK_BACK_MINUTES),
)
def test_the_bank_read_from_the_minutes_is_never_more_than_dynamodbs_own(
    capacity: int, start_full: float, demand: list[float]
) -> None:
    # GIVEN DynamoDB's bank (the simulator's traffic model) at any level before the minutes read
    traffic = TrafficModel(burst_credit=start_full * 300 * capacity)
    at = NOW.replace(second=0, microsecond=0)
    served = [traffic.minute(i, at + timedelta(minutes=i), rate, capacity) for i, rate in enumerate(demand)]
    first = CREDIT_LOOK_BACK_MINUTES - len(served)
    periods = {first + i: (m.consumed, m.throttle_events) for i, m in enumerate(served) if m.consumed > 0}
    # WHEN the scale-up reads it from the consumed minutes alone
    credit = read_credit(periods, first, capacity, 1.0)
    # THEN it never counts credit that is not there, and waits only on an excess that refused nothing
    assert credit.banked <= traffic.burst_credit + 0.0005  # read_credit rounds to the thousandth
    if credit_wait(capacity, credit, 0):
        assert served[-1].throttled == 0
        assert credit.banked >= 3 * 60 * (served[-1].demand - capacity) - 0.01
