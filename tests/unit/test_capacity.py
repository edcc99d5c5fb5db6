import pytest

from ddbflow_lambda.core.capacity import (
    Demand,
    alarm_threshold,
    measure_demand,
    plan_alongside,
    plan_increase,
)
from ddbflow_lambda.core.config import Policy


def test_step_rule_is_the_blogs_plus_fifty_percent() -> None:
    # GIVEN the original blog's rule WHEN an alarm fires THEN new = ceil(current × 1.5)
    plan = plan_increase(101, Demand(0, 0, 2), Policy(rule="step", scale_up_step=0.5))
    assert (plan.action, plan.new) == ("increase", 152)


def test_demand_rule_sizes_to_consumed_plus_throttled_at_target() -> None:
    policy = Policy(target_utilization=0.7, min_step=0.2)
    plan = plan_increase(100, Demand(consumed_per_second=96, throttled_per_second=44, periods=2), policy)
    assert plan.new == 200  # ceil(140 / 0.7)
    assert "throttled 44" in plan.reason


def test_demand_rule_grows_at_least_by_min_step_when_demand_looks_low() -> None:
    # consumed is capped at what was served; a saturated table still makes progress
    plan = plan_increase(100, Demand(75, 0, 2), Policy(target_utilization=0.7, min_step=0.2))
    assert plan.new == 120


def test_an_alarm_whose_demand_is_back_within_target_changes_nothing() -> None:
    late = plan_increase(146, Demand(0, 0, 0), Policy(target_utilization=0.7))
    assert (late.action, late.new) == ("none", 146)
    assert "the alarm no longer holds" in late.reason
    manual = plan_increase(
        146, Demand(0, 0, 0), Policy(target_utilization=0.7, min_step=0.2), require_demand=False
    )
    assert manual.new == 176


def test_result_is_clamped_to_max_and_says_so() -> None:
    plan = plan_increase(100, Demand(900, 0, 2), Policy(max_capacity=300))
    assert plan.new == 300
    assert "capped by max_capacity 300" in plan.reason


def test_at_max_nothing_to_do() -> None:
    plan = plan_increase(300, Demand(900, 0, 2), Policy(max_capacity=300))
    assert (plan.action, plan.new) == ("none", 300)
    assert "already at max_capacity" in plan.reason


def test_below_min_is_raised_to_min() -> None:
    assert plan_increase(1, Demand(0, 0, 0), Policy(min_capacity=25), require_demand=False).new == 25


def test_alarm_threshold_is_capacity_times_period_times_target() -> None:
    assert alarm_threshold(150, Policy(alarm_period_seconds=60, target_utilization=0.7)) == 6300.0
    assert alarm_threshold(10, Policy(alarm_period_seconds=300, target_utilization=0.5)) == 1500.0


def test_measure_demand_takes_the_peak_period_and_weights_throttles() -> None:
    demand = measure_demand([600.0, 1200.0, 900.0], [0.0, 60.0], period=60, units_per_throttle=2.0)
    assert demand == Demand(consumed_per_second=20.0, throttled_per_second=2.0, periods=3)
    assert demand.per_second == 22.0


def test_no_datapoints_is_no_demand() -> None:
    assert measure_demand([], [], 60, 1.0) == Demand(0.0, 0.0, 0)


@pytest.mark.parametrize("current", [1, 7, 99, 1000, 39999])
def test_increase_is_never_below_current_nor_above_max(current: int) -> None:
    policy = Policy(max_capacity=40000)
    plan = plan_increase(current, Demand(current * 0.9, current * 0.1, 2), policy)
    assert current < plan.new <= 40000


@pytest.mark.parametrize("rule", ["demand", "step"])
def test_the_other_dimension_rides_along_only_when_above_its_target(rule: str) -> None:
    policy = Policy(rule=rule, target_utilization=0.7, scale_up_step=0.5)
    assert plan_alongside(50, Demand(35, 0, 2), policy).action == "none"  # exactly at 70 %: not above
    raised = plan_alongside(50, Demand(48, 3, 2), policy)
    assert raised.action == "increase"
    assert raised.new == (73 if rule == "demand" else 75)  # ceil(51 / 0.7) or ceil(50 × 1.5)


def test_the_demand_window_ends_at_the_last_whole_period() -> None:
    from datetime import UTC, datetime

    from ddbflow_lambda.core.capacity import demand_window
    from ddbflow_lambda.core.config import Policy

    policy = Policy(alarm_period_seconds=60, alarm_evaluation_periods=2)
    # An execution that waited out a cooldown until 04:05:30 reads 04:03–04:05, not 04:04:30–04:05:30.
    assert demand_window(policy, datetime(2026, 1, 5, 4, 5, 30, 250000, tzinfo=UTC)) == (
        datetime(2026, 1, 5, 4, 3, tzinfo=UTC),
        datetime(2026, 1, 5, 4, 5, tzinfo=UTC),
    )
    # At an alarm's own evaluation time the window is the alarm's.
    five = Policy(alarm_period_seconds=300, alarm_evaluation_periods=1)
    assert demand_window(five, datetime(2026, 1, 5, 4, 10, tzinfo=UTC)) == (
        datetime(2026, 1, 5, 4, 5, tzinfo=UTC),
        datetime(2026, 1, 5, 4, 10, tzinfo=UTC),
    )
