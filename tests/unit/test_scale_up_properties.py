"""Property tests of the scale-up's demand rule with its budget-aware rise lead: whatever the demand,
its rise and the wait for the next decrease, an increase stays within [min, max], is never below the
measured demand at the target utilization (nor below one min_step), and a longer wait for the next
decrease never sizes a raise larger (core.capacity.rise_lead)."""

import math
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ddbflow_lambda.core.capacity import Demand, plan_increase
from ddbflow_lambda.core.config import Policy


@settings(max_examples=200, deadline=None)
@given(
    current=st.integers(min_value=1, max_value=5000),
    consumed=st.floats(min_value=0, max_value=8000),
    throttled=st.floats(min_value=0, max_value=8000),
    rise=st.floats(min_value=0, max_value=8000),
    lead=st.floats(min_value=0, max_value=10),
    look_back=st.integers(min_value=5, max_value=120),
    wait=st.integers(min_value=0, max_value=24 * 3600),
    longer=st.integers(min_value=0, max_value=24 * 3600),
    utilization=st.floats(min_value=0.2, max_value=1.0),
)
def test_a_raise_covers_the_demand_measured_within_the_bounds_and_shrinks_with_the_wait(
    current: int, consumed: float, throttled: float, rise: float, lead: float, look_back: int, wait: int,
    longer: int, utilization: float,
) -> None:  # fmt: skip
    policy = Policy(min_capacity=1, max_capacity=20000, rise_lead_periods=lead, look_back_minutes=look_back,
                    target_utilization=utilization)  # fmt: skip
    demand = Demand(consumed, throttled, 2, rise_per_second=rise)
    plan = plan_increase(current, demand, policy, decrease_wait=timedelta(seconds=wait))
    assert policy.min_capacity <= plan.new <= policy.max_capacity
    if plan.action == "increase":
        to_demand = math.ceil(round(demand.per_second / utilization, 6))
        one_step = math.ceil(round(current * (1 + policy.min_step), 6))
        assert plan.new >= min(policy.max_capacity, max(to_demand, one_step))
        later = plan_increase(current, demand, policy, decrease_wait=timedelta(seconds=wait + longer))
        assert later.new <= plan.new
