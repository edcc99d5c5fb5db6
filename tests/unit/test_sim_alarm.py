"""The baselines' alarms: Period Sums kept over the evaluation range, evaluated by the engine's rules
(tests/unit/test_alarm_rules.py pins those against the CloudWatch docs' tables)."""

from ddbflow.sim import alarm as sim_alarm
from ddbflow.sim.alarm import MetricAlarm


def test_the_alarm_goes_to_alarm_on_the_second_breaching_minute_of_two_out_of_two() -> None:
    alarm = MetricAlarm(100.0, "GreaterThanThreshold", evaluation_periods=2, datapoints_to_alarm=2)
    assert alarm.publish(150.0) is False  # one breach and missing data before it: not yet
    assert alarm.publish(150.0) is True
    assert alarm.publish(50.0) is False
    assert alarm.state == "OK"


def test_periods_sum_their_minutes_and_missing_minutes_publish_nothing() -> None:
    alarm = MetricAlarm(
        500.0, "GreaterThanThreshold", evaluation_periods=1, datapoints_to_alarm=1, period_minutes=5
    )
    for value in (100.0, None, 200.0, 100.0):
        assert alarm.publish(value) is False  # the period is not over
    assert alarm.publish(150.0) is True  # 100 + 200 + 100 + 150 = 550 > 500
    for _ in range(5):
        alarm.publish(None)  # a period with no datapoint at all: AWS/DynamoDB alarms keep their state
    assert list(alarm.datapoints)[-2:] == [550.0, None]
    assert alarm.state == "ALARM"


def test_the_baselines_evaluate_through_the_engines_one_implementation() -> None:
    from ddbflow.engine import alarm_rules

    assert sim_alarm.evaluate_range is alarm_rules.evaluate_range
