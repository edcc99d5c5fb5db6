"""The scale-up alarms of a target and dimension: utilization above target, burst credit running out,
and throttle events."""

from ddbflow_lambda.core.alarms import dimension_alarms, target_alarms, throttle_alarm_definition
from ddbflow_lambda.core.config import Policy
from ddbflow_lambda.core.target import Target


def test_the_throttle_alarm_fires_on_any_refused_request_in_a_minute() -> None:
    alarm = throttle_alarm_definition(Target("orders", "by-customer"), "write", [])
    assert alarm["AlarmName"] == "ddbflow-orders:by-customer:write-throttled"
    assert (alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == ("WriteThrottleEvents", "Sum", 60)
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0.0, "GreaterThanThreshold")
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (1, 1)
    assert alarm["TreatMissingData"] == "notBreaching"  # an idle table publishes nothing
    assert {"Name": "GlobalSecondaryIndexName", "Value": "by-customer"} in alarm["Dimensions"]


def test_each_dimension_has_a_utilization_a_burst_and_a_throttle_alarm() -> None:
    policy = Policy(target_utilization=0.8, alarm_period_seconds=60, alarm_evaluation_periods=3)
    high, burst, throttled = dimension_alarms(Target("orders"), "read", 100, policy, ["arn:topic"])
    # 100 units × 60 s × 80 % = 4800 consumed units in a minute, 3 minutes in a row
    assert (high["Threshold"], high["EvaluationPeriods"], high["DatapointsToAlarm"]) == (4800.0, 3, 3)
    # burst credit running out: 2 × 100 units × 60 s consumed in one minute
    assert (burst["MetricName"], burst["Statistic"], burst["Period"]) == (
        "ConsumedReadCapacityUnits",
        "Sum",
        60,
    )
    assert (burst["Threshold"], burst["EvaluationPeriods"], burst["DatapointsToAlarm"]) == (12000.0, 1, 1)
    assert burst["TreatMissingData"] == "notBreaching"
    assert throttled["AlarmActions"] == high["AlarmActions"] == burst["AlarmActions"] == ["arn:topic"]
    config = {"tables": {"orders": {}}}
    names = [a["AlarmName"] for a in target_alarms(config, Target("orders"), {"read": 10, "write": 5}, [])]
    assert names == [
        "ddbflow-orders::read-high",
        "ddbflow-orders::read-burst",
        "ddbflow-orders::read-throttled",
        "ddbflow-orders::write-high",
        "ddbflow-orders::write-burst",
        "ddbflow-orders::write-throttled",
    ]
