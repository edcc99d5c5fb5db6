"""Compute Capacity: measure demand (consumed + throttled) over the alarm window, then plan the increase."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, named_aws_errors, parse_time
from ..core.capacity import measure_demand, plan_increase
from ..core.config import Policy
from ..core.target import CONSUMED_METRIC, THROTTLE_METRIC, Target
from ..observability import logger
from ..tracing import tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    alarm, policy = event["alarm"], Policy.from_dict(event["policy"])
    target, dimension = Target.from_dict(alarm), alarm["dimension"]
    end = parse_time(event["now"])
    start = end - timedelta(seconds=policy.alarm_period_seconds * policy.alarm_evaluation_periods)
    queries = [
        {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/DynamoDB",
                    "MetricName": metric,
                    "Dimensions": target.metric_dimensions(),
                },
                "Period": policy.alarm_period_seconds,
                "Stat": "Sum",
            },
        }
        for query_id, metric in (
            ("consumed", CONSUMED_METRIC[dimension]),
            ("throttled", THROTTLE_METRIC[dimension]),
        )
    ]
    with named_aws_errors():
        results = client("cloudwatch").get_metric_data(
            MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending"
        )["MetricDataResults"]
    sums = {r["Id"]: dict(zip(r["Timestamps"], r["Values"], strict=True)) for r in results}
    periods = sorted(sums["consumed"])
    demand = measure_demand(
        [sums["consumed"][t] for t in periods], [sums["throttled"].get(t, 0.0) for t in periods], policy
    )
    plan = plan_increase(int(event["table"][dimension]), demand, policy)
    logger.info("capacity planned", extra={"plan": plan.as_dict(), "demand_per_second": demand.per_second})
    return plan.as_dict() | {"demand_per_second": round(demand.per_second, 3)}
