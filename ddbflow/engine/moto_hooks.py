"""Every place the engine reaches into moto's internals, in one module.

moto 5.2.5 executes ASL but sleeps in real time, never changes a table's status, has no decrease limits,
does not implement TestEventPattern and cannot be reached through botocore's DynamoDB Streams client. The
patches and readers below add exactly that, tell the engine when alarms change, and take repeated work
(parsing, client creation, generic deep copies) out of every execution;
``tests/integration/test_moto_internals.py`` fails loudly if a moto upgrade moves any of them.
"""

import copy
import datetime as _datetime
import functools
import inspect
import marshal
import threading
import types
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from botocore.awsrequest import AWSResponse, create_request_object
from botocore.endpoint import convert_to_response_dict
from botocore.httpchecksum import apply_request_checksum
from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends
from moto.core import botocore_stubber as botocore_stubber_module
from moto.core import models as moto_models
from moto.core import responses as moto_responses
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse
from moto.core.exceptions import JsonRESTError
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodb.responses import DynamoHandler
from moto.events.models import EventPattern, events_backends
from moto.settings import enable_iso_regions
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.common.string import string_expression
from moto.stepfunctions.parser.asl.component.state import state as asl_state
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval import (
    resource_eval_s3 as item_reader_s3,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.resource_eval import (
    resource_eval_s3 as result_writer_s3,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp as wait_timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.eval import environment as asl_environment
from moto.stepfunctions.parser.asl.eval import states as asl_states
from moto.stepfunctions.parser.asl.eval.event import event_manager
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from . import moto_logs  # noqa: F401  (its log filters apply on import)
from .clock import VirtualClock
from .map_clock import INTERNALS as MAP_CLOCK_INTERNALS
from .map_clock import map_worker_patches
from .metric_index import metric_query_patches
from .quotas import INTERNALS as QUOTA_INTERNALS
from .quotas import Usage, quota_patches

# The interpreter's modules that deep-copy state data with copy.deepcopy.
STATE_DATA_COPIERS = (
    asl_states,
    string_expression,
    execute_state,
    result_path,
    asl_environment,
    event_manager,
)
INTERNALS: dict[str, tuple[Any, str]] = {
    "Wait state interval": (WaitFunction, "_wait_interval"),
    "Wait state Timestamp / TimestampPath": (wait_timestamp, "datetime"),
    "Retry interval sleep": (retrier_decl, "time"),
    "history event timestamps": (EventManager, "_get_current_timestamp"),
    "$$.State.EnteredTime": (asl_state, "datetime"),
    "DynamoDB UpdateTable": (DynamoDBBackend, "update_table"),
    "DynamoDB table description": (Table, "describe"),
    "EventBridge pattern matching": (EventPattern, "matches_event"),
    "EventBridge rule's pattern": (EventPattern, "dump"),
    "DynamoDB stream shard": (StreamShard, "add"),
    "execution start": (ExecutionWorker, "start"),
    "execution thread body": (ExecutionWorker, "_execution_logic"),
    "ASL parser": (AmazonStateLanguageParser, "parse"),
    "Lambda client of a Task state": (lambda_eval_utils, "boto_client_for"),
    "S3 client of a Distributed Map's ItemReader": (item_reader_s3, "boto_client_for"),
    "S3 client of a Distributed Map's ResultWriter": (result_writer_s3, "boto_client_for"),
    "JSONPath parser of InputPath and friends": (json_path, "parse"),
    "JSONPath parser of ResultPath": (result_path, "parse"),
    **{f"deep copies of state data in {m.__name__}": (m, "copy") for m in STATE_DATA_COPIERS},
    "DynamoDB TransactWriteItems": (DynamoDBBackend, "transact_write_items"),
    "TransactWriteItems' table backups": (dynamodb_models, "copy"),
    "CloudWatch GetMetricData": (CloudWatchBackend, "get_metric_data"),
    "CloudWatch datapoints a query scans": (CloudWatchBackend, "get_all_metrics"),
    "CloudWatch datapoints other services provide": (CloudWatchBackend, "aws_metric_data"),
    "CloudWatch PutMetricAlarm": (CloudWatchBackend, "put_metric_alarm"),
    "CloudWatch PutMetricData": (CloudWatchBackend, "put_metric_data"),
    "StartExecution without a name": (StepFunctionsParserBackend, "start_execution"),
    "CloudWatch DeleteAlarms": (CloudWatchBackend, "delete_alarms"),
    "CloudWatch SetAlarmState": (CloudWatchBackend, "set_alarm_state"),
    "DynamoDB request dispatch": (DynamoHandler, "call_action"),
    **QUOTA_INTERNALS,
    **MAP_CLOCK_INTERNALS,
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


def rule_targets(account: str, region: str, event: dict[str, Any]) -> list[str]:
    """The target ARNs of every enabled rule of the default event bus whose event pattern matches the
    event: EventBridge's own delivery (moto delivers to none of our targets), read from moto's model
    rather than a ListRules and a ListTargetsByRule per event."""
    rules = events_backends[account][region].event_buses["default"].rules.values()
    delivering = [rule for rule in rules if rule.state == "ENABLED" and rule.event_pattern.dump()]
    matching = [rule for rule in delivering if rule.event_pattern.matches_event(event)]  # type: ignore[arg-type]
    return [target["Arn"] for rule in matching for target in rule.targets]


def set_alarm_state(account: str, region: str, name: str, state: str, reason: str, reason_data: str) -> None:
    """CloudWatch's own state change of an alarm it evaluated, in moto's model (not the account's
    SetAlarmState call)."""
    cloudwatch_backends[account][region].set_alarm_state(name, reason, reason_data, state)


def alarm_states(account: str, region: str) -> dict[str, tuple[str, str]]:
    """Each alarm's state and reason as moto's model holds them now, by name: what DescribeAlarms would
    show of them, without the call (~8 ms) after every state change."""
    alarms = cloudwatch_backends[account][region].alarms
    return {name: (alarm.state_value, alarm.state_reason) for name, alarm in alarms.items()}


def stream_records(account: str, region: str, table_name: str, start: int) -> list[dict[str, Any]]:
    """A table's stream records from position ``start`` on. Measured with botocore 1.44.5: the DynamoDB
    Streams client signs as "dynamodb", moto routes the call to DynamoDB and answers 404: hence the
    backend."""
    shard = dynamodb_backends[account][region].get_table(table_name).stream_shard
    return [dict(item.record) for item in (shard.items[start:] if shard else [])]


def publish_service_metrics(account: str, region: str, namespace: str, data: list[dict[str, Any]]) -> None:
    """Datapoints a service publishes (DynamoDB's AWS/DynamoDB metrics), stored as moto stores a
    PutMetricData's — same validation and model, naive UTC timestamps as moto parses them — but without
    an API call: on AWS they are not the account's PutMetricData either, and the request's serialization
    and parsing cost ~30 ms per flush of a replay (one before each execution runs on)."""
    stored = [
        {**datum, "Timestamp": datum["Timestamp"].astimezone(_datetime.UTC).replace(tzinfo=None)}
        for datum in data
    ]
    cloudwatch_backends[account][region].put_metric_data(namespace, stored)


class ThroughputHooks:
    """What the engine's DynamoDB model implements; see ddbflow.engine.dynamodb_model."""

    def before_update(self, table: Table, request: dict[str, Any]) -> None: ...
    def after_update(self, table: Table, before: dict[str | None, Any]) -> None: ...
    def decorate(self, table: Table, description: dict[str, Any]) -> None: ...


@contextmanager
def patched_moto(
    clock: VirtualClock,
    dynamodb: ThroughputHooks,
    alarms_changed: Callable[[], None],
    execution_starting: Callable[[], None],
    metric_data_put: Callable[[str, list[dict[str, Any]]], None],
    usage: Usage | None = None,
) -> Iterator[None]:
    """``alarms_changed`` is called whenever any CloudWatch alarm is put (created or changed) or deleted;
    ``execution_starting`` before any execution starts, whoever started it; ``metric_data_put`` with
    every PutMetricData's namespace and MetricData (as moto parsed them: strings) after moto stored it;
    ``usage`` collects the largest payload and the Distributed Map children (see quotas)."""
    patches = (
        _patches(clock, dynamodb, execution_starting)
        + _alarm_patches(alarms_changed)
        + _metric_put_patches(metric_data_put)
        + metric_query_patches()
        + _transaction_backup_patches()
        + _serialized_dynamodb_patches()
        + quota_patches(usage or Usage())
        + _dispatch_patches()
        + map_worker_patches(clock)
    )
    with ExitStack() as stack:
        for target, attribute, replacement in patches:
            stack.enter_context(mock.patch.object(target, attribute, replacement))
        yield


def _transaction_backup_patches() -> list[tuple[Any, str, Any]]:
    """TransactWriteItems backs up every table it touches with copy.deepcopy, to put back if the
    transaction fails: O(all items) per call, ~100 ms once the control table holds a month of decisions.
    The backup copies only the items the transaction names (the rest it cannot change); the same
    rollback. A table with a stream (whose records a rollback would also drop) gets the full copy."""
    original: Callable[..., Any] = DynamoDBBackend.transact_write_items
    touched = threading.local()

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        touched.keys = _transaction_keys(self, transact_items)
        try:
            return original(self, transact_items)
        finally:
            touched.keys = None

    def backup(value: Any, memo: Any = None) -> Any:
        keys = (getattr(touched, "keys", None) or {}).get(getattr(value, "name", None))
        if not isinstance(value, Table) or value.stream_shard is not None or not keys:
            return copy.deepcopy(value, memo)
        if not all(key.get(value.hash_key_attr) for key in keys):
            return copy.deepcopy(value, memo)  # a malformed request: moto reports it
        return _items_backup(value, keys)

    return [
        (DynamoDBBackend, "transact_write_items", transact_write_items),
        (dynamodb_models, "copy", types.SimpleNamespace(deepcopy=backup)),
    ]


def _serialized_dynamodb_patches() -> list[tuple[Any, str, Any]]:
    """One DynamoDB request at a time. moto's backend is plain dicts: a TransactWriteItems backs up a
    table by iterating its items while another execution's PutItem adds one ("dictionary changed size
    during iteration", seen with 200 targets in one Map). DynamoDB requests are short; serializing them
    costs the concurrent executions nothing they had (the GIL runs one at a time anyway)."""
    original: Callable[..., Any] = DynamoHandler.call_action
    lock = threading.RLock()  # re-entrant: the DynamoDB model's hooks run inside a request

    @functools.wraps(original)
    def call_action(self: DynamoHandler) -> Any:
        with lock:
            return original(self)

    return [(DynamoHandler, "call_action", call_action)]


def _transaction_keys(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The key of every item a transaction names, by table."""
    keys: dict[str, list[dict[str, Any]]] = {}
    for item in transact_items:
        _, operation = next(iter(item.items()))
        table = backend.tables.get(operation.get("TableName"))
        if table is not None:
            named = (table.hash_key_attr, table.range_key_attr)
            key = operation.get("Key") or {n: operation.get("Item", {}).get(n) for n in named if n}
            keys.setdefault(table.name, []).append(key)
    return keys


def _items_backup(table: Table, keys: list[dict[str, Any]]) -> Table:
    """A copy of the table sharing every item but the named ones, which are deep copies."""
    snapshot = copy.copy(table)
    snapshot.items = type(table.items)(dict)
    snapshot.items.update({h: dict(r) if table.has_range_key else r for h, r in table.items.items()})
    for key in keys:
        hash_value = DynamoType(key[table.hash_key_attr])
        if table.range_key_attr:
            bucket = snapshot.items.get(hash_value)
            range_value = DynamoType(key.get(table.range_key_attr) or {"NULL": True})
            if bucket is not None and range_value in bucket:
                bucket[range_value] = copy.deepcopy(bucket[range_value])
        elif hash_value in snapshot.items:
            snapshot.items[hash_value] = copy.deepcopy(snapshot.items[hash_value])
    return snapshot


def _alarm_patches(alarms_changed: Callable[[], None]) -> list[tuple[Any, str, Any]]:
    """Every put or delete of an alarm is announced (the evaluator re-reads definitions only then and
    reads states from the model), and alarm state behaves as in CloudWatch: a new alarm starts
    INSUFFICIENT_DATA; "when you update an existing alarm, its state is left unchanged". moto starts every
    put, new or not, at OK."""
    original_put: Callable[..., Any] = CloudWatchBackend.put_metric_alarm
    put_signature = inspect.signature(original_put)

    def put_metric_alarm(self: CloudWatchBackend, *args: Any, **kwargs: Any) -> Any:
        existing = self.alarms.get(put_signature.bind(self, *args, **kwargs).arguments["name"])
        alarm = original_put(self, *args, **kwargs)
        if existing is None:
            alarm.state_value = "INSUFFICIENT_DATA"
        else:
            alarm.history = existing.history
            for kept in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp"):
                setattr(alarm, kept, getattr(existing, kept))
        return alarm

    def notifying(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return original(*args, **kwargs)
            finally:
                alarms_changed()

        return call

    return [
        (CloudWatchBackend, "put_metric_alarm", notifying(put_metric_alarm)),
        (CloudWatchBackend, "delete_alarms", notifying(CloudWatchBackend.delete_alarms)),
    ]


def _metric_put_patches(
    metric_data_put: Callable[[str, list[dict[str, Any]]], None],
) -> list[tuple[Any, str, Any]]:
    original: Callable[..., None] = CloudWatchBackend.put_metric_data

    def put_metric_data(self: CloudWatchBackend, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        original(self, namespace, metric_data)
        metric_data_put(namespace, metric_data)

    return [(CloudWatchBackend, "put_metric_data", put_metric_data)]


def _patches(
    clock: VirtualClock, dynamodb: ThroughputHooks, execution_starting: Callable[[], None]
) -> list[tuple[Any, str, Any]]:
    return _clock_patches(clock, execution_starting) + _interpreter_patches() + _dynamodb_patches(dynamodb)


def _clock_patches(clock: VirtualClock, execution_starting: Callable[[], None]) -> list[tuple[Any, str, Any]]:
    original_start: Callable[[ExecutionWorker], None] = ExecutionWorker.start
    original_logic: Callable[[ExecutionWorker], None] = ExecutionWorker._execution_logic
    original_start_execution: Callable[..., Any] = StepFunctionsParserBackend.start_execution

    # The clock counts running executions so it moves only when all of them are asleep.
    def start(self: ExecutionWorker) -> None:
        execution_starting()
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

    # A Wait with Timestamp(Path) waits until `timestamp - datetime.datetime.now()` (naive wall time):
    # in engine time it must count from the clock, or e.g. "Wait Out Cooldown" never waits.
    class NaiveClockDatetime(_datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> "NaiveClockDatetime":
            return clock.now().astimezone(_datetime.UTC).replace(tzinfo=None)  # type: ignore[return-value]

    return [
        (WaitFunction, "_wait_interval", wait_interval),
        (wait_timestamp, "datetime", types.SimpleNamespace(datetime=NaiveClockDatetime)),
        (retrier_decl, "time", types.SimpleNamespace(sleep=clock.sleep)),
        (EventManager, "_get_current_timestamp", staticmethod(event_time)),
        (asl_state, "datetime", types.SimpleNamespace(datetime=ClockDatetime, timezone=_datetime.timezone)),
        (ExecutionWorker, "start", start),
        (ExecutionWorker, "_execution_logic", execution_logic),
        (StepFunctionsParserBackend, "start_execution", start_execution),
    ]


def _interpreter_patches() -> list[tuple[Any, str, Any]]:
    """Speed only: the same ASL semantics with less repeated work per execution."""
    original_client_for: Callable[..., Any] = lambda_eval_utils.boto_client_for
    clients: dict[tuple[str, str], Any] = {}
    # boto3 client creation is not thread-safe (boto/boto3#2750): concurrent Task states create one each.
    creating = threading.Lock()

    # A Lambda Task state, and a Distributed Map's ItemReader and ResultWriter, build a new boto3 client
    # per call (~10 ms); one per region and service does the same.
    def client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        with creating:
            if (region, service) not in clients:
                clients[(region, service)] = original_client_for(region, service, state_credentials)
            return clients[(region, service)]

    return [
        (AmazonStateLanguageParser, "parse", staticmethod(parse_definition)),
        *(
            (module, "boto_client_for", client_for)
            for module in (lambda_eval_utils, item_reader_s3, result_writer_s3)
        ),
        # jsonpath_ng builds a new PLY parser for every parse (~2 ms); its expressions are immutable.
        (json_path, "parse", functools.lru_cache(maxsize=None)(json_path.parse)),
        (result_path, "parse", functools.lru_cache(maxsize=None)(result_path.parse)),
    ] + [
        # The interpreter deep-copies state data (JSON) at every step; copy.deepcopy is ~5× slower for it.
        (module, "copy", types.SimpleNamespace(deepcopy=json_deepcopy))
        for module in STATE_DATA_COPIERS
    ]


def _dynamodb_patches(dynamodb: ThroughputHooks) -> list[tuple[Any, str, Any]]:
    original_update: Callable[..., Table] = DynamoDBBackend.update_table
    update_signature = inspect.signature(original_update)
    original_describe: Callable[..., dict[str, Any]] = Table.describe

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

    return [(DynamoDBBackend, "update_table", update_table), (Table, "describe", describe)]


# The parsed program is immutable (every execution's state lives in its Environment), so one parse of a
# definition serves CreateStateMachine's validation and every execution of every engine in the process
# (ANTLR: ~0.4 s for the three machines of an engine, again for each machine's first execution).
parse_definition = functools.lru_cache(maxsize=128)(AmazonStateLanguageParser.parse)


ATOMIC = (str, int, float, bool, type(None), _datetime.datetime)


def json_deepcopy(value: Any, memo: Any = None) -> Any:
    """copy.deepcopy for JSON-shaped data (dicts, lists, scalars); anything else goes to copy.deepcopy.
    marshal round-trips exactly the builtin types and refuses anything else (datetimes, subclasses):
    ~2× faster than the walk below, which handles the rest."""
    try:
        return marshal.loads(marshal.dumps(value))
    except ValueError:
        return _walked_copy(value, memo)


def _walked_copy(value: Any, memo: Any = None) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _walked_copy(item) for key, item in value.items()}
    if kind is list:
        return [_walked_copy(item) for item in value]
    if kind in ATOMIC:
        return value
    return copy.deepcopy(value, memo)


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


# -- the in-process transport ------------------------------------------------------------------------
# Speed only. Every call a handler or the engine makes to a moto service normally travels botocore's
# HTTP pipeline (request object, preparation, before-send) into moto's stubber, which turns it into a
# werkzeug request. The transport below prepares the request botocore serialized as botocore does
# (URL, headers, Content-Length), hands it straight to the same moto request handling and converts and
# parses moto's answer with botocore's own functions: the same validation, the same wire format both
# ways, the same moto code answering — without the HTTP-shaped detour.

DIRECT_SERVICES = frozenset({"dynamodb", "cloudwatch", "stepfunctions", "events", "sqs", "sns", "s3"})


def direct_transport(response_parser_factory: Any) -> Callable[..., Any]:
    """A botocore ``before-call`` handler answering calls to ``DIRECT_SERVICES`` from moto in-process.
    Register it after every other ``before-call`` handler (faults first); it answers only while moto's
    mock is on, and leaves event-stream operations to the ordinary path."""
    parsers: dict[str, Any] = {}

    def before_call(
        model: Any, params: dict[str, Any], request_signer: Any, **_: Any
    ) -> tuple[AWSResponse, Any] | None:
        service_model = model.service_model
        if (
            not moto_models.botocore_stubber.enabled
            or service_model.service_name not in DIRECT_SERVICES
            or model.has_event_stream_output
        ):
            return None
        # Checksummed and signed as the client would (most clients here are unsigned): moto's S3 takes an
        # unsigned request for an anonymous one and refuses it an existing private key. On a copy: if moto
        # does not answer, botocore's own path checksums the request it was given.
        prepared = {**params, "headers": dict(params["headers"])}
        apply_request_checksum(prepared)
        request = create_request_object(prepared)
        request_signer.sign(model.name, request)
        answer = moto_models.botocore_stubber.process_request(request.prepare())
        if answer is None:
            return None  # not a moto URL: botocore's own path says what is wrong
        status, response_headers, body = answer
        http = AWSResponse(request.url, status, response_headers, MockRawResponse(body))
        response = convert_to_response_dict(http, model)
        protocol = service_model.resolved_protocol
        if protocol not in parsers:
            parsers[protocol] = response_parser_factory.create_parser(protocol)
        parsed = parsers[protocol].parse(response, model.output_shape)
        if status >= 300:  # the modeled error fields, as botocore's Endpoint adds them
            code = parsed.get("Error", {}).get("Code")
            error_shape = service_model.shape_for_error_code(code) if code else None
            if error_shape is not None:
                parsed.update(parsers[protocol].parse(response, error_shape))
        if "ResponseMetadata" in parsed:
            parsed["ResponseMetadata"]["RetryAttempts"] = 0
        return http, parsed

    return before_call


def _dispatch_patches() -> list[tuple[Any, str, Any]]:
    """Per-request work inside moto that gives the same answer every time, done once."""
    original_getitem: Callable[..., Any] = BackendDict.__getitem__

    # inspect.getmembers of the response class on every request (~0.3 ms) to find the action's method.
    @functools.cache
    def method_names_from_class(clazz: object) -> list[str]:
        return [name for name, _ in inspect.getmembers(clazz, predicate=inspect.isfunction)]

    # Every backend lookup takes a global lock and lists the accounts to create one maybe missing.
    def getitem(self: BackendDict, account_id: str) -> Any:
        if dict.__contains__(self, account_id):
            return dict.__getitem__(self, account_id)
        return original_getitem(self, account_id)

    # The stubber routes every request through ``backend.urls``, which formats the URL patterns of the
    # service's urls module anew each time (50 µs for DynamoDB, 0.7 ms for S3); they are the same for
    # every backend of a class.
    original_urls: Callable[[BaseBackend], dict[str, Any]] = BaseBackend.urls.fget  # type: ignore[attr-defined]
    urls_by_class: dict[tuple[type, bool], dict[str, Any]] = {}

    def urls(self: BaseBackend) -> dict[str, Any]:
        key = (type(self), enable_iso_regions())
        if key not in urls_by_class:
            urls_by_class[key] = original_urls(self)
        return urls_by_class[key]

    return [
        (moto_responses, "method_names_from_class", method_names_from_class),
        (BackendDict, "__getitem__", getitem),
        (BaseBackend, "urls", property(urls)),
        (execute_state, "Thread", InlineThread),
    ]


class InlineThread:
    """What moto's ExecutionState starts for the body of every Task state, so that the state's
    TimeoutSeconds can be waited for in wall time: here the body runs in the calling thread. Engine time
    does not pass while a handler runs, so a wall-clock timeout measures nothing here (none of our Task
    states sets one); and a thread start and handoff per state costs ~0.5 ms CPU and far more wall time
    on a busy machine. moto keeps every such thread in a list forever, so the target is dropped after."""

    def __init__(self, target: Callable[[], None], daemon: bool | None = None) -> None:
        self._target: Callable[[], None] | None = target

    def start(self) -> None:
        target, self._target = self._target, None
        if target is not None:
            target()


INTERNALS.update(
    {
        "moto's botocore stubber": (moto_models, "botocore_stubber"),
        "the stubber's request handling": (BotocoreStubber, "process_request"),
        "the response of the stubber": (botocore_stubber_module, "MockRawResponse"),
        "method lookup of a moto response class": (moto_responses, "method_names_from_class"),
        "URL patterns of a backend": (BaseBackend, "urls"),
        "backend lookup by account": (BackendDict, "_create_account_specific_backend"),
        "the thread of a Task state's body": (execute_state, "Thread"),
    }
)
