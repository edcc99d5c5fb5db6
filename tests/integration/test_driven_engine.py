"""A driven engine (the simulator's mode): engine time moves only when the driver says so, sleepers wake
in order; alarms evaluate from the datapoints the engine published, which are the ones moto holds."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from ddbflow.engine import Engine
from ddbflow_lambda.core.target import Target

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def waiting_machine(engine: Engine, seconds: int) -> None:
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
            "Done": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True},
        },
    }
    engine.machines[f"wait-{seconds}"] = engine.sfn.create_state_machine(
        name=f"wait-{seconds}", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/w"
    )["stateMachineArn"]


def status(engine: Engine, arn: str) -> str:
    return str(engine.sfn.describe_execution(executionArn=arn)["status"])


def test_time_moves_only_when_driven_and_sleepers_wake_in_order() -> None:
    with Engine(start=START, driven=True) as engine:
        waiting_machine(engine, 20)
        waiting_machine(engine, 10)
        slow = engine.start("wait-20", {}, name="slow")
        fast = engine.start("wait-10", {}, name="fast")
        assert engine.clock.now() == START and engine.clock.running == 2
        engine.run_until(START + timedelta(seconds=15))
        assert (status(engine, fast), status(engine, slow)) == ("SUCCEEDED", "RUNNING")
        assert engine.clock.now() == START + timedelta(seconds=15)
        engine.run_until(START + timedelta(seconds=20), including=False)  # a wake-up at 20 s is not due
        assert status(engine, slow) == "RUNNING"
        engine.run_until(START + timedelta(seconds=20))
        outputs = [engine.wait(arn).output["at"] for arn in (fast, slow)]
    assert [o[:19] for o in outputs] == ["2026-11-23T01:00:10", "2026-11-23T01:00:20"]


def test_only_a_driven_clock_can_be_driven() -> None:
    with Engine(start=START) as engine, pytest.raises(RuntimeError):
        engine.clock.drive(START)


@pytest.mark.parametrize("period", [60, 180])
@pytest.mark.parametrize("statistic", ["Sum", "Average", "Maximum", "SampleCount"])
def test_alarm_datapoints_are_what_cloudwatch_returns(period: int, statistic: str) -> None:
    target = Target("probe")
    with Engine(start=START, driven=True) as engine:
        for second, value in [
            (0, 5.0),
            (30, 7.0),
            (61, 11.0),
            (130, 2.0),
            (200, 40.0),
            (359, 1.0),
            (400, 3.0),
        ]:
            engine.put_metric(target, "ConsumedReadCapacityUnits", START + timedelta(seconds=second), value)
        engine.flush_metrics()
        engine.run_until(START + timedelta(seconds=540))
        alarm = {
            "Namespace": "AWS/DynamoDB",
            "MetricName": "ConsumedReadCapacityUnits",
            "Dimensions": target.metric_dimensions(),
            "Statistic": statistic,
            "Period": period,
            "EvaluationPeriods": 540 // period,
        }
        first, values = engine.alarms.datapoints(alarm)
        points = engine.cloudwatch.get_metric_statistics(
            Namespace="AWS/DynamoDB",
            MetricName="ConsumedReadCapacityUnits",
            Dimensions=target.metric_dimensions(),
            StartTime=first,
            EndTime=START + timedelta(seconds=540),
            Period=period,
            Statistics=[statistic],
        )["Datapoints"]
    by_time = {p["Timestamp"]: p[statistic] for p in points}
    expected = [by_time.get(first + timedelta(seconds=period * i)) for i in range(len(values))]
    assert values == expected
    assert any(v is not None for v in values)
