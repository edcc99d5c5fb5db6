"""Every place the engine reaches into moto's internals, in one module.

moto 5.2.5 executes ASL but sleeps in real time, never changes a table's status, has no decrease limits,
does not implement TestEventPattern and cannot be reached through botocore's DynamoDB Streams client. The
patches and readers below add exactly that; ``tests/integration/test_moto_internals.py`` fails loudly if a
moto upgrade moves any of them.
"""

import datetime as _datetime
import inspect
import types
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.cloudwatch.models import CloudWatchBackend
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import StreamShard, Table
from moto.events.models import EventPattern
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state import state as asl_state
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from .clock import VirtualClock

INTERNALS: dict[str, tuple[Any, str]] = {
    "Wait state interval": (WaitFunction, "_wait_interval"),
    "Retry interval sleep": (retrier_decl, "time"),
    "history event timestamps": (EventManager, "_get_current_timestamp"),
    "$$.State.EnteredTime": (asl_state, "datetime"),
    "DynamoDB UpdateTable": (DynamoDBBackend, "update_table"),
    "DynamoDB table description": (Table, "describe"),
    "EventBridge pattern matching": (EventPattern, "matches_event"),
    "DynamoDB stream shard": (StreamShard, "add"),
    "execution start": (ExecutionWorker, "start"),
    "execution thread body": (ExecutionWorker, "_execution_logic"),
    "CloudWatch PutMetricAlarm": (CloudWatchBackend, "put_metric_alarm"),
    "StartExecution without a name": (StepFunctionsParserBackend, "start_execution"),
}


def missing_internals() -> list[str]:
    return [
        f"{what}: {owner.__name__}.{name}"
        for what, (owner, name) in INTERNALS.items()
        if not hasattr(owner, name)
    ]


def event_matches(pattern: str, event: dict[str, Any]) -> bool:
    """EventBridge pattern matching (moto implements it for rules, but not the TestEventPattern API)."""
    return bool(EventPattern.load(pattern).matches_event(event))  # type: ignore[arg-type]


def stream_records(account: str, region: str, table_name: str, start: int) -> list[dict[str, Any]]:
    """A table's stream records from position ``start`` on. Measured with botocore 1.44.5: the DynamoDB
    Streams client signs as "dynamodb", moto routes the call to DynamoDB and answers 404: hence the
    backend."""
    shard = dynamodb_backends[account][region].get_table(table_name).stream_shard
    return [dict(item.record) for item in (shard.items[start:] if shard else [])]


class ThroughputHooks:
    """What the engine's DynamoDB model implements; see ddbflow.engine.dynamodb_model."""

    def before_update(self, table: Table, request: dict[str, Any]) -> None: ...
    def after_update(self, table: Table, before: dict[str | None, Any]) -> None: ...
    def decorate(self, table: Table, description: dict[str, Any]) -> None: ...


@contextmanager
def patched_moto(clock: VirtualClock, dynamodb: ThroughputHooks) -> Iterator[None]:
    with ExitStack() as stack:
        for target, attribute, replacement in _patches(clock, dynamodb):
            stack.enter_context(mock.patch.object(target, attribute, replacement))
        yield


def _patches(clock: VirtualClock, dynamodb: ThroughputHooks) -> list[tuple[Any, str, Any]]:
    original_update: Callable[..., Table] = DynamoDBBackend.update_table
    update_signature = inspect.signature(original_update)
    original_describe: Callable[..., dict[str, Any]] = Table.describe
    original_start: Callable[[ExecutionWorker], None] = ExecutionWorker.start
    original_logic: Callable[[ExecutionWorker], None] = ExecutionWorker._execution_logic
    original_start_execution: Callable[..., Any] = StepFunctionsParserBackend.start_execution

    # The clock counts running executions so it moves only when all of them are asleep.
    def start(self: ExecutionWorker) -> None:
        clock.execution_started()
        original_start(self)

    def execution_logic(self: ExecutionWorker) -> None:
        try:
            original_logic(self)
        finally:
            clock.execution_finished()

    # AWS names an unnamed execution with a UUID; moto 5.2.5 names every one of them "None", so the
    # second `aws stepfunctions start-execution` without --name would return the first execution.
    def start_execution(
        self: StepFunctionsParserBackend, arn: str, name: Any = None, *a: Any, **k: Any
    ) -> Any:
        return original_start_execution(self, arn, name or str(uuid.uuid4()), *a, **k)

    def wait_interval(self: WaitFunction, env: Any, wait_seconds: int) -> None:
        clock.sleep(wait_seconds)

    def event_time() -> _datetime.datetime:
        clock.touch()
        return clock.now()

    class ClockDatetime(_datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> "ClockDatetime":
            return clock.now().astimezone(tz)  # type: ignore[return-value]

    def update_table(self: DynamoDBBackend, name: str, *args: Any, **kwargs: Any) -> Table:
        table = self.get_table(name)
        request = update_signature.bind(self, name, *args, **kwargs).arguments
        try:
            dynamodb.before_update(table, request)
        except Refusal as exc:
            raise JsonRESTError(ERROR_TYPE_PREFIX + exc.code, exc.message) from None
        before = _throughputs(table)
        updated = original_update(self, name, *args, **kwargs)
        dynamodb.after_update(updated, before)
        return updated

    def describe(self: Table, base_key: str = "TableDescription") -> dict[str, Any]:
        result = original_describe(self, base_key)
        dynamodb.decorate(self, result[base_key])
        return result

    return [
        *_cloudwatch_patches(),
        (WaitFunction, "_wait_interval", wait_interval),
        (retrier_decl, "time", types.SimpleNamespace(sleep=clock.sleep)),
        (EventManager, "_get_current_timestamp", staticmethod(event_time)),
        (asl_state, "datetime", types.SimpleNamespace(datetime=ClockDatetime, timezone=_datetime.timezone)),
        (ExecutionWorker, "start", start),
        (ExecutionWorker, "_execution_logic", execution_logic),
        (StepFunctionsParserBackend, "start_execution", start_execution),
        (DynamoDBBackend, "update_table", update_table),
        (Table, "describe", describe),
    ]


def _cloudwatch_patches() -> list[tuple[Any, str, Any]]:
    original_put_alarm: Callable[..., Any] = CloudWatchBackend.put_metric_alarm
    put_alarm_signature = inspect.signature(original_put_alarm)

    # AWS: a new alarm starts INSUFFICIENT_DATA; "when you update an existing alarm, its state is left
    # unchanged". moto starts every put, new or not, at OK.
    def put_metric_alarm(self: CloudWatchBackend, *args: Any, **kwargs: Any) -> Any:
        name = put_alarm_signature.bind(self, *args, **kwargs).arguments["name"]
        existing = self.alarms.get(name)
        alarm = original_put_alarm(self, *args, **kwargs)
        if existing is None:
            alarm.state_value = "INSUFFICIENT_DATA"
        else:
            alarm.history = existing.history
            for kept in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp"):
                setattr(alarm, kept, getattr(existing, kept))
        return alarm

    return [(CloudWatchBackend, "put_metric_alarm", put_metric_alarm)]


class Refusal(Exception):
    """Raised by the DynamoDB model to refuse an UpdateTable; becomes the DynamoDB error ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def _throughputs(table: Table) -> dict[str | None, Any]:
    """Provisioned throughput of the table (key None) and of each GSI, before an update."""
    result: dict[str | None, Any] = {None: dict(table.throughput)}
    result.update({gsi.name: dict(gsi.throughput) for gsi in table.global_indexes})
    return result
