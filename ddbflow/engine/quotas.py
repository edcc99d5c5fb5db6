"""Step Functions' and DynamoDB's quotas, enforced where moto 5.2.5 does not, so that a local run fails
where AWS would, with AWS's error — and the Distributed Map details moto leaves out (each child's own
history, ResultWriter's result files, ToleratedFailurePercentage). Part of moto_hooks' patch set (every
moto internal touched here is in ``INTERNALS``, checked by tests/integration/test_moto_internals.py).

- 256 KiB per state input (after InputPath), state output and task result: ``States.DataLimitExceeded``
  (moto checks outputs and task results; inputs here). Like ``States.Runtime`` it is terminal: a
  ``States.ALL`` Retry or Catch does not match it, only one that names it.
- 25,000 events per execution history: "When an execution reaches 24,999 events, it waits for the next
  event. If event number 25,000 is ExecutionSucceeded the execution succeeds, otherwise ExecutionFailed is
  logged" (Step Functions developer guide, "Avoid reaching the history quota"): ``States.Runtime``.
- A Fail state may re-raise a ``States.*`` error through ErrorPath (moto refuses: "Custom Error Names
  MUST NOT begin with 'States.'", and the run ended ``States.Runtime`` instead of the real error).
- TransactWriteItems: at most 100 items (moto checks) and 4 MB in all: ValidationException.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.responses import DynamoHandler
from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
from moto.stepfunctions.parser.asl.component.common.error_name import error_equals_decl
from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import (
    distributed_iteration_component,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor import (
    distributed_item_processor_worker,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.resource_eval import (
    resource_eval_s3,
)
from moto.stepfunctions.parser.asl.component.state.fail import state_fail
from moto.stepfunctions.parser.asl.component.state.state import CommonStateField
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.asl.eval.program_state import ProgramError
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

MAX_PAYLOAD_BYTES = 256 * 1024  # UTF-8 bytes of a state's input, output or a task's result
MAX_HISTORY_EVENTS = 25_000
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
HISTORY_FULL = "The execution reached the maximum number of history events (25000)."
TERMINAL_ERRORS = ("States.DataLimitExceeded", "States.Runtime")  # States.ALL does not match them
EXECUTION_ENDS = {
    HistoryEventType.ExecutionSucceeded,
    HistoryEventType.ExecutionFailed,
    HistoryEventType.ExecutionAborted,
    HistoryEventType.ExecutionTimedOut,
}

ItemWorker = distributed_item_processor_worker.DistributedItemProcessorWorker
MapIteration = distributed_iteration_component.DistributedIterationComponent
S3ResultWriter = resource_eval_s3.ResourceEvalS3
INTERNALS: dict[str, tuple[Any, str]] = {
    "state input (quota check)": (CommonStateField, "_eval_state_input"),
    "state output size check": (CommonStateField, "_verify_size_quota"),
    "history events (quota check)": (EventManager, "add_event"),
    "ErrorEquals matching": (error_equals_decl.ErrorEqualsDecl, "_eval_body"),
    "Fail state error names": (state_fail, "CustomErrorName"),
    "DynamoDB TransactWriteItems request": (DynamoHandler, "transact_write_items"),
    "Distributed Map child execution": (ItemWorker, "_eval_job"),
    "Distributed Map run": (MapIteration, "_map_run"),
    "ResultWriter to S3": (S3ResultWriter, "_handle_put_object"),
}


@dataclass
class Child:
    """One child execution of a Distributed Map run, as ResultWriter reports it."""

    index: int
    input: Any
    status: str  # SUCCEEDED | FAILED
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: int = 0
    transitions: int = 0  # billed state transitions of its own history (billed_transitions)
    lambda_tasks: int = 0  # Lambda tasks scheduled in its history
    start: str = ""
    stop: str = ""


LAMBDA_SCHEDULED = ("TaskScheduled", "LambdaFunctionScheduled")


def billed_transitions(events: list[Any]) -> int:
    """Billed state transitions of one execution's history (a parent's, or a Distributed Map child's):
    every state entered, plus every retry of a task (a task scheduled again without a new state entry)."""
    entered = sum(1 for e in events if str(e["type"]).endswith("StateEntered"))
    tasks_entered = sum(1 for e in events if e["type"] == "TaskStateEntered")
    scheduled = sum(1 for e in events if e["type"] in LAMBDA_SCHEDULED)
    return entered + max(0, scheduled - tasks_entered)


@dataclass
class Usage:
    """The largest payload and history seen, and every map run's children (for ResultWriter, the
    report and the quota summary)."""

    largest_payload: tuple[int, str] = (0, "")  # bytes, "state (input|output)"
    largest_history: tuple[int, str] = (0, "")  # events, execution or child
    map_runs: dict[str, list[Child]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def payload(self, size: int, where: str) -> None:
        with self.lock:
            self.largest_payload = max(self.largest_payload, (size, where))

    def history(self, events: int, what: str) -> None:
        with self.lock:
            self.largest_history = max(self.largest_history, (events, what))

    def child(self, map_run_arn: str, child: Child) -> None:
        with self.lock:
            self.map_runs.setdefault(map_run_arn, []).append(child)

    def children(self, map_run_arn: str) -> list[Child]:
        with self.lock:
            return sorted(self.map_runs.get(map_run_arn, []), key=lambda c: c.index)


def json_size(value: Any) -> int:
    """UTF-8 bytes of a value as Step Functions measures it (moto's own encoding, as its checks)."""
    text = value if isinstance(value, str) else to_json_str(value)
    return len(text.encode("utf-8"))


def quota_failure(error: str, cause: str, state_name: str = "") -> FailureEventException:
    """A States.* failure raised by a quota, outside any one state's own error handling."""
    event = FailureEvent.__new__(FailureEvent)  # FailureEvent() reads an Environment we do not need
    vars(event).update(
        state_name=state_name,
        source_event_id=0,
        error_name=StatesErrorName(typ=next(t for t in StatesErrorNameType if t.to_name() == error)),
        event_type=HistoryEventType.ExecutionFailed,
        event_details={"executionFailedEventDetails": ExecutionFailedEventDetails(error=error, cause=cause)},
    )
    return FailureEventException(event)


def quota_patches(usage: Usage) -> list[tuple[Any, str, Any]]:
    return (
        _payload_patches(usage)
        + _history_patches(usage)
        + _error_name_patches()
        + _transaction_patches()
        + _distributed_map_patches(usage)
    )


def _payload_patches(usage: Usage) -> list[tuple[Any, str, Any]]:
    original_input: Callable[..., None] = CommonStateField._eval_state_input
    original_verify: Callable[..., None] = CommonStateField._verify_size_quota

    def eval_state_input(self: CommonStateField, env: Any) -> None:
        original_input(self, env)
        size = json_size(env.stack[-1])
        usage.payload(size, f"{self.name} (input)")
        if size >= MAX_PAYLOAD_BYTES:
            cause = (
                f"The state '{self.name}' was given an input of {size:,} bytes, more than the maximum "
                f"number of bytes service limit ({MAX_PAYLOAD_BYTES:,})."
            )
            raise quota_failure("States.DataLimitExceeded", cause, self.name)

    def verify_size_quota(self: CommonStateField, env: Any, value: Any) -> None:
        usage.payload(json_size(value), f"{self.name} (output)")
        original_verify(self, env, value)

    return [
        (CommonStateField, "_eval_state_input", eval_state_input),
        (CommonStateField, "_verify_size_quota", verify_size_quota),
    ]


def _history_patches(usage: Usage) -> list[tuple[Any, str, Any]]:
    original: Callable[..., int] = EventManager.add_event
    full: set[int] = set()  # event managers whose history is full: later events are not recorded

    def add_event(self: EventManager, context: Any, event_type: Any, *args: Any, **kwargs: Any) -> int:
        recorded = len(self._history_event_list)
        if recorded >= MAX_HISTORY_EVENTS - 1 and event_type not in EXECUTION_ENDS:
            if id(self) not in full:
                full.add(id(self))
                raise quota_failure("States.Runtime", HISTORY_FULL)
            return int(context.last_published_event_id)
        if recorded >= MAX_HISTORY_EVENTS:
            return int(context.last_published_event_id)
        return original(self, context, event_type, *args, **kwargs)

    return [(EventManager, "add_event", add_event)]


class ReraisedErrorName(ErrorName):
    """A Fail state's error, which may be a States.* name re-raised through ErrorPath."""


def _error_name_patches() -> list[tuple[Any, str, Any]]:
    decl = error_equals_decl.ErrorEqualsDecl
    original: Callable[..., None] = decl._eval_body
    wildcard = StatesErrorName(typ=StatesErrorNameType.StatesALL)

    def eval_body(self: Any, env: Any) -> None:
        error_name = env.stack[-1]
        terminal = isinstance(error_name, ErrorName) and error_name.error_name in TERMINAL_ERRORS
        if terminal and wildcard in self.error_names:
            env.stack.pop()
            env.stack.append(any(n.error_name == error_name.error_name for n in self.error_names))
            return
        original(self, env)

    return [(decl, "_eval_body", eval_body), (state_fail, "CustomErrorName", ReraisedErrorName)]


def transaction_size(items: list[dict[str, Any]]) -> int:
    """DynamoDB item sizes (attribute names + values) of what each action writes or names."""
    total = 0
    for action in items:
        for operation in action.values():
            for part in ("Item", "Key", "ExpressionAttributeValues"):
                for name, value in (operation.get(part) or {}).items():
                    total += len(name.encode("utf-8")) + DynamoType(value).size()
    return total


def _transaction_patches() -> list[tuple[Any, str, Any]]:
    original: Callable[..., Any] = DynamoHandler.transact_write_items

    def transact_write_items(self: DynamoHandler) -> Any:
        size = transaction_size(self.body.get("TransactItems") or [])
        if size > MAX_TRANSACTION_BYTES:
            raise MockValidationException(
                f"Transaction request size of {size:,} bytes exceeds the maximum allowed size of 4 MB"
            )
        return original(self)

    return [(DynamoHandler, "transact_write_items", transact_write_items)]


def _distributed_map_patches(usage: Usage) -> list[tuple[Any, str, Any]]:
    original_job: Callable[..., None] = ItemWorker._eval_job
    original_run: Callable[..., None] = MapIteration._map_run

    def eval_job(self: Any, env: Any, job: Any) -> None:
        # A child execution has a history of its own on AWS (and its own 25,000 events); moto shares one.
        env.event_manager = EventManager()
        start = env.event_manager._get_current_timestamp().isoformat()
        original_job(self, env, job)
        state = env.program_state()
        history = env.event_manager._history_event_list
        events = len(history)
        arn = self._map_run_record.map_run_arn
        usage.history(events, f"{arn} child {job.job_index}")
        child = Child(
            job.job_index,
            job.job_input,
            "SUCCEEDED",
            job.job_output,
            events=events,
            transitions=billed_transitions(history),
            lambda_tasks=sum(1 for e in history if e["type"] in LAMBDA_SCHEDULED),
            start=start,
        )
        if isinstance(state, ProgramError) or job.job_output is None:
            error = (state.error or {}) if isinstance(state, ProgramError) else {}
            child.status, child.error, child.cause = "FAILED", error.get("error"), error.get("cause")
        child.stop = env.event_manager._get_current_timestamp().isoformat()
        usage.child(arn, child)

    def map_run(self: Any, env: Any, eval_input: Any) -> None:
        original_run(self, env, eval_input)
        children = usage.children(eval_input.map_run_record.map_run_arn)
        failed = sum(c.status == "FAILED" for c in children)
        if exceeds_tolerance(failed, len(children), eval_input):
            cause = (
                f"The specified tolerated failure threshold was exceeded: {failed} of {len(children)} "
                f"child executions failed (tolerated: {eval_input.tolerated_failure_percentage}%, "
                f"{eval_input.tolerated_failure_count} items)"
            )
            raise quota_failure("States.ExceedToleratedFailureThreshold", cause)

    def handle_put_object(env: Any, resource_runtime_part: Any, state_credentials: Any) -> None:
        parameters = env.stack.pop()
        env.stack.pop()  # the children's outputs: written from their records, with inputs and errors
        record = env.map_run_record_pool_manager.get_all().pop()
        s3 = resource_eval_s3.boto_client_for(region=resource_runtime_part.region, service="s3")
        details = write_results(s3, parameters, record.map_run_arn, usage.children(record.map_run_arn))
        env.stack.append({"MapRunArn": record.map_run_arn, "ResultWriterDetails": details})

    return [
        (ItemWorker, "_eval_job", eval_job),
        (MapIteration, "_map_run", map_run),
        (S3ResultWriter, "_handle_put_object", staticmethod(handle_put_object)),
    ]


def exceeds_tolerance(failed: int, total: int, eval_input: Any) -> bool:
    """AWS fails the map run when failures exceed ToleratedFailurePercentage (or ToleratedFailureCount)."""
    if failed == 0:
        return False
    percentage = float(eval_input.tolerated_failure_percentage or 0)
    count = int(eval_input.tolerated_failure_count or 0)
    return failed * 100.0 > percentage * total and failed > count


def write_results(
    s3: Any, parameters: dict[str, Any], map_run_arn: str, children: list[Child]
) -> dict[str, str]:
    """ResultWriter's files as AWS writes them: <Prefix>/<map run id>/manifest.json, SUCCEEDED_0.json and
    FAILED_0.json (one entry per child execution, Input and Output as JSON strings)."""
    bucket, prefix = parameters["Bucket"], parameters.get("Prefix") or ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    folder = f"{prefix}{map_run_arn.split(':')[-1]}/"
    machine_arn = map_run_arn.replace(":mapRun:", ":stateMachine:").rsplit("/", 1)[0]
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status in ("SUCCEEDED", "FAILED"):
        entries = [_entry(child, map_run_arn, machine_arn) for child in children if child.status == status]
        if not entries:
            continue
        key = f"{folder}{status}_0.json"
        body = json.dumps(entries).encode()
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        files[status].append({"Key": key, "Size": len(body)})
    manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
    s3.put_object(Bucket=bucket, Key=f"{folder}manifest.json", Body=json.dumps(manifest, indent=2).encode())
    return {"Bucket": bucket, "Key": f"{folder}manifest.json"}


def _entry(child: Child, map_run_arn: str, machine_arn: str) -> dict[str, Any]:
    name = f"{map_run_arn.split(':')[-1]}-{child.index}"
    entry: dict[str, Any] = {
        "ExecutionArn": f"{map_run_arn.replace(':mapRun:', ':execution:')}:{name}",
        "Name": name,
        "Input": json.dumps(child.input),
        "InputDetails": {"Included": True},
        "StartDate": child.start,
        "StateMachineArn": machine_arn,
        "Status": child.status,
        "StopDate": child.stop,
    }
    if child.status == "SUCCEEDED":
        entry |= {"Output": json.dumps(child.output), "OutputDetails": {"Included": True}}
    else:
        entry |= {"Error": child.error or "States.Runtime", "Cause": child.cause or ""}
    return entry
