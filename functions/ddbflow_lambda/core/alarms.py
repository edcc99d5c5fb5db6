"""The scale-up alarms of a target and dimension: consumed capacity (Sum per period) above target, consumed
capacity far above the capacity itself in one minute (burst credit running out), and throttle events in a
minute."""

from typing import Any

from .capacity import alarm_threshold
from .config import Policy, resolve_policy
from .target import CONSUMED_METRIC, DIMENSIONS, THROTTLE_METRIC, Dimension, Target

ALARM_PREFIX = "ddbflow-"
# DynamoDB banks at most 300 s of unused capacity as burst credit. Consuming twice the capacity spends a
# full bank in 5 minutes, a partly spent one sooner; the utilization alarm's second period plus the update
# take about 3, so an excess that large cannot wait for it. (Measured on the tuning half: any factor from
# 1.25 to 3 gives the same decisions; 1.0 fires on every minute burst credit carries.)
BURST_FACTOR = 2.0


def alarm_name(target: Target, dimension: Dimension, kind: str = "high") -> str:
    """``kind``: "high" (utilization), "burst" or "throttled". ':' cannot occur in table or index names,
    so the name maps back to exactly one target."""
    return f"{ALARM_PREFIX}{target.table}:{target.index or ''}:{dimension}-{kind}"


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


def burst_alarm_definition(
    target: Target, dimension: Dimension, capacity: int, policy: Policy, actions: list[str]
) -> dict[str, Any]:
    """PutMetricAlarm kwargs for the alarm that starts a scale-up after one minute of consumption above
    BURST_FACTOR × capacity: burst credit is carrying an excess it cannot carry for long."""
    return alarm_definition(target, dimension, capacity, policy, actions) | {
        "AlarmName": alarm_name(target, dimension, "burst"),
        "AlarmDescription": (
            f"ddbflow scale-up: {target.label} {dimension} above {BURST_FACTOR:g} × {capacity} units "
            "in a minute"
        ),
        "Period": 60,  # DynamoDB publishes one-minute Sums
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": float(capacity * 60 * BURST_FACTOR),
    }


def throttle_alarm_name(target: Target, dimension: Dimension) -> str:
    return alarm_name(target, dimension, "throttled")


def throttle_alarm_definition(target: Target, dimension: Dimension, actions: list[str]) -> dict[str, Any]:
    """PutMetricAlarm kwargs for the alarm that starts a scale-up as soon as requests are refused.
    A short excess that burst credit carries throttles nothing and is not a level shift: the utilization
    alarm may wait for it to last (alarm_evaluation_periods); refused requests may not wait."""
    return {
        "AlarmName": throttle_alarm_name(target, dimension),
        "AlarmDescription": f"ddbflow scale-up: {target.label} {dimension} requests throttled",
        "Namespace": "AWS/DynamoDB",
        "MetricName": THROTTLE_METRIC[dimension],
        "Dimensions": target.metric_dimensions(),
        "Statistic": "Sum",
        "Period": 60,  # DynamoDB publishes one-minute Sums
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "ActionsEnabled": bool(actions),
        "AlarmActions": actions,
    }


def dimension_alarms(
    target: Target, dimension: Dimension, capacity: int, policy: Policy, actions: list[str]
) -> list[dict[str, Any]]:
    """Every scale-up alarm of one target and dimension at ``capacity`` (Update Alarms re-sets and
    re-arms them all after an increase or decrease)."""
    return [
        alarm_definition(target, dimension, capacity, policy, actions),
        burst_alarm_definition(target, dimension, capacity, policy, actions),
        throttle_alarm_definition(target, dimension, actions),
    ]


def target_alarms(
    config: dict[str, Any], target: Target, capacity: dict[str, Any], actions: list[str]
) -> list[dict[str, Any]]:
    """PutMetricAlarm kwargs for both dimensions of a managed table or GSI at its current capacity
    (``throughput_state``), as the config's policies set them."""
    return [
        definition
        for dimension in DIMENSIONS
        for definition in dimension_alarms(
            target, dimension, int(capacity[dimension]), resolve_policy(config, target, dimension), actions
        )
    ]
