from datetime import UTC, datetime, timedelta
from typing import Any

from ddbflow_lambda.core.config import Policy
from ddbflow_lambda.core.decision import decide_scale_down
from ddbflow_lambda.core.scale_down import effective_min, low_alarm_threshold, plan_dimension, plan_target

MONDAY_0830 = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 2026-11-23 is a Monday
PREWARM = {"name": "pre-warm", "days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "10:00",
           "min_capacity": 500}  # fmt: skip
POLICY = Policy(min_capacity=5, max_capacity=1000, target_utilization=0.7, decrease_headroom=0.1,
                decrease_after_low_checks=1, min_decrease_fraction=0.2)  # fmt: skip


def target_plan(read: Any, write: Any, decreases: int = 0, last: datetime | None = None, **kw: Any) -> dict:
    policies = {"read": POLICY, "write": POLICY}
    return plan_target(
        "t", {"read": read, "write": write}, policies, decreases, last, kw.get("now", MONDAY_0830)
    )


def test_floor_is_peak_demand_over_target_plus_headroom() -> None:
    plan = plan_dimension("read", 100, 14.0, POLICY, 0, MONDAY_0830)
    assert (plan.kind, plan.new) == ("decrease", 22)  # ceil(14 / 0.7 × 1.1)


def test_busy_or_small_dips_are_kept() -> None:
    assert plan_dimension("read", 100, 69.0, POLICY, 0, MONDAY_0830).kind == "keep"
    small = plan_dimension("read", 100, 60.0, POLICY, 3, MONDAY_0830)  # → 95: saves 5 %
    assert (small.kind, small.low_checks) == ("keep", 0)
    assert "saves only 5%" in small.reason


def test_hysteresis_needs_consecutive_low_checks() -> None:
    policy = Policy(decrease_after_low_checks=3)
    first = plan_dimension("read", 100, 1.0, policy, 0, MONDAY_0830)
    third = plan_dimension("read", 100, 1.0, policy, 2, MONDAY_0830)
    assert (first.kind, first.low_checks, third.kind) == ("keep", 1, "decrease")
    assert "low for 1 of 3 checks" in first.reason


def test_scheduled_window_raises_min_inside_it_only() -> None:
    policy = Policy(min_capacity=5, schedules=(PREWARM,))
    assert effective_min(policy, MONDAY_0830) == (500, "pre-warm")
    assert effective_min(policy, MONDAY_0830 + timedelta(hours=2)) == (5, None)
    assert effective_min(policy, MONDAY_0830 - timedelta(days=1)) == (5, None)  # Sunday
    raised = plan_dimension("write", 100, 1.0, policy, 0, MONDAY_0830)
    assert (raised.kind, raised.new) == ("increase", 500)
    assert "window 'pre-warm' requires ≥ 500" in raised.reason


def test_one_update_decreases_both_dimensions_and_reports_the_saving() -> None:
    plan = target_plan(plan_dimension("read", 100, 1.0, POLICY, 0, MONDAY_0830),
                       plan_dimension("write", 200, 1.0, POLICY, 0, MONDAY_0830))  # fmt: skip
    assert plan["action"] == "decrease"
    assert plan["throughput"] == {"read": 5, "write": 5}
    assert {a["dimension"] for a in plan["alarms"]} == {"read", "write"}
    assert (
        "saves 4,495 unit-hours before UTC midnight; 18 decreases left today" in plan["summary"]
    )  # 290 × 15.5 h


def test_spent_budget_is_a_skip_that_says_when_the_next_decrease_is_allowed() -> None:
    read = plan_dimension("read", 100, 1.0, POLICY, 0, MONDAY_0830)
    plan = target_plan(read, plan_dimension("write", 5, 1.0, POLICY, 0, MONDAY_0830), 4,
                       MONDAY_0830 - timedelta(minutes=10))  # fmt: skip
    assert plan["action"] == "skip"
    assert plan["throughput"] == {"read": 100, "write": 5}
    assert "next allowed 2026-11-23 09:20 UTC" in plan["summary"]
    assert plan["decrease_allowed_at"] == "2026-11-23T09:20:00Z"  # what Wait For Budget waits for


def test_only_a_check_a_low_alarm_asked_for_waits_for_the_budget_and_only_once() -> None:
    read = plan_dimension("read", 100, 1.0, POLICY, 0, MONDAY_0830)
    plan = target_plan(read, plan_dimension("write", 5, 1.0, POLICY, 0, MONDAY_0830), 4,
                       MONDAY_0830 - timedelta(minutes=10))  # fmt: skip
    state = {"target": {"table": "t", "index": None}, "plan": plan}
    assert decide_scale_down(state)["retry_at"] is None  # the schedule's check: the next one will do
    asked = decide_scale_down(state | {"cause": "low alarm ddbflow-t::read-low"})
    assert asked["retry_at"] == "2026-11-23T09:20:00Z"
    assert asked["summary"].endswith("waits for the budget until 09:20 UTC, then checks again")
    assert decide_scale_down(state | {"cause": "low alarm x", "budget_waited": True})["retry_at"] is None
    # none left today: the next decrease is tomorrow's, the schedule's first check will spend it
    late = target_plan(read, plan_dimension("write", 5, 1.0, POLICY, 0, MONDAY_0830), 27, MONDAY_0830)
    assert late["outcome"] == "skipped" and late["decrease_allowed_at"] is None


def test_a_low_alarm_check_waits_for_midnight_when_it_is_within_the_hour() -> None:
    # 23:40, 4 decreases spent, the last at 23:30: the next is allowed at midnight (the day's budget
    # resets), 20 minutes away, not at 00:30
    now = MONDAY_0830.replace(hour=23, minute=40)
    read = plan_dimension("read", 100, 1.0, POLICY, 0, now)
    write = plan_dimension("write", 5, 1.0, POLICY, 0, now)
    plan = target_plan(read, write, 4, now - timedelta(minutes=10), now=now)
    assert (plan["decrease_allowed_at"], plan["held_for"]) == ("2026-11-24T00:00:00Z", "budget")
    asked = decide_scale_down({"target": {"table": "t", "index": None}, "plan": plan, "cause": "low x"})
    assert (asked["retry_at"], asked["waits_for"]) == ("2026-11-24T00:00:00Z", "budget")


def test_last_decrease_of_the_day_is_kept_for_a_big_drop() -> None:
    late = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    small = plan_dimension("read", 100, 40.0, POLICY, 0, late)  # → 63: a 37 % drop
    big = plan_dimension("read", 100, 1.0, POLICY, 0, late)
    keep = plan_dimension("write", 5, 1.0, POLICY, 0, late)
    last_hour = late - timedelta(hours=1)
    assert target_plan(small, keep, 26, last_hour, now=late)["action"] == "skip"
    assert target_plan(big, keep, 26, last_hour, now=late)["action"] == "decrease"


def test_read_down_and_write_up_in_one_update_is_rebalanced_not_decreased() -> None:
    # GIVEN read idle and a weekday pre-warm window above write's current capacity
    prewarm = Policy(min_capacity=5, schedules=(PREWARM,))
    read = plan_dimension("read", 100, 1.0, POLICY, 0, MONDAY_0830)
    write = plan_dimension("write", 146, 1.0, prewarm, 0, MONDAY_0830)
    # WHEN they are planned together
    plan = plan_target("orders", {"read": read, "write": write}, {"read": POLICY, "write": prewarm}, 0, None,
                       MONDAY_0830)  # fmt: skip
    # THEN the update lowers read (it spends a decrease) and raises write, and says both
    assert (plan["action"], plan["outcome"]) == ("decrease", "rebalanced")
    assert plan["throughput"] == {"read": 5, "write": 500}
    assert plan["summary"].startswith("orders rebalanced: RCU 100 → 5 (peak 1.0/s in 10 min); WCU 146 → 500")
    assert (
        "RCU down, WCU up in one update (net +259 units); it uses a decrease: 18 decreases left"
        in (plan["summary"])
    )
    assert "decreased" not in plan["summary"] and "saves" not in plan["summary"]


def test_each_plan_names_its_outcome() -> None:
    down = plan_dimension("read", 100, 1.0, POLICY, 0, MONDAY_0830)
    keep = plan_dimension("write", 5, 1.0, POLICY, 0, MONDAY_0830)
    up = plan_dimension("write", 100, 1.0, Policy(min_capacity=5, schedules=(PREWARM,)), 0, MONDAY_0830)
    assert target_plan(down, keep)["outcome"] == "decreased"
    assert target_plan(keep, keep)["outcome"] == "kept"
    assert target_plan(keep, up)["outcome"] == "increased"
    assert target_plan(down, keep, 4, MONDAY_0830 - timedelta(minutes=10))["outcome"] == "skipped"


def test_a_peak_below_the_low_threshold_decreases_and_one_above_it_keeps() -> None:
    # 100 units, a decrease must leave ≤ 80: ceil(p / 0.7 × 1.1) ≤ 80 ⇔ p ≤ 80 × 0.7 / 1.1 = 50.909…
    threshold = low_alarm_threshold(100, POLICY)
    assert threshold == round(80 * 0.7 / 1.1, 6)
    assert plan_dimension("read", 100, threshold - 0.01, POLICY, 0, MONDAY_0830).kind == "decrease"
    assert plan_dimension("read", 100, threshold + 0.1, POLICY, 0, MONDAY_0830).kind == "keep"
    for current in (6, 7, 10, 37, 100, 999):
        below = low_alarm_threshold(current, POLICY) * 0.999
        assert below == 0 or plan_dimension("read", current, below, POLICY, 0, MONDAY_0830).kind == "decrease"


def test_a_check_an_alarm_asked_for_names_it() -> None:
    read = plan_dimension("read", 100, 1.0, POLICY, 0, MONDAY_0830)
    write = plan_dimension("write", 5, 1.0, POLICY, 0, MONDAY_0830)
    plan = plan_target("t", {"read": read, "write": write}, {"read": POLICY, "write": POLICY}, 0, None,
                       MONDAY_0830, "low alarm ddbflow-t::read-low")  # fmt: skip
    assert plan["summary"].endswith("; checked on low alarm ddbflow-t::read-low")
    assert "checked on" not in target_plan(read, write)["summary"]


def test_a_silent_look_back_is_sized_by_the_same_minutes_yesterday() -> None:
    # no requests now, 14/s in the same minutes yesterday: an outage, kept for its return at ⌈14 / 0.7 ×
    # 1.1⌉ = 22; a table that was idle yesterday too goes to min_capacity
    outage = plan_dimension("read", 100, 0.0, POLICY, 0, MONDAY_0830, yesterday=14.0)
    assert (outage.kind, outage.new) == ("decrease", 22)
    assert outage.reason == (
        "no requests in 10 min, peak 14.0/s in the same minutes yesterday: an outage, its traffic "
        "expected back"
    )
    kept = plan_dimension("read", 22, 0.0, POLICY, 0, MONDAY_0830, yesterday=14.0)
    assert (kept.kind, kept.new) == ("keep", 22)
    idle = plan_dimension("read", 100, 0.0, POLICY, 0, MONDAY_0830, yesterday=0.0)
    assert (idle.kind, idle.new) == ("decrease", 5)
    # traffic now is sized by itself, whatever yesterday held
    assert plan_dimension("read", 100, 1.0, POLICY, 0, MONDAY_0830, yesterday=50.0).new == 5
