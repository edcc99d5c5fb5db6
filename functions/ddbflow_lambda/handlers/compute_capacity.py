"""Compute Capacity: measure demand (consumed + throttled) over the alarm window, then plan the increase."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import metric_sums, parse_time
from ..core.capacity import measure_demand, plan_increase
from ..core.config import Policy
from ..core.target import Target
from ..observability import logger
from ..tracing import tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    alarm, policy = event["alarm"], Policy.from_dict(event["policy"])
    dimension = alarm["dimension"]
    end = parse_time(event["now"])
    start = end - timedelta(seconds=policy.alarm_period_seconds * policy.alarm_evaluation_periods)
    consumed, throttled = metric_sums(
        Target.from_dict(alarm), dimension, policy.alarm_period_seconds, start, end
    )
    demand = measure_demand(consumed, throttled, policy.alarm_period_seconds, policy.throttled_request_units)
    plan = plan_increase(
        int(event["table"][dimension]), demand, policy, require_demand=alarm["source"] != "manual"
    )
    logger.info("capacity planned", extra={"plan": plan.as_dict(), "demand_per_second": demand.per_second})
    # What Update Table and Update Alarms need, in the shape both machines give them.
    return plan.as_dict() | {
        "demand_per_second": round(demand.per_second, 3),
        "throughput": {"read": event["table"]["read"], "write": event["table"]["write"], dimension: plan.new},
        "alarms": [{"dimension": dimension, "capacity": plan.new, "policy": policy.as_dict()}],
        "dry_run": policy.dry_run,
        "deadline_seconds": policy.update_deadline_seconds,
    }
