"""Compute Capacity: measure demand (consumed + throttled) over the alarm window and the burst credit the
last minutes banked, then plan the increase — or a minute's wait while the credit carries the excess —
and the other dimension's too when it is above its target, so both go up in one UpdateTable."""

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import metric_minutes, metric_sums, parse_time
from ..core.budget import decrease_wait
from ..core.capacity import (
    Credit,
    Demand,
    Plan,
    credit_recheck_at,
    credit_window,
    demand_window,
    measure_demand,
    plan_alongside,
    plan_increase,
    read_credit,
)
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
    current, from_alarm = int(table[dimension]), alarm["source"] != "manual"
    credit = _credit(target, dimension, policy, table, current, now) if from_alarm else None
    plan = plan_increase(
        current,
        demand,
        policy,
        require_demand=from_alarm,
        decrease_wait=wait,
        credit=credit,
        credit_waits=int(event.get("credit_waits", 0)),
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
        # "wait": Wait While Credit Carries It ends at the next whole minute, when its datapoint exists
        "check_again_at": f"{credit_recheck_at(now):%Y-%m-%dT%H:%M:%SZ}" if plan.action == "wait" else None,
    }


def _demand(target: Target, dimension: Dimension, policy: Policy, now: datetime) -> Demand:
    start, end = demand_window(policy, now)
    consumed, throttled = metric_sums(target, dimension, policy.alarm_period_seconds, start, end)
    return measure_demand(consumed, throttled, policy.alarm_period_seconds, policy.throttled_request_units)


def _credit(
    target: Target, dimension: Dimension, policy: Policy, table: dict[str, Any], capacity: int, now: datetime
) -> Credit:
    changes = [parse_time(table[key]) for key in ("last_increase", "last_decrease") if table.get(key)]
    start, end, first = credit_window(now, max(changes, default=None))
    periods = metric_minutes(target, dimension, start, end)
    return read_credit(periods, first, capacity, policy.throttled_request_units)
