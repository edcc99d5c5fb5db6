"""Compute Capacity: measure demand (consumed + throttled) over the alarm window, then plan the increase —
and the other dimension's too when it is above its target, so both go up in one UpdateTable."""

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import metric_sums, parse_time
from ..core.budget import decrease_wait
from ..core.capacity import Demand, Plan, demand_window, measure_demand, plan_alongside, plan_increase
from ..core.config import Policy
from ..core.target import Dimension, Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    alarm, policy = event["alarm"], Policy.from_dict(event["policy"])
    target, dimension, now = Target.from_dict(alarm), alarm["dimension"], parse_time(event["now"])
    other_policy = Policy.from_dict(event["policy"]["other_dimension"])
    other: Dimension = event["policy"]["other_dimension"]["dimension"]
    table = event["table"]
    demand = _demand(target, dimension, policy, now)
    last_decrease = parse_time(table["last_decrease"]) if table.get("last_decrease") else None
    wait = decrease_wait(int(table.get("decreases_today", 0)), last_decrease, now)
    plan = plan_increase(
        int(table[dimension]), demand, policy, require_demand=alarm["source"] != "manual", decrease_wait=wait
    )
    alongside = Plan("none", int(table[other]), int(table[other]), other_policy.rule, "")
    if plan.action == "increase":
        other_demand = _demand(target, other, other_policy, now)
        alongside = plan_alongside(alongside.current, other_demand, other_policy, wait)
    logger.info("capacity planned", extra={"plan": plan.as_dict(), "demand_per_second": demand.per_second})
    alarms = [{"dimension": dimension, "capacity": plan.new, "policy": policy.as_dict()}]
    if alongside.action == "increase":
        alarms.append({"dimension": other, "capacity": alongside.new, "policy": other_policy.as_dict()})
    # What Update Table and Update Alarms need, in the shape both machines give them.
    return plan.as_dict() | {
        "demand_per_second": round(demand.per_second, 3),
        "throughput": {dimension: plan.new, other: alongside.new},
        "alarms": alarms,
        "alongside": alongside.as_dict() | {"dimension": other} if alongside.action == "increase" else None,
        "dry_run": policy.dry_run,
        "deadline_seconds": policy.update_deadline_seconds,
    }


def _demand(target: Target, dimension: Dimension, policy: Policy, now: datetime) -> Demand:
    start, end = demand_window(policy, now)
    consumed, throttled = metric_sums(target, dimension, policy.alarm_period_seconds, start, end)
    return measure_demand(consumed, throttled, policy.alarm_period_seconds, policy.throttled_request_units)
