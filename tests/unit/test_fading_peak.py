"""The scale-down's wait for a passing spike (core.scale_down: fading_peaks and plan_target's settle
rule) against hand-computed cases: a decrease that leaves the next one an hour away waits the minutes
until the spike leaves the look-back when the lower capacity it then reaches saves more over the hour."""

from datetime import UTC, datetime

from ddbflow_lambda.core.config import Policy
from ddbflow_lambda.core.decision import decide_scale_down
from ddbflow_lambda.core.scale_down import (
    fading_peaks,
    look_back_demand,
    minute_demands,
    plan_dimension,
    plan_target,
)

NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
POLICY = Policy(min_capacity=1, target_utilization=0.9, decrease_headroom=0.05, look_back_minutes=15)
SPIKE = [800.0, 700.0] + [100.0] * 12 + [110.0]  # the look-back, oldest first: a spike that has passed


def test_minutes_without_a_datapoint_had_no_requests() -> None:
    # minute 0: 600 units; minute 2: 60 units and 2 throttle events of 1 unit; 1 and 3 published nothing
    assert minute_demands({0: (600.0, 0.0), 2: (60.0, 2.0)}, 4, 1.0) == [10.0, 0.0, 62 / 60, 0.0]


def test_the_peak_falls_as_its_minutes_leave_but_never_below_the_latest_minute() -> None:
    # after 1 minute the 800 has left (peak 700), after 2 the 700 (peak 110: the latest minute)
    assert fading_peaks(SPIKE) == [(1, 700.0), (2, 110.0)]
    assert fading_peaks([100.0, 300.0, 200.0]) == [(2, 200.0)]  # the 100 leaving changes nothing
    assert fading_peaks([100.0, 200.0]) == [] and fading_peaks([]) == []


def test_read_demand_gives_the_peak_and_how_it_fades() -> None:
    periods = {i: (value * 60, 0.0) for i, value in enumerate(SPIKE)}
    assert look_back_demand(periods, POLICY) == (800.0, [(1, 700.0), (2, 110.0)])


def plan(decreases_today: int, fading: list | None, now: datetime = NOW) -> dict:  # type: ignore[type-arg]
    read = plan_dimension("read", 1493, max(SPIKE), POLICY, 0, now)  # ⌈800 / 0.9 × 1.05⌉ = 934
    write = plan_dimension("write", 1, 0.0, POLICY, 0, now)  # kept at 1
    assert (read.kind, read.new, write.kind) == ("decrease", 934, "keep")
    return plan_target(
        "t", {"read": read, "write": write}, {"read": POLICY, "write": POLICY}, decreases_today, None, now,
        "low alarm x", None, {"read": fading, "write": []} if fading is not None else None,
    )  # fmt: skip


def test_a_decrease_that_leaves_the_next_an_hour_away_waits_for_the_spike_to_leave() -> None:
    # Now: 934 + 1 = 935 units in all. After 1 minute: ⌈700 / 0.9 × 1.05⌉ = 817 (+1); after 2: ⌈110 /
    # 0.9 × 1.05⌉ = 129 (+1). Over the hour the next decrease waits, against 1494 held while waiting:
    # wait 1: 60 × (935 − 818) − 1 × (1494 − 818) = 6,344 unit-minutes;
    # wait 2: 60 × (935 − 130) − 2 × (1494 − 130) = 45,572 = 760 unit-hours: the best.
    waits = plan(3, fading_peaks(SPIKE))
    assert (waits["action"], waits["outcome"], waits["held_for"]) == ("skip", "skipped", "settle")
    assert waits["throughput"] == {"read": 1493, "write": 1}
    assert waits["decrease_allowed_at"] == "2026-11-23T08:32:00Z"
    assert (
        "the look-back's peak leaves it within 2 min: decreasing then to 130 units in all instead of 935 "
        "now saves 760 unit-hours before the next decrease is allowed" in waits["summary"]
    )


def test_with_free_decreases_left_or_the_wait_already_spent_it_decreases_now() -> None:
    for early in (plan(2, fading_peaks(SPIKE)), plan(3, None)):
        assert (early["action"], early["throughput"]["read"], early["held_for"]) == ("decrease", 934, None)


def test_no_wait_for_a_small_gain_or_past_midnight() -> None:
    # 790/s a minute on: ⌈790 / 0.9 × 1.05⌉ = 922, only 12 units (< 10 % of 1494) below 934
    assert plan(3, [(1, 790.0)])["action"] == "decrease"
    # two minutes before midnight the budget resets first: 2 × (935 − 818) − 1 × (1494 − 818) < 0
    late = NOW.replace(hour=23, minute=58)
    assert plan(3, [(1, 700.0), (2, 110.0)], late)["action"] == "decrease"


def test_the_wait_is_taken_once_whatever_started_the_check() -> None:
    waits = plan(3, fading_peaks(SPIKE))
    state = {"target": {"table": "t", "index": None}, "plan": waits}
    scheduled = decide_scale_down(state)  # the schedule's check waits too: the spike is gone in 2 min
    assert (scheduled["retry_at"], scheduled["waits_for"]) == ("2026-11-23T08:32:00Z", "settle")
    assert scheduled["summary"].endswith(
        "waits until 08:32 UTC for the peak to leave the look-back, then decides"
    )
    again = decide_scale_down(state | {"settled": True})
    assert (again["retry_at"], again["waits_for"]) == (None, "none")


def test_every_scale_down_outcome_carries_what_wait_for_budget_routes_on() -> None:
    # a Choice rule whose Variable is missing fails the execution on AWS (States.Runtime)
    target = {"table": "t", "index": None}
    for error in ("LeaseHeld", "LimitExceededException", "ValidationException"):
        decided = decide_scale_down({"target": target, "error": {"Error": error, "Cause": "x"}})
        assert (decided["retry_at"], decided["waits_for"]) == (None, "none")
