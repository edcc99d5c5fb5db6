import json
from typing import Any

import pytest

from ddbflow_lambda.alarm_events import check_home, parse_alarm_event, region_code
from ddbflow_lambda.core.errors import ForeignAlarm, MalformedEvent, UnsupportedMetric
from helpers import load_event

NOW = "2026-11-23T10:02:05+00:00"


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("alarm-eventbridge.json", ("orders", None, "write", "ALARM", "eventbridge")),
        ("alarm-ok.json", ("orders", None, "write", "OK", "eventbridge")),
        ("alarm-gsi.json", ("orders", "by-customer", "read", "ALARM", "eventbridge")),
        ("alarm-sns.json", ("orders", None, "read", "ALARM", "sns")),
        ("manual-scale-up.json", ("orders", None, "read", "ALARM", "manual")),
    ],
)
def test_every_sample_normalizes(sample: str, expected: tuple[Any, ...]) -> None:
    signal = parse_alarm_event(load_event(sample), NOW)
    assert (signal.table, signal.index, signal.dimension, signal.state, signal.source) == expected


def test_sns_region_display_name_maps_to_the_region_code() -> None:
    assert region_code("Asia Pacific - Tokyo") == "ap-northeast-1"
    assert region_code("US East - N. Virginia") == "us-east-1"
    assert region_code("EU (Ireland)") == "eu-west-1"
    assert region_code("Atlantis") is None


def test_sns_region_is_read_from_the_display_name_when_there_is_no_alarm_arn() -> None:
    event = load_event("alarm-sns.json")
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    del message["AlarmArn"]
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    assert parse_alarm_event(event, NOW).region == "ap-northeast-1"


def _eventbridge(**changes: Any) -> dict[str, Any]:
    event = load_event("alarm-eventbridge.json")
    metric = event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]
    metric.update(changes)
    return event


@pytest.mark.parametrize(
    ("event", "error", "says"),
    [
        ("not an object", MalformedEvent, "expected a JSON object"),
        ({}, MalformedEvent, "not an alarm event"),
        ({"source": "aws.s3", "detail-type": "Object Created"}, MalformedEvent, "unsupported event"),
        ({"table": "orders", "dimension": "sideways"}, MalformedEvent, "dimension must be 'read' or 'write'"),
        ({"table": "x", "dimension": "read"}, MalformedEvent, "table must be a DynamoDB name"),
        ({"table": 42, "dimension": "read"}, MalformedEvent, "got 42"),
        (_eventbridge(dimensions={}), MalformedEvent, "TableName dimension"),
        (
            _eventbridge(name="CPUUtilization", namespace="AWS/EC2"),
            UnsupportedMetric,
            "AWS/EC2/CPUUtilization",
        ),
        (_eventbridge(name="SuccessfulRequestLatency"), UnsupportedMetric, "SuccessfulRequestLatency"),
        ({"Records": []}, MalformedEvent, "expected one SNS record"),
        ({"Records": [{"Sns": {"Message": "{not json"}}]}, MalformedEvent, "not CloudWatch alarm JSON"),
    ],
)
def test_bad_input_gets_a_named_error(event: Any, error: type[Exception], says: str) -> None:
    with pytest.raises(error) as raised:
        parse_alarm_event(event, NOW)
    assert says in str(raised.value)


def test_composite_alarm_is_unsupported() -> None:
    event = load_event("alarm-eventbridge.json")
    event["detail"]["configuration"] = {"alarmRule": "ALARM(a) OR ALARM(b)"}
    with pytest.raises(UnsupportedMetric, match="composite"):
        parse_alarm_event(event, NOW)


def test_unknown_state_is_malformed() -> None:
    event = load_event("alarm-eventbridge.json")
    event["detail"]["state"]["value"] = "PANIC"
    with pytest.raises(MalformedEvent, match="PANIC"):
        parse_alarm_event(event, NOW)


def test_alarm_from_another_region_or_account_is_foreign() -> None:
    signal = parse_alarm_event(load_event("alarm-eventbridge.json"), NOW)
    check_home(signal, "ap-northeast-1", "123456789012")
    with pytest.raises(ForeignAlarm, match="region ap-northeast-1, not eu-west-1"):
        check_home(signal, "eu-west-1", "123456789012")
    with pytest.raises(ForeignAlarm, match="account"):
        check_home(signal, "ap-northeast-1", "999999999999")


@pytest.mark.parametrize(
    ("alarm_name", "metric", "trigger"),
    [
        ("ddbflow-orders::write-high", "ConsumedWriteCapacityUnits", "utilization"),
        ("ddbflow-orders::write-burst", "ConsumedWriteCapacityUnits", "burst"),
        ("ddbflow-orders::write-low", "ConsumedWriteCapacityUnits", "low"),
        ("ddbflow-orders::write-throttled", "WriteThrottleEvents", "throttle"),
        ("my-own-alarm", "ConsumedWriteCapacityUnits", "utilization"),
        ("my-own-alarm", "WriteThrottleEvents", "throttle"),
    ],
)
def test_the_trigger_names_the_rule_of_a_ddbflow_alarm(alarm_name: str, metric: str, trigger: str) -> None:
    event = _eventbridge(name=metric)
    event["detail"]["alarmName"] = alarm_name
    assert parse_alarm_event(event, NOW).trigger == trigger
