"""The engine reaches into moto in one module (ddbflow/engine/moto_hooks.py). If a moto upgrade moves
any of it, these fail loudly instead of the engine silently sleeping in real time."""

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError
from moto.stepfunctions.parser.utils import TMP_THREADS

from ddbflow.engine import Engine
from ddbflow.engine.moto_hooks import json_deepcopy, missing_internals, parse_definition
from ddbflow_lambda.core.target import Target
from helpers import FIXED_START


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


def test_a_wait_until_a_timestamp_counts_from_the_clock() -> None:
    """Scale-up's "Wait Out Cooldown" waits until $.cooldown.until; moto counts from the wall clock, which
    is months away from engine time, so without the patch it never waits (or waits for months)."""
    start = datetime(2026, 1, 5, 4, 4, tzinfo=UTC)
    definition = {
        "StartAt": "Wait Until",
        "States": {
            "Wait Until": {"Type": "Wait", "TimestampPath": "$.until", "Next": "Now"},
            "Now": {"Type": "Pass", "Parameters": {"now.$": "$$.State.EnteredTime"}, "End": True},
        },
    }
    with Engine(start=start) as engine:
        engine.machines["probe"] = engine.sfn.create_state_machine(
            name="probe", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/probe"
        )["stateMachineArn"]
        execution = engine.run("probe", {"until": "2026-01-05T04:05:30Z"})
    assert execution.output["now"].startswith("2026-01-05T04:05:30")


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
    with Engine(start=FIXED_START) as engine:
        engine.cloudwatch.put_metric_alarm(**alarm)
        assert engine.alarm(alarm["AlarmName"])["StateValue"] == "INSUFFICIENT_DATA"  # as AWS creates it
        engine.cloudwatch.set_alarm_state(
            AlarmName=alarm["AlarmName"], StateValue="ALARM", StateReason="probe"
        )
        engine.cloudwatch.put_metric_alarm(**{**alarm, "Threshold": 200.0})
        updated = engine.alarm(alarm["AlarmName"])
    assert (updated["StateValue"], updated["Threshold"]) == ("ALARM", 200.0)  # moto alone resets it to OK


def test_each_definition_is_parsed_once_however_many_executions_and_engines() -> None:
    definition = json.dumps(
        {
            "Comment": f"parsed once {uuid.uuid4()}",  # no earlier test can have parsed it
            "StartAt": "Done",
            "States": {"Done": {"Type": "Pass", "Result": {"ok": True}, "End": True}},
        }
    )
    misses = parse_definition.cache_info().misses
    results = []
    for _ in range(2):
        with Engine(start=FIXED_START) as engine:
            engine.machines["probe"] = engine.sfn.create_state_machine(
                name="probe", definition=definition, roleArn="arn:aws:iam::123456789012:role/probe"
            )["stateMachineArn"]
            results += [engine.run("probe", {"n": n}) for n in range(3)]
    assert [r.output for r in results] == [{"ok": True}] * 6
    assert parse_definition.cache_info().misses == misses + 1


def test_an_invalid_definition_is_still_refused_after_a_valid_one_was_parsed() -> None:
    with Engine(start=FIXED_START) as engine, pytest.raises(ClientError) as refused:
        engine.sfn.create_state_machine(
            name="broken",
            definition=json.dumps({"StartAt": "Nowhere", "States": {"Done": {"Type": "Bogus"}}}),
            roleArn="arn:aws:iam::123456789012:role/probe",
        )
    # moto 5.2.5 answers InvalidDefinition with an empty error code and the parser's message
    assert "ASLParserException" in refused.value.response["Error"]["Message"]


def test_a_map_starts_no_more_workers_than_it_has_items() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 10,
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "Double",
                    "States": {
                        "Double": {
                            "Type": "Pass",
                            "Parameters": {"twice.$": "States.MathAdd($, $)"},
                            "OutputPath": "$.twice",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    workers: dict[int, int] = {}  # items → Map workers started for the execution
    with Engine(start=FIXED_START) as engine:
        engine.machines["probe"] = engine.sfn.create_state_machine(
            name="probe", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/probe"
        )["stateMachineArn"]
        for items in ([], [1], [1, 2, 3]):
            before = len(TMP_THREADS)
            result = engine.run("probe", {"items": items})
            started = TMP_THREADS[before:]  # moto keeps every thread it starts
            workers[len(items)] = sum(type(thread).__name__ == "WorkerThread" for thread in started)
            assert (result.status, result.output) == ("SUCCEEDED", [2 * item for item in items])
    # one worker per item, at least one; moto alone starts MaxConcurrency (10) every time
    assert workers == {0: 1, 1: 1, 3: 3}


@pytest.mark.parametrize("when", [datetime(2030, 1, 1, tzinfo=UTC), "2030-01-01T00:00:00Z"])
def test_state_data_copies_are_deep_and_equal(when: Any) -> None:
    data = {"a": [1, {"b": "c", "when": when}], "n": None, "t": (1, [2]), "f": 0.5, "ok": True}
    copied = json_deepcopy(data)
    assert copied == data == copy.deepcopy(data)
    assert [type(v) for v in copied.values()] == [type(v) for v in data.values()]
    copied["a"][1]["b"] = "changed"
    copied["t"][1].append(3)
    assert data["a"][1]["b"] == "c" and data["t"] == (1, [2])


def test_alarm_changes_reach_the_evaluator() -> None:
    with Engine(start=FIXED_START) as engine:
        engine.cloudwatch.put_metric_alarm(**PROBE_ALARM, Threshold=100.0)
        assert [a["Threshold"] for a in engine.alarms.alarms()] == [100.0]
        engine.cloudwatch.put_metric_alarm(**PROBE_ALARM, Threshold=50.0)  # as a handler would
        assert [a["Threshold"] for a in engine.alarms.alarms()] == [50.0]
        engine.cloudwatch.set_alarm_state(AlarmName="probe", StateValue="ALARM", StateReason="test")
        assert [a["StateValue"] for a in engine.alarms.alarms()] == ["ALARM"]
        engine.cloudwatch.delete_alarms(AlarmNames=["probe"])
        assert engine.alarms.alarms() == []


PROBE_ALARM: dict[str, Any] = {
    "AlarmName": "probe",
    "Namespace": "AWS/DynamoDB",
    "MetricName": "ConsumedReadCapacityUnits",
    "Dimensions": [{"Name": "TableName", "Value": "probe"}],
    "Statistic": "Sum",
    "Period": 60,
    "EvaluationPeriods": 2,
    "ComparisonOperator": "GreaterThanThreshold",
}


def test_get_metric_data_sees_its_window_in_or_out_of_time_order() -> None:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    target = Target("probe")
    with Engine(start=start, driven=True) as engine:
        for minute in range(180):
            engine.put_metric(target, "ConsumedReadCapacityUnits", start + timedelta(minutes=minute), minute)
        engine.flush_metrics()
        window = (start + timedelta(minutes=60), start + timedelta(minutes=70))
        assert sums(engine, target, *window) == [float(m) for m in range(60, 70)]
        # a late datapoint for an earlier minute: the list is no longer in time order
        engine.put_metric(target, "ConsumedReadCapacityUnits", start + timedelta(minutes=65), 1000.0)
        engine.flush_metrics()
        assert sums(engine, target, *window) == [float(m) + (1000 if m == 65 else 0) for m in range(60, 70)]
        assert sums(engine, target, start + timedelta(minutes=170), start + timedelta(minutes=200)) == [
            float(m) for m in range(170, 180)
        ]


def sums(engine: Engine, target: Target, start: datetime, end: datetime) -> list[float]:
    query = {
        "Id": "consumed",
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/DynamoDB",
                "MetricName": "ConsumedReadCapacityUnits",
                "Dimensions": target.metric_dimensions(),
            },
            "Period": 60,
            "Stat": "Sum",
        },
    }
    result = engine.cloudwatch.get_metric_data(
        MetricDataQueries=[query], StartTime=start, EndTime=end, ScanBy="TimestampAscending"
    )
    return list(result["MetricDataResults"][0]["Values"])


def test_a_failed_transaction_rolls_back_only_what_it_changed() -> None:
    def item(pk: str, sk: str, value: str) -> dict[str, Any]:
        return {"pk": {"S": pk}, "sk": {"S": sk}, "value": {"S": value}}

    with Engine(start=FIXED_START) as engine:
        table = engine.names["ControlTable"]
        for n in range(50):
            engine.dynamodb.put_item(TableName=table, Item=item("log", f"{n:03d}", "old"))
        engine.dynamodb.put_item(TableName=table, Item=item("lease", "x", "held"))
        with pytest.raises(ClientError, match="TransactionCanceled"):
            engine.dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": item("log", "007", "new")}},
                    {
                        "Update": {
                            "TableName": table,
                            "Key": {"pk": {"S": "log"}, "sk": {"S": "010"}},
                            "UpdateExpression": "SET #v = :v",
                            "ExpressionAttributeNames": {"#v": "value"},
                            "ExpressionAttributeValues": {":v": {"S": "new"}},
                        }
                    },
                    {
                        "ConditionCheck": {
                            "TableName": table,
                            "Key": {"pk": {"S": "lease"}, "sk": {"S": "x"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        values = {
            i["sk"]["S"]: i["value"]["S"]
            for i in engine.dynamodb.query(
                TableName=table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": "log"}},
            )["Items"]
        }
        assert values == {f"{n:03d}": "old" for n in range(50)}
        engine.dynamodb.transact_write_items(
            TransactItems=[{"Put": {"TableName": table, "Item": item("log", "007", "new")}}]
        )
        assert engine.dynamodb.get_item(TableName=table, Key={"pk": {"S": "log"}, "sk": {"S": "007"}})[
            "Item"
        ]["value"] == {"S": "new"}


def test_engine_alarms_follow_the_documented_evaluation_range() -> None:
    # GIVEN a 3-of-3 alarm treating missing data as missing, and one breaching minute
    target, minute = Target("probe"), FIXED_START.replace(second=0)
    with Engine(start=minute) as engine:
        alarm = {**PROBE_ALARM, "EvaluationPeriods": 3, "Threshold": 5.0, "TreatMissingData": "missing"}
        engine.cloudwatch.put_metric_alarm(**alarm)
        engine.put_metric(target, "ConsumedReadCapacityUnits", minute, 10.0)
        engine.flush_metrics()
        # WHEN the range holds that breach then four missing periods ("X - - - -" in the docs' table)
        engine.clock.advance(5 * 60)
        engine.alarms.evaluate()
        # THEN ALARM, as CloudWatch documents (the last three periods alone would say INSUFFICIENT_DATA)
        assert engine.alarm("probe")["StateValue"] == "ALARM"


def test_calls_to_moto_services_skip_the_http_pipeline_and_answer_the_same() -> None:
    """The in-process transport answers through moto's request handling without botocore's send path,
    errors included (a ClientError with the modeled code), and faults still come first."""
    from moto.core.botocore_stubber import BotocoreStubber

    start = datetime(2026, 11, 23, tzinfo=UTC)
    with Engine(start=start) as engine, mock.patch.object(BotocoreStubber, "__call__") as http_path:
        engine.create_table("probe", read=7, write=3)
        described = engine.dynamodb.describe_table(TableName="probe")["Table"]
        with pytest.raises(ClientError) as missing:
            engine.dynamodb.describe_table(TableName="no-such-table")
        alarms = engine.cloudwatch.describe_alarms(AlarmNamePrefix="no-such-alarm")["MetricAlarms"]
    http_path.assert_not_called()
    assert described["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert alarms == []  # CloudWatch too (smithy-rpc-v2-cbor both ways)


def test_s3_objects_go_in_process_and_come_back_as_streams() -> None:
    """S3 through the in-process transport: a second put of the same key (moto refuses an unsigned
    request to overwrite a private key: the transport signs as the client does), a streamed GetObject,
    and a missing key as S3's modeled error."""
    from moto.core.botocore_stubber import BotocoreStubber

    with Engine(start=FIXED_START) as engine, mock.patch.object(BotocoreStubber, "__call__") as http_path:
        bucket = engine.s3.list_buckets()["Buckets"][0]["Name"]
        for body in (b'{"n": 1}', b'{"n": 2}'):
            engine.s3.put_object(Bucket=bucket, Key="probe.json", Body=body, ContentType="application/json")
        got = engine.s3.get_object(Bucket=bucket, Key="probe.json")
        with pytest.raises(ClientError) as missing:
            engine.s3.get_object(Bucket=bucket, Key="no-such-key.json")
    http_path.assert_not_called()
    assert (got["Body"].read(), got["ContentType"]) == (b'{"n": 2}', "application/json")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


def test_task_state_bodies_run_in_the_execution_thread() -> None:
    """moto starts a thread per Task state to wait for its TimeoutSeconds; the engine runs it inline."""
    import threading

    from ddbflow.engine import lambdas

    threads: list[str] = []
    original = lambdas.LambdaRuntime.invoke

    def invoke(self: Any, name: str, event: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(self, name, event)

    with (
        mock.patch.object(lambdas.LambdaRuntime, "invoke", invoke),
        Engine(start=datetime(2026, 11, 23, tzinfo=UTC)) as engine,
    ):
        engine.create_table("orders", read=100, write=100)
        engine.load_config({"defaults": {"min_capacity": 5, "max_capacity": 1000}, "tables": {"orders": {}}})
        execution = engine.run("scale-up", {"table": "orders", "dimension": "read"})
    assert execution.status == "SUCCEEDED"
    assert len(threads) > 3 and len(set(threads)) == 1  # every Task of the execution, one thread
