"""The alarms of a target and dimension: utilization above target, burst credit running out, throttle
events (scale-up), and the low alarm (scale-down)."""

from ddbflow_lambda.core.alarms import (
    alarm_kind,
    dimension_alarms,
    low_alarm_definition,
    target_alarms,
    throttle_alarm_definition,
)
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


def test_each_dimension_has_a_utilization_a_burst_a_throttle_and_a_low_alarm() -> None:
    policy = Policy(target_utilization=0.8, alarm_period_seconds=60, alarm_evaluation_periods=3)
    high, burst, throttled, low = dimension_alarms(Target("orders"), "read", 100, policy, ["arn:topic"])
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
    assert low["AlarmActions"] == []  # EventBridge carries it to the scale-down machine
    config = {"tables": {"orders": {}}}
    names = [a["AlarmName"] for a in target_alarms(config, Target("orders"), {"read": 10, "write": 5}, [])]
    assert names == [
        "ddbflow-orders::read-high",
        "ddbflow-orders::read-burst",
        "ddbflow-orders::read-throttled",
        "ddbflow-orders::read-low",
        "ddbflow-orders::write-high",
        "ddbflow-orders::write-burst",
        "ddbflow-orders::write-throttled",
        "ddbflow-orders::write-low",
    ]
    assert [alarm_kind(name) for name in names[:4]] == ["high", "burst", "throttled", "low"]


def test_the_low_alarm_fires_when_every_minute_of_the_look_back_leaves_room_for_a_paying_decrease() -> None:
    policy = Policy(
        target_utilization=0.7, decrease_headroom=0.1, min_decrease_fraction=0.2, look_back_minutes=60
    )
    alarm = low_alarm_definition(Target("sessions"), "read", 100, policy)
    assert alarm["AlarmName"] == "ddbflow-sessions::read-low"
    # a decrease must leave ≤ 80 units; a peak of p/s wants ceil(p / 0.7 × 1.1): ≤ 80 while p ≤ 50.909…/s
    assert alarm["Threshold"] == round(80 * 0.7 / 1.1 * 60, 3)
    assert (alarm["ComparisonOperator"], alarm["Period"]) == ("LessThanThreshold", 60)
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (60, 60)
    assert alarm["TreatMissingData"] == "notBreaching"


def test_no_minute_is_low_when_no_decrease_can_stay_above_min_capacity() -> None:
    policy = Policy(min_capacity=5, min_decrease_fraction=0.1)
    assert low_alarm_definition(Target("orders"), "write", 5, policy)["Threshold"] == 0.0  # 4 < 5
    assert low_alarm_definition(Target("orders"), "write", 6, policy)["Threshold"] > 0  # 5 ≥ 5


def test_alarm_kind_reads_only_ddbflow_alarm_names() -> None:
    assert alarm_kind("ddbflow-orders:by-customer:write-low") == "low"
    assert alarm_kind("ddbflow-orders::read-throttled") == "throttled"
    assert alarm_kind("orders-read-low") is None  # not a ddbflow alarm
    assert alarm_kind("ddbflow-orders::read-sideways") is None
