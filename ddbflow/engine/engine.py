"""The embedded engine: moto in-process executing the real ASL files with the real handlers, plus what
moto lacks (a virtual clock, table UPDATING time, alarm evaluation), all wired from template.yaml."""

import json
import os
import re
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import botocore
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.utils import parse_timestamp
from moto import mock_aws

from ddbflow_lambda import aws as handler_aws
from ddbflow_lambda import observability as handler_observability
from ddbflow_lambda.core.alarms import target_alarms
from ddbflow_lambda.core.config import managed_targets, validate_config
from ddbflow_lambda.core.control_keys import CONFIG_KEY
from ddbflow_lambda.core.naming import execution_name
from ddbflow_lambda.core.table import throughput_state
from ddbflow_lambda.core.target import CONSUMED_METRIC, THROTTLE_METRIC, Dimension, Target

from .alarms import AlarmEvaluator, MetricStore, floor_to_period
from .clock import VirtualClock
from .dynamodb_model import DynamoDBModel
from .faults import Faults
from .lambdas import LambdaRuntime
from .moto_hooks import direct_transport, patched_moto, publish_service_metrics, rule_targets
from .quotas import Usage
from .schedules import Scheduler
from .streams import Delivery, Streams
from .template import Resolver, Template

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass(frozen=True)
class Flow:
    """Traffic on one target and dimension, in capacity units (and throttled requests) per second."""

    target: Target
    dimension: Dimension
    consumed_per_second: float
    throttled_per_second: float = 0.0


@dataclass
class Execution:
    arn: str
    name: str
    status: str
    input: Any
    output: Any
    error: str | None
    cause: str | None
    events: list[dict[str, Any]] = field(repr=False)
    machine_arn: str = ""

    @property
    def states_entered(self) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.events if "stateEnteredEventDetails" in e]


def read_execution(sfn: Any, arn: str, described: dict[str, Any] | None = None) -> Execution:
    """An execution and its whole history from any Step Functions endpoint (the engine's, the local
    server's or AWS's)."""
    described = described or sfn.describe_execution(executionArn=arn)
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
    return Execution(
        arn=arn,
        name=described["name"],
        status=described["status"],
        input=json.loads(described.get("input") or "null"),
        output=json.loads(described["output"]) if described.get("output") else None,
        error=described.get("error"),
        cause=described.get("cause"),
        events=[event for page in pages for event in page["events"]],
        machine_arn=described.get("stateMachineArn", ""),
    )


def unsigned(**_: Any) -> Any:
    return botocore.UNSIGNED


def utc_timestamp(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return parse_timestamp(value)


def _plain_number(value: Any) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serializable: {value!r}")


def bucket_name(logical_id: str) -> str:
    """ScaleDownBucket → ddbflow-scaledownbucket: S3 names are lower case (CloudFormation would generate
    <stack>-scaledownbucket-<random>)."""
    return f"ddbflow-{logical_id.lower()}"


def lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle rule in the S3 API's shape (only the fields template.yaml uses)."""
    api: dict[str, Any] = {
        "ID": rule["Id"],
        "Status": rule["Status"],
        "Filter": {"Prefix": rule.get("Prefix", "")},
    }
    if "ExpirationInDays" in rule:
        api["Expiration"] = {"Days": rule["ExpirationInDays"]}
    if abort := rule.get("AbortIncompleteMultipartUpload"):
        api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": abort["DaysAfterInitiation"]}
    return api


def machine_key(logical_id: str) -> str:
    """ScaleUpStateMachine → scale-up: the name users type."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", logical_id.removesuffix("StateMachine")).lower()


class Engine:
    def __init__(
        self,
        root: Path = PROJECT_ROOT,
        *,
        start: datetime | None = None,
        updating_seconds: float = 20.0,
        region: str = "ap-northeast-1",
        log_level: str = "WARNING",
        driven: bool = False,
        parameters: dict[str, str] | None = None,
    ) -> None:
        """``driven``: engine time moves only when the caller drives it (``run_until``), never on its
        own — the simulator's mode; sleeping executions then wake one at a time, in order.
        ``parameters``: template parameters deployed instead of their defaults."""
        self.root, self.region = root, region
        self.clock = VirtualClock(start, auto_advance=not driven)
        self.metrics = MetricStore()
        self.dynamodb_model = DynamoDBModel(self.clock, updating_seconds)
        self.template = Template.load(root)
        self.log_level = log_level
        # Ref of a state machine is its ARN, of a queue its URL (set when created), else the logical id.
        self.names = (
            {logical: logical for logical in self.template.resources}
            | {
                logical: f"arn:aws:states:{region}:{ACCOUNT}:stateMachine:{logical}"
                for logical in self.template.state_machines
            }
            | {logical: bucket_name(logical) for logical in self.template.of_type("AWS::S3::Bucket")}
        )
        self.attributes: dict[tuple[str, str], str] = {
            (logical, "Arn"): f"arn:aws:lambda:{region}:{ACCOUNT}:function:{logical}"
            for logical in self.template.functions
        } | {(logical, "Name"): logical for logical in self.template.state_machines}
        self.resolve = Resolver(self.template, region, ACCOUNT, self.names, self.attributes, parameters)
        self.lambdas = LambdaRuntime(
            self.template.functions, lambda name: self.attributes[(name, "Arn")], self.clock
        )
        # With POWERTOOLS_METRICS_DISABLED, Powertools still collects every metric and prints them as EMF
        # JSON each 100 values (3.37.0): on a long simulation, lines in the middle of `simulate --json`.
        self.lambdas.after_invoke = handler_observability.metrics.clear_metrics
        self.machines: dict[str, str] = {}  # "scale-up" → state machine ARN
        self.ttl_attributes: dict[str, str] = {}  # table name → its TTL attribute
        self._stack = ExitStack()
        self._flushing = threading.local()  # this thread is sending the engine's own datapoints
        self.usage = Usage()  # the largest payload, and each Distributed Map run's children

    # -- lifecycle -----------------------------------------------------------------------------------

    def __enter__(self) -> "Engine":
        stack = self._stack
        stack.enter_context(mock.patch.dict(os.environ, self._environment()))
        # The handlers' logger may exist already (created on import, with the level of that moment).
        handler_observability.logger.setLevel(self.log_level)
        stack.enter_context(mock_aws(config={"stepfunctions": {"execute_state_machine": True}}))
        stack.enter_context(
            patched_moto(
                self.clock,
                self.dynamodb_model,
                alarms_changed=self._alarms_changed,
                execution_starting=self.flush_metrics,
                metric_data_put=self._metric_data_put,
                usage=self.usage,
            )
        )
        # mock_aws replaces boto3's default session; hook Lambda invokes on the one it now uses.
        boto3.setup_default_session(region_name=self.region)
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("before-call.lambda.Invoke", self.lambdas.on_before_call)
        # The handlers' clients must come from this session, where the hooks are.
        handler_aws.client.cache_clear()
        handler_aws.dynamodb_table.cache_clear()
        # moto checks no signatures: skip SigV4 signing (~0.5 ms a call) for clients made from here on.
        boto3.DEFAULT_SESSION.events.register("choose-signer", unsigned)
        # Epoch timestamps in responses become UTC datetimes, as on Lambda (whose local zone is UTC);
        # botocore's default builds a dateutil tzlocal per value (~30 µs; 120 per GetMetricData).
        parser_factory = boto3.DEFAULT_SESSION._session.get_component("response_parser_factory")
        parser_factory.set_parser_defaults(timestamp_parser=utc_timestamp)
        # Calls to moto's services skip botocore's HTTP pipeline (see moto_hooks.direct_transport): on
        # every client made from here on, after any other before-call handler (the faults).
        boto3.DEFAULT_SESSION.events.register_last("before-call", direct_transport(parser_factory))
        self.dynamodb, self.cloudwatch, self.sfn, self.events, self.sqs, self.s3 = (
            boto3.client(s, region_name=self.region)
            for s in ("dynamodb", "cloudwatch", "stepfunctions", "events", "sqs", "s3")
        )
        self.faults = Faults(self.lambdas, self.dynamodb)
        boto3.DEFAULT_SESSION.events.register("before-call", self.faults.on_before_call)
        self.alarms = AlarmEvaluator(self.clock, self.cloudwatch, self.region, ACCOUNT, self.metrics)
        self._deploy()
        self.streams = Streams.from_template(
            self.template, clock=self.clock, dynamodb=self.dynamodb, sqs=self.sqs, invoke=self.lambdas.invoke,
            resolve=self.resolve,
        )  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        # Executions run in moto's threads: let them end while the engine is still here, or a straggler
        # would write into the next engine's fresh backends.
        try:
            self.settle()
        finally:
            self._stack.close()

    def _metric_data_put(self, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        """Datapoints someone else put into CloudWatch (the AWS CLI against `ddbflow serve`) count for
        the alarms too; the engine's own batches are in its MetricStore already."""
        if getattr(self._flushing, "active", False):
            return
        for datum in metric_data:
            if "Value" not in datum:
                continue  # Values/StatisticValues: DynamoDB publishes single values
            stamp = datum.get("Timestamp")
            at = utc_timestamp(stamp) if stamp else self.clock.now()
            dimensions = [{"Name": d["Name"], "Value": d["Value"]} for d in datum.get("Dimensions", [])]
            self.metrics.record(namespace, datum["MetricName"], dimensions, at, float(datum["Value"]))

    def _alarms_changed(self) -> None:
        if hasattr(self, "alarms"):
            self.alarms.alarms_changed()

    def _environment(self) -> dict[str, str]:
        env = {
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": self.log_level,
        }
        # One process serves every function, so their variables share one environment: refuse a clash.
        for function in self.template.functions.values():
            for key, value in function.environment.items():
                resolved = str(self.resolve(value))
                if env.setdefault(key, resolved) != resolved:
                    raise ValueError(f"{function.logical_id}: {key} differs between functions; name it apart")
        return env

    def _deploy(self) -> None:
        for logical_id in self.template.of_type("AWS::DynamoDB::Table"):
            self._create_table(logical_id, self.template.properties(logical_id))
        for logical_id in self.template.of_type("AWS::S3::Bucket"):
            self._create_bucket(logical_id)
        for logical_id in self.template.of_type("AWS::SQS::Queue"):
            url = self.sqs.create_queue(QueueName=logical_id)["QueueUrl"]
            self.names[logical_id] = url
            self.attributes[(logical_id, "QueueName")] = logical_id
            self.attributes[(logical_id, "Arn")] = f"arn:aws:sqs:{self.region}:{ACCOUNT}:{logical_id}"
        for logical_id, machine in self.template.state_machines.items():
            arn = self.sfn.create_state_machine(
                name=logical_id,
                definition=self.template.definition(machine, self.resolve),
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/{logical_id}Role",
            )["stateMachineArn"]
            self.machines[machine_key(logical_id)] = arn
            for number, pattern in enumerate(machine.event_patterns):
                rule = f"{logical_id}Rule{number}"
                self.events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
                self.events.put_targets(Rule=rule, Targets=[{"Id": logical_id, "Arn": arn}])
            for number, expression in enumerate(machine.schedules):
                rule = f"{logical_id}Schedule{number}"
                self.events.put_rule(Name=rule, ScheduleExpression=str(self.resolve(expression)))
                self.events.put_targets(Rule=rule, Targets=[{"Id": logical_id, "Arn": arn}])

    def _create_bucket(self, logical_id: str) -> None:
        """An S3 bucket as template.yaml declares it (moto keeps its encryption and lifecycle rules)."""
        props, name = self.template.properties(logical_id), self.names[logical_id]
        self.s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        self.attributes[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
        if encryption := props.get("BucketEncryption"):
            rules = [  # CloudFormation's ServerSideEncryptionByDefault is the API's Apply…
                {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                for rule in encryption["ServerSideEncryptionConfiguration"]
            ]
            self.s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if lifecycle := props.get("LifecycleConfiguration"):
            rules = [lifecycle_rule(rule) for rule in lifecycle["Rules"]]
            self.s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})

    def _create_table(self, logical_id: str, props: dict[str, Any]) -> None:
        """A DynamoDB table as template.yaml declares it, with its stream and TTL."""
        stream = props.get("StreamSpecification")
        description = self.dynamodb.create_table(
            TableName=self.names[logical_id],
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            BillingMode=props.get("BillingMode", "PROVISIONED"),
            **({"StreamSpecification": {"StreamEnabled": True, **stream}} if stream else {}),
        )["TableDescription"]
        if stream:
            self.attributes[(logical_id, "StreamArn")] = description["LatestStreamArn"]
        if ttl := props.get("TimeToLiveSpecification"):
            self.dynamodb.update_time_to_live(TableName=self.names[logical_id], TimeToLiveSpecification=ttl)
            self.ttl_attributes[self.names[logical_id]] = ttl["AttributeName"]

    # -- the managed world ---------------------------------------------------------------------------

    def load_config(self, config: dict[str, Any]) -> None:
        validate_config(config)
        self.dynamodb.put_item(
            TableName=self.names["ControlTable"],
            Item={
                "pk": {"S": CONFIG_KEY["pk"]},
                "sk": {"S": CONFIG_KEY["sk"]},
                "document": {"S": json.dumps(config)},
            },
        )
        self.config = config

    def create_table(
        self, name: str, read: int, write: int, indexes: dict[str, tuple[int, int]] | None = None
    ) -> None:
        """A provisioned table keyed on 'pk', with GSIs keyed on 'gsi_<index>' (capacities read, write)."""
        indexes = indexes or {}
        gsis = [
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": f"gsi_{index}", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": r, "WriteCapacityUnits": w},
            }
            for index, (r, w) in indexes.items()
        ]
        attributes = [{"AttributeName": "pk", "AttributeType": "S"}] + [
            {"AttributeName": f"gsi_{index}", "AttributeType": "S"} for index in indexes
        ]
        self.dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=attributes,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write},
            **({"GlobalSecondaryIndexes": gsis} if gsis else {}),
        )

    def put_item(self, table: str, item: dict[str, Any]) -> None:
        """Write a plain-JSON item (numbers become DynamoDB Numbers)."""
        serialize = TypeSerializer().serialize
        plain = json.loads(json.dumps(item), parse_float=Decimal)
        self.dynamodb.put_item(TableName=table, Item={k: serialize(v) for k, v in plain.items()})

    def get_plain(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """An item as plain JSON (Numbers as int or float), or None."""
        serialize, deserialize = TypeSerializer().serialize, TypeDeserializer().deserialize
        item = self.dynamodb.get_item(TableName=table, Key={k: serialize(v) for k, v in key.items()}).get(
            "Item"
        )
        if item is None:
            return None
        return dict(
            json.loads(json.dumps({k: deserialize(v) for k, v in item.items()}, default=_plain_number))
        )

    def capacity(self, target: Target) -> dict[str, Any]:
        return throughput_state(self.dynamodb.describe_table(TableName=target.table)["Table"], target)

    def put_alarms(self) -> list[str]:
        """Create the scale-up alarm of every managed target and dimension at its current capacity."""
        names = []
        for target in managed_targets(self.config):
            for definition in target_alarms(self.config, target, self.capacity(target), []):
                self.cloudwatch.put_metric_alarm(**definition)
                names.append(definition["AlarmName"])
        return names

    def alarm(self, name: str) -> dict[str, Any]:
        return dict(self.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0])

    # -- traffic and time ----------------------------------------------------------------------------

    def publish(self, flows: list[Flow], *, minutes: int = 1, evaluate: bool = True) -> list[str]:
        """Publish per-minute Sums of every flow as DynamoDB does, advancing the clock a minute at a time
        and evaluating alarms after each minute; return the executions started. The datapoints reach
        moto's CloudWatch before any execution starts or runs on (or on ``flush_metrics``)."""
        started = []
        for _ in range(minutes):
            # DynamoDB stamps each one-minute Sum at the start of its minute.
            stamp = floor_to_period(self.clock.now(), 60)
            for flow in flows:
                for metric, per_second in (
                    (CONSUMED_METRIC[flow.dimension], flow.consumed_per_second),
                    (THROTTLE_METRIC[flow.dimension], flow.throttled_per_second),
                ):
                    self.put_metric(flow.target, metric, stamp, per_second * 60)
            self.clock.advance(60)
            if evaluate:
                started += self.evaluate_alarms()
        return started

    def put_metric(self, target: Target, metric: str, at: datetime, value: float) -> None:
        """One AWS/DynamoDB datapoint (Count) of a table or GSI, as DynamoDB publishes it."""
        datum = {
            "MetricName": metric,
            "Dimensions": target.metric_dimensions(),
            "Timestamp": at,
            "Value": value,
            "Unit": "Count",
        }
        self.metrics.add("AWS/DynamoDB", datum)

    def flush_metrics(self) -> None:
        """Send the datapoints published since the last flush to moto's CloudWatch."""
        self._flushing.active = True
        try:
            for namespace, data in self.metrics.drain().items():
                publish_service_metrics(ACCOUNT, self.region, namespace, data)
        finally:
            self._flushing.active = False

    def evaluate_alarms(self) -> list[str]:
        """Evaluate every alarm now; return the executions their state changes started."""
        return [arn for event in self.alarms.evaluate() for arn in self.route(event)]

    def route(self, event: dict[str, Any]) -> list[str]:
        """Deliver an event to every machine whose EventBridge rule matches it, as the rule target would
        (named after the alarm and its state-change time, so a duplicate delivery starts nothing new)."""
        name = execution_name(event["detail"]["alarmName"], event["detail"]["state"]["timestamp"])
        return [self._start_once(arn, name, event) for arn in rule_targets(ACCOUNT, self.region, event)]

    def scheduler(self) -> Scheduler:
        """The template's schedule rules, due one period from now in engine time (moto never fires them);
        call ``fire_due`` as time passes."""
        return Scheduler(self.events, self._start_once, self.clock.now(), self.region, ACCOUNT)

    def step(self, seconds: float = 60.0) -> list[Delivery]:
        """Let engine time pass: the TTL process deletes what expired, the streams deliver, and the
        executions that starts run to their end."""
        self.clock.advance(seconds)
        self.streams.sweep_ttl(self.ttl_attributes)
        deliveries = self.streams.pump()
        self.settle()
        return deliveries

    def execution_arns(self) -> set[str]:
        """Every execution of every machine, running or finished."""
        return {
            e["executionArn"]
            for arn in self.machines.values()
            for page in self.sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
            for e in page["executions"]
        }

    def run_until(self, moment: datetime, *, including: bool = True) -> None:
        """Driven engine: let engine time run to ``moment`` — sleeping executions wake in order and run
        on — and stop the clock there (``including``: wake-ups at ``moment`` itself run too, and the
        clock then stands at ``moment``; otherwise at the last wake-up before it)."""
        if self.clock.running:
            self.flush_metrics()
        self.clock.drive(moment, including=including)

    def settle(self) -> list[Execution]:
        """Wait for every running execution of every machine."""
        if not self.clock.auto_advance:
            self.flush_metrics()
            self.clock.drive(None)
        running = [
            e["executionArn"]
            for arn in self.machines.values()
            for e in self.sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
        ]
        return [self.wait(arn) for arn in running]

    # -- executions ----------------------------------------------------------------------------------

    def start(self, machine: str, payload: Any, name: str | None = None) -> str:
        arn = self.machines[machine]
        name = name or execution_name(machine, self.clock.now().isoformat(), str(time.monotonic_ns()))
        return self._start_once(arn, name, payload)

    def _start_once(self, machine_arn: str, name: str, payload: Any) -> str:
        try:
            arn = str(
                self.sfn.start_execution(stateMachineArn=machine_arn, name=name, input=json.dumps(payload))[
                    "executionArn"
                ]
            )
        except self.sfn.exceptions.ExecutionAlreadyExists:
            return f"{machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
        if not self.clock.auto_advance:
            self.clock.idle()  # one execution thread at a time: the next one starts when this one sleeps
        return arn

    def wait(self, arn: str, timeout: float = 120.0) -> Execution:
        """The finished execution; on a driven engine, engine time runs until every execution is done."""
        if not self.clock.auto_advance:
            self.flush_metrics()
            self.clock.drive(None, timeout=timeout)
        # ``timeout``: wall seconds without progress (no execution event, handler or wake-up), so a hung
        # run stops while a long one (1,000 tables on a loaded machine) may take what it needs.
        # It blocks until some execution finishes (not polling: 13 % of a 300-target run's CPU went to
        # describing it every 10 ms); the short timeout is a safety net for a status set some other way.
        waiting, finished = time.monotonic(), self.clock.finished
        while (described := self.sfn.describe_execution(executionArn=arn))["status"] not in FINISHED:
            if time.monotonic() - max(waiting, self.clock.last_activity) > timeout:
                raise TimeoutError(
                    f"{arn} still {described['status']}, no progress for {timeout} s wall time"
                )
            finished = self.clock.wait_for_finish(finished, min(0.5, timeout))
        return read_execution(self.sfn, arn, described)

    def run(self, machine: str, payload: Any, name: str | None = None, timeout: float = 120.0) -> Execution:
        return self.wait(self.start(machine, payload, name), timeout)
