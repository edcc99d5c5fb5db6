"""The alarms of a target and dimension. Scale-up: consumed capacity (Sum per period) above target,
consumed capacity far above the capacity itself in one minute (burst credit running out), throttle events
in a minute. Scale-down: consumed capacity low enough, for the look-back, that the planner would decrease."""

from typing import Any

from .capacity import alarm_threshold
from .config import Policy, resolve_policy
from .scale_down import low_alarm_threshold
from .target import CONSUMED_METRIC, DIMENSIONS, THROTTLE_METRIC, Dimension, Target

ALARM_PREFIX = "ddbflow-"
# DynamoDB banks at most 300 s of unused capacity as burst credit. Consuming twice the capacity spends a
# full bank in 5 minutes, a partly spent one sooner; the utilization alarm's second period plus the update
# take about 3, so an excess that large cannot wait for it. (Measured on the tuning half: any factor from
# 1.25 to 3 gives the same decisions; 1.0 fires on every minute burst credit carries.)
BURST_FACTOR = 2.0


# The kind ending an alarm's name → the rule that fired it (AlarmSignal.trigger). "low" starts a
# scale-down (template.yaml routes it by that ending), every other kind a scale-up.
ALARM_KINDS = {"high": "utilization", "burst": "burst", "throttled": "throttle", "low": "low"}
CONSUMED_KINDS = ("high", "burst", "low")  # the kinds that watch consumed capacity


def alarm_name(target: Target, dimension: Dimension, kind: str = "high") -> str:
    """``kind``: one of ALARM_KINDS. ':' cannot occur in table or index names, so the name maps back to
    exactly one target."""
    return f"{ALARM_PREFIX}{target.table}:{target.index or ''}:{dimension}-{kind}"


def alarm_kind(name: str) -> str | None:
    """The kind of a ddbflow alarm's name (``alarm_name``); None for any other name."""
    kind = name.rpartition("-")[2]
    return kind if name.startswith(ALARM_PREFIX) and kind in ALARM_KINDS else None


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


def low_alarm_definition(
    target: Target, dimension: Dimension, capacity: int, policy: Policy
) -> dict[str, Any]:
    """PutMetricAlarm kwargs for the alarm that starts a scale-down of this one target once every minute
    of the look-back consumed less than a decrease would leave room for (``low_alarm_threshold``), as
    target tracking scales in after 15 low minutes. A minute without a datapoint does not count: a new
    or re-armed alarm must see the look-back's minutes itself, so putting the alarms never starts a
    scale-down of every idle table at once; the schedule's check decreases the idle ones. It has no SNS
    action: EventBridge carries it to the scale-down machine (Start From SNS starts only the scale-up)."""
    threshold = low_alarm_threshold(capacity, policy)
    return {
        "AlarmName": alarm_name(target, dimension, "low"),
        "AlarmDescription": (
            f"ddbflow scale-down: {target.label} {dimension} low for {policy.look_back_minutes} min "
            f"at {capacity} units"
        ),
        "Namespace": "AWS/DynamoDB",
        "MetricName": CONSUMED_METRIC[dimension],
        "Dimensions": target.metric_dimensions(),
        "Statistic": "Sum",
        "Period": 60,  # DynamoDB publishes one-minute Sums; Read Demand reads the same minutes
        "EvaluationPeriods": policy.look_back_minutes,
        "DatapointsToAlarm": policy.look_back_minutes,
        "Threshold": round(threshold * 60, 3),
        "ComparisonOperator": "LessThanThreshold",
        "TreatMissingData": "notBreaching",
        "ActionsEnabled": False,
        "AlarmActions": [],
    }


def dimension_alarms(
    target: Target, dimension: Dimension, capacity: int, policy: Policy, actions: list[str]
) -> list[dict[str, Any]]:
    """Every alarm of one target and dimension at ``capacity`` (Update Alarms re-sets and re-arms them
    all after an increase or decrease)."""
    return [
        alarm_definition(target, dimension, capacity, policy, actions),
        burst_alarm_definition(target, dimension, capacity, policy, actions),
        throttle_alarm_definition(target, dimension, actions),
        low_alarm_definition(target, dimension, capacity, policy),
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
