"""Two planning rules against hand-computed cases: the scale-up's lead on a rise still under way
(core.capacity.expected_demand, shrunk by core.capacity.rise_lead while the decrease budget holds an
overshoot) and the scale-down's wait after a raise (core.scale_down.plan_target)."""

from datetime import UTC, datetime, timedelta

from ddbflow_lambda.core.budget import decrease_wait
from ddbflow_lambda.core.capacity import Demand, measure_demand, plan_alongside, plan_increase, rise_lead
from ddbflow_lambda.core.config import Policy
from ddbflow_lambda.core.decision import decide_scale_down
from ddbflow_lambda.core.scale_down import plan_dimension, plan_target

NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def test_a_rise_into_the_last_period_is_measured() -> None:
    # 100/s then 150 + 10 throttled per s: still rising by 60/s a period
    demand = measure_demand([6000.0, 9000.0], [0.0, 600.0], period=60, units_per_throttle=1.0)
    assert demand == Demand(150.0, 10.0, 2, rise_per_second=60.0)


def test_falling_or_a_peak_before_the_last_period_is_no_rise() -> None:
    assert measure_demand([9000.0, 6000.0], [], 60, 1.0).rise_per_second == 0.0
    assert measure_demand([6000.0, 9000.0, 7200.0], [], 60, 1.0).rise_per_second == 0.0
    assert measure_demand([6000.0], [], 60, 1.0).rise_per_second == 0.0


def test_the_demand_rule_sizes_a_rise_one_period_ahead() -> None:
    demand = Demand(150.0, 10.0, 2, rise_per_second=60.0)
    ahead = plan_increase(100, demand, Policy(target_utilization=0.9, rise_lead_periods=1))
    assert ahead.new == 245  # ⌈(160 + 60) / 0.9⌉ = ⌈244.4⌉
    assert "still rising 60 per s a period: sized for 220 per s, 1 period ahead" in ahead.reason
    half = plan_increase(100, demand, Policy(target_utilization=0.9, rise_lead_periods=0.5))
    assert half.new == 212  # ⌈(160 + 30) / 0.9⌉ = ⌈211.1⌉
    flat = plan_increase(100, demand, Policy(target_utilization=0.9, rise_lead_periods=0))
    assert (flat.new, "rising" in flat.reason) == (178, False)  # ⌈160 / 0.9⌉ = ⌈177.8⌉


def test_the_wait_for_the_next_decrease_follows_the_budget() -> None:
    assert decrease_wait(3, NOW - timedelta(minutes=1), NOW) == timedelta(0)  # a free decrease is left
    assert decrease_wait(4, NOW - timedelta(minutes=12), NOW) == timedelta(minutes=48)  # hourly after 4
    assert decrease_wait(4, NOW - timedelta(minutes=70), NOW) == timedelta(0)
    assert decrease_wait(27, NOW - timedelta(hours=3), NOW) == timedelta(hours=15, minutes=30)  # midnight


def test_the_lead_shrinks_as_the_next_decrease_moves_past_the_look_back() -> None:
    policy = Policy(rise_lead_periods=1, look_back_minutes=10)
    assert rise_lead(policy, timedelta(0)) == 1  # an overshoot goes back a look-back after the raise
    assert rise_lead(policy, timedelta(minutes=8)) == 1  # the look-back is the longer wait
    assert rise_lead(policy, timedelta(minutes=40)) == 0.25  # held 40 minutes: a quarter of the lead
    assert rise_lead(Policy(rise_lead_periods=0), timedelta(minutes=40)) == 0


def test_a_raise_the_budget_would_hold_for_48_minutes_is_sized_a_fraction_of_a_period_ahead() -> None:
    demand = Demand(150.0, 10.0, 2, rise_per_second=96.0)
    policy = Policy(target_utilization=0.9, rise_lead_periods=1, look_back_minutes=10)
    free = plan_increase(100, demand, policy)
    assert free.new == 285  # ⌈(160 + 96) / 0.9⌉ = ⌈284.4⌉
    held = plan_increase(100, demand, policy, decrease_wait=timedelta(minutes=48))
    assert held.new == 200  # lead 10 / 48: ⌈(160 + 96 × 10 / 48) / 0.9⌉ = ⌈180 / 0.9⌉
    assert (
        "still rising 96 per s a period: sized for 180 per s, 0.21 period ahead "
        "(the next decrease the budget allows is 48 min away)"
    ) in held.reason
    assert "min away" not in free.reason
    # the other dimension rides along under the same (shared) budget
    assert plan_alongside(100, demand, policy, timedelta(minutes=48)).new == 200


def test_a_shrunk_lead_never_sizes_below_the_demand_measured() -> None:
    demand = Demand(150.0, 10.0, 2, rise_per_second=96.0)
    policy = Policy(target_utilization=0.9, rise_lead_periods=1, look_back_minutes=10)
    held = plan_increase(100, demand, policy, decrease_wait=timedelta(hours=15))
    assert held.new == 179 >= 160 / 0.9  # ⌈(160 + 96 × 10 / 900) / 0.9⌉ = ⌈178.96⌉


def _plan(  # type: ignore[no-untyped-def]
    last_increase: datetime | None,
    decreases_today: int = 0,
    last_decrease: datetime | None = None,
    write: tuple[int, float] = (1, 0.0),  # capacity, demand
    raised: str = "read",
):
    policy = Policy(min_capacity=1, target_utilization=0.8, decrease_headroom=0.05, look_back_minutes=15)
    read = plan_dimension("read", 385, 240.7, policy, 0, NOW)  # ⌈240.7 / 0.8 × 1.05⌉ = 316
    written = plan_dimension("write", *write, policy, 0, NOW)
    assert (read.kind, read.new) == ("decrease", 316)
    policies = {"read": policy, "write": policy}
    raised_at = {raised: last_increase} if last_increase else {}
    return plan_target(
        "t", {"read": read, "write": written}, policies, decreases_today, last_decrease, NOW, "low alarm x",
        raised_at,  # type: ignore[arg-type]
    )  # fmt: skip


def test_no_decrease_judged_on_minutes_from_before_the_last_raise() -> None:
    plan = _plan(last_increase=NOW - timedelta(minutes=5))
    assert (plan["action"], plan["outcome"], plan["throughput"]["read"]) == ("skip", "skipped", 385)
    raised = "RCU raised at 08:25 UTC: the 15-minute look-back still holds minutes from before the raise"
    assert raised in plan["summary"]
    assert "judged again at 08:40" in plan["summary"]
    assert plan["decrease_allowed_at"] == "2026-11-23T08:40:00Z"
    assert plan["held_for"] == "raise"
    # whatever started the check, it waits until then and checks again, once (Wait For Budget?): the
    # low alarm, re-armed by the raise, may have fired on those minutes already and stays in ALARM
    state = {"target": {"table": "t", "index": None}, "plan": plan}
    for asked in (state | {"cause": "low alarm x"}, state, state | {"budget_waited": True}):
        decided = decide_scale_down(asked)
        assert (decided["retry_at"], decided["waits_for"]) == ("2026-11-23T08:40:00Z", "raise")
        assert decided["summary"].endswith(
            "waits until 08:40 UTC for the look-back to hold only minutes since the raise, then checks again"
        )
    assert decide_scale_down(state | {"raise_waited": True})["retry_at"] is None


def test_the_wait_ends_on_the_second_after_what_held_the_decrease_back() -> None:
    # EnteredTime carries milliseconds: a Wait until 08:40:00 would find the raise of 08:25:00.6 still
    # in the look-back, and the check after the one wait for it would end without deciding
    plan = _plan(last_increase=NOW - timedelta(minutes=5) + timedelta(milliseconds=600))
    assert plan["decrease_allowed_at"] == "2026-11-23T08:40:01Z"


def test_no_check_waits_beyond_the_hour() -> None:
    policy = Policy(min_capacity=1, target_utilization=0.8, look_back_minutes=90)
    read = plan_dimension("read", 385, 240.7, policy, 0, NOW)
    write = plan_dimension("write", 1, 0.0, policy, 0, NOW)
    raised = {"read": NOW - timedelta(minutes=5)}  # held back until 09:55, 85 minutes away
    plan = plan_target("t", {"read": read, "write": write}, {"read": policy, "write": policy}, 0, None, NOW,
                       "low alarm x", raised)  # type: ignore[arg-type]  # fmt: skip
    assert plan["outcome"] == "skipped" and "judged again at 09:55" in plan["summary"]
    assert (plan["decrease_allowed_at"], plan["held_for"]) == (None, None)  # the schedule's check comes first


def test_a_raise_of_the_other_dimension_holds_back_only_its_own_decrease() -> None:
    # GIVEN write raised 5 minutes ago and both dimensions low: read's minutes say nothing about write
    both_low = _plan(last_increase=NOW - timedelta(minutes=5), write=(100, 40.0), raised="write")
    # THEN read decreases 385 → 316; write (⌈40 / 0.8 × 1.05⌉ = 53 wanted) keeps 100 until 08:40
    assert (both_low["outcome"], both_low["throughput"]) == ("decreased", {"read": 316, "write": 100})
    assert "WCU raised at 08:25 UTC" in both_low["summary"] and "RCU raised" not in both_low["summary"]
    # AND with write not low, its raise does not hold read back at all
    read_only = _plan(last_increase=NOW - timedelta(minutes=5), write=(100, 99.0), raised="write")
    assert (read_only["outcome"], read_only["throughput"]["read"]) == ("decreased", 316)
    assert "raised at" not in read_only["summary"]


def test_a_look_back_all_after_the_raise_decreases() -> None:
    plan = _plan(last_increase=NOW - timedelta(minutes=15))
    assert (plan["outcome"], plan["throughput"]["read"]) == ("decreased", 316)
    assert _plan(last_increase=None)["outcome"] == "decreased"


def test_a_spent_budget_is_the_reason_given_first() -> None:
    plan = _plan(NOW - timedelta(minutes=5), decreases_today=4, last_decrease=NOW - timedelta(minutes=10))
    assert plan["outcome"] == "skipped"
    assert "decrease budget spent (4 today), next allowed 2026-11-23 09:20 UTC" in plan["summary"]
    assert "raised at" not in plan["summary"]
    assert plan["decrease_allowed_at"] == "2026-11-23T09:20:00Z"
