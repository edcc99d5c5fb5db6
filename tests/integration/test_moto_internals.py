"""The engine reaches into moto in one module (ddbflow/engine/moto_hooks.py). If a moto upgrade moves
any of it, these fail loudly instead of the engine silently sleeping in real time."""

import json
from datetime import UTC, datetime

from ddbflow.engine import Engine
from ddbflow.engine.moto_hooks import missing_internals


def test_every_patched_moto_internal_still_exists() -> None:
    assert missing_internals() == []


def test_wait_and_retry_follow_the_virtual_clock() -> None:
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    definition = {
        "StartAt": "Wait An Hour",
        "States": {
            "Wait An Hour": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    with Engine(start=start) as engine:
        arn = engine.sfn.create_state_machine(
            name="probe", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/probe"
        )["stateMachineArn"]
        engine.machines["probe"] = arn
        execution = engine.run("probe", {})
    assert execution.status == "SUCCEEDED"
    stamps = [event["timestamp"] for event in execution.events]
    assert (stamps[-1] - stamps[0]).total_seconds() >= 3600  # history in engine time
    assert engine.clock.now() >= start.replace(hour=2)


def test_entered_time_comes_from_the_clock() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    definition = {
        "StartAt": "Now",
        "States": {"Now": {"Type": "Pass", "Parameters": {"now.$": "$$.State.EnteredTime"}, "End": True}},
    }
    with Engine(start=start) as engine:
        engine.machines["probe"] = engine.sfn.create_state_machine(
            name="probe", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/probe"
        )["stateMachineArn"]
        execution = engine.run("probe", {})
    assert execution.output["now"].startswith("2030-01-01T00:00")


def test_alarms_start_insufficient_data_and_keep_their_state_when_updated() -> None:
    alarm = {
        "AlarmName": "ddbflow-probe::read-high",
        "Namespace": "AWS/DynamoDB",
        "MetricName": "ConsumedReadCapacityUnits",
        "Statistic": "Sum",
        "Period": 60,
        "EvaluationPeriods": 2,
        "Threshold": 100.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    with Engine() as engine:
        engine.cloudwatch.put_metric_alarm(**alarm)
        assert engine.alarm(alarm["AlarmName"])["StateValue"] == "INSUFFICIENT_DATA"  # as AWS creates it
        engine.cloudwatch.set_alarm_state(
            AlarmName=alarm["AlarmName"], StateValue="ALARM", StateReason="probe"
        )
        engine.cloudwatch.put_metric_alarm(**{**alarm, "Threshold": 200.0})
        updated = engine.alarm(alarm["AlarmName"])
    assert (updated["StateValue"], updated["Threshold"]) == ("ALARM", 200.0)  # moto alone resets it to OK
