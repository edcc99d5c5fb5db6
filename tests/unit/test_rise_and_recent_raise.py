"""Two planning rules against hand-computed cases: the scale-up's lead on a rise still under way
(core.capacity.expected_demand) and the scale-down's wait after a raise (core.scale_down.plan_target)."""

from datetime import UTC, datetime, timedelta

from ddbflow_lambda.core.capacity import Demand, measure_demand, plan_increase
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
    # a check the low alarm asked for waits until then and checks again (Wait For Budget?)
    state = {"target": {"table": "t", "index": None}, "plan": plan, "cause": "low alarm x"}
    assert decide_scale_down(state)["retry_at"] == "2026-11-23T08:40:00Z"


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
