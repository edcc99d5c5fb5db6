"""Alarm evaluation against the CloudWatch docs' tables ("How alarm state is evaluated when data is
missing"): 5 most recent datapoints retrieved; 0 = not breaching, X = breaching, - = missing."""

import pytest

from ddbflow.sim.alarm import MetricAlarm, evaluate_range

VALUE = {"0": 0.0, "X": 10.0, "-": None}  # threshold 5, GreaterThanThreshold
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
KEEP = "keep"  # "Retain current state"

THREE_OF_THREE = [
    ("0 - X - X", ("OK", "OK", "OK", "OK")),
    ("0 - - - -", ("OK", "OK", "OK", "OK")),
    ("- - - - -", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
    ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - - - X", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
    ("X - - - -", ("ALARM", KEEP, "ALARM", "OK")),
]
TWO_OF_THREE = [
    ("0 - X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 0 X 0 X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 - X - -", ("OK", "OK", "ALARM", "OK")),
    ("- - - - 0", ("OK", "OK", "ALARM", "OK")),
    ("- - - - X", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
]


def cases(m: int, table: list[tuple[str, tuple[str, ...]]]) -> list[tuple[int, str, str, str]]:
    return [
        (m, row, treat, state)
        for row, states in table
        for treat, state in zip(TREATMENTS, states, strict=True)
    ]


@pytest.mark.parametrize(("m", "row", "treat", "expected"), cases(3, THREE_OF_THREE) + cases(2, TWO_OF_THREE))
@pytest.mark.parametrize("current", ["OK", "ALARM"])
def test_the_documented_tables(m: int, row: str, treat: str, expected: str, current: str) -> None:
    datapoints = [VALUE[c] for c in row.split()]
    state = evaluate_range(datapoints, 3, m, 5.0, "GreaterThanThreshold", treat, current)
    assert state == (current if expected == KEEP else expected)


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
