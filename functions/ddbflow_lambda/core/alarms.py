"""The scale-up alarm of a target and dimension: consumed capacity (Sum per period) above target."""

from typing import Any

from .capacity import alarm_threshold
from .config import Policy, resolve_policy
from .target import CONSUMED_METRIC, DIMENSIONS, Dimension, Target

ALARM_PREFIX = "ddbflow-"


def alarm_name(target: Target, dimension: Dimension) -> str:
    # ':' cannot occur in table or index names, so the name maps back to exactly one target.
    return f"{ALARM_PREFIX}{target.table}:{target.index or ''}:{dimension}-high"


def alarm_definition(
    target: Target, dimension: Dimension, capacity: int, policy: Policy, actions: list[str]
) -> dict[str, Any]:
    """PutMetricAlarm kwargs for the alarm that starts a scale-up execution."""
    return {
        "AlarmName": alarm_name(target, dimension),
        "AlarmDescription": (
            f"ddbflow scale-up: {target.label} {dimension} above {policy.target_utilization:.0%} "
            f"of {capacity} units"
        ),
        "Namespace": "AWS/DynamoDB",
        "MetricName": CONSUMED_METRIC[dimension],
        "Dimensions": target.metric_dimensions(),
        "Statistic": "Sum",
        "Period": policy.alarm_period_seconds,
        "EvaluationPeriods": policy.alarm_evaluation_periods,
        "DatapointsToAlarm": policy.datapoints_to_alarm,
        "Threshold": alarm_threshold(capacity, policy),
        "ComparisonOperator": "GreaterThanThreshold",
        # An idle table publishes nothing; that is not a reason to scale up.
        "TreatMissingData": "notBreaching",
        "ActionsEnabled": bool(actions),
        "AlarmActions": actions,
    }


def target_alarms(
    config: dict[str, Any], target: Target, capacity: dict[str, Any], actions: list[str]
) -> list[dict[str, Any]]:
    """PutMetricAlarm kwargs for both dimensions of a managed table or GSI at its current capacity
    (``throughput_state``), as the config's policies set them."""
    return [
        alarm_definition(
            target, dimension, int(capacity[dimension]), resolve_policy(config, target, dimension), actions
        )
        for dimension in DIMENSIONS
    ]
