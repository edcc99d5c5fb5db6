"""Property tests: whatever the traffic, the scale-down planner never spends more decreases than DynamoDB
allows, capacity stays within [min, max], and a decrease never goes below the demand of the look-back
window at the target utilization. The budget is checked here against its definition, written
out again independently of ddbflow_lambda.core.budget."""

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ddbflow_lambda.core.config import Policy
from ddbflow_lambda.core.scale_down import plan_dimension, plan_target

START = datetime(2026, 11, 20, 0, 7, tzinfo=UTC)
CHECK_EVERY = timedelta(minutes=15)


def allowed_by_aws(decreases_that_day: list[datetime], now: datetime) -> bool:
    if len(decreases_that_day) < 4:
        return True
    return len(decreases_that_day) < 27 and now - decreases_that_day[-1] >= timedelta(hours=1)


@settings(max_examples=60, deadline=None)
@given(
    demand=st.lists(st.floats(min_value=0, max_value=3000), min_size=96, max_size=96 * 3),
    minimum=st.integers(min_value=1, max_value=200),
    span=st.integers(min_value=0, max_value=3000),
    low_checks=st.integers(min_value=1, max_value=4),
    fraction=st.floats(min_value=0, max_value=0.5),
)
def test_checks_across_days_respect_the_budget_and_the_bounds(
    demand: list[float], minimum: int, span: int, low_checks: int, fraction: float
) -> None:
    policy = Policy(min_capacity=minimum, max_capacity=minimum + span, decrease_after_low_checks=low_checks,
                    min_decrease_fraction=fraction)  # fmt: skip
    policies = {"read": policy, "write": policy}
    capacity, counters = {"read": minimum, "write": minimum}, {"read": 0, "write": 0}
    decreases: dict[object, list[datetime]] = {}
    now = START
    for load in demand:
        # scale-up meanwhile answers demand above capacity (what the other machine does)
        for dim in capacity:
            if load > capacity[dim]:
                capacity[dim] = min(policy.max_capacity, max(capacity[dim], math.ceil(load / 0.7)))
        today = decreases.setdefault(now.date(), [])
        plans = {d: plan_dimension(d, capacity[d], load, policy, counters[d], now) for d in ("read", "write")}  # type: ignore[arg-type]
        plan = plan_target("t", plans, policies, len(today), today[-1] if today else None, now)  # type: ignore[arg-type]
        counters = plan["low_checks"]
        if plan["action"] == "decrease":
            assert allowed_by_aws(today, now), f"decrease #{len(today) + 1} at {now} breaks the daily budget"
            today.append(now)
        needed = min(policy.max_capacity, math.ceil(round(load / policy.target_utilization, 6)))
        lowered = [d for d in capacity if plan["throughput"][d] < capacity[d]]
        assert all(plan["throughput"][d] >= needed for d in lowered), f"below {load}/s at target at {now}"
        capacity = dict(plan["throughput"])
        assert all(policy.min_capacity <= c <= policy.max_capacity for c in capacity.values())
        now += CHECK_EVERY
    assert all(len(day) <= 27 for day in decreases.values())
