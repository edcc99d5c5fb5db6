"""Fault injection: the AWS calls a handler makes, and the handlers' invocations, fail the way AWS fails
them — so a test or ``ddbflow run --fault`` can check that every failure still ends with the right
capacity and at most one effective update.

A fault is written ``WHERE=WHAT[*TIMES]``:

- ``dynamodb.UpdateTable=ThrottlingException*2`` — the next 2 UpdateTable calls made by any handler fail
  with that AWS error code (any ``service.Operation`` and any code in ``API_ERRORS``);
- ``UpdateTableFunction=timeout`` — the function runs (its effects land), then Lambda reports a timeout;
- ``UpdateTableFunction=error`` — the function fails before doing anything;
- ``CheckTableStatusFunction=delete-table`` — the managed table is deleted just before the function runs.

Only calls made from inside a handler fail: the engine's own calls (publishing metrics, routing events)
are not part of the system under test.
"""

import io
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse

from .lambdas import LambdaRuntime

# AWS error code → HTTP status, as DynamoDB and CloudWatch answer them.
API_ERRORS = {
    "ThrottlingException": 400,  # DynamoDB control plane
    "Throttling": 400,  # CloudWatch ("Rate exceeded")
    "ProvisionedThroughputExceededException": 400,
    "RequestLimitExceeded": 400,
    "ResourceInUseException": 400,
    "LimitExceededException": 400,
    "ResourceNotFoundException": 400,
    "InternalServerError": 500,  # DynamoDB 5xx
    "InternalServiceError": 500,  # CloudWatch 5xx
    "ServiceUnavailable": 503,
}
FUNCTION_FAULTS = ("timeout", "error", "delete-table")
SPEC = re.compile(r"^(?P<where>[A-Za-z0-9.]+)=(?P<what>[A-Za-z.-]+)(?:\*(?P<times>\d+))?$")


class InjectedFault(Exception):
    """A function failure the engine injected (its name is the error a Catch sees)."""


@dataclass
class Fault:
    where: str  # "service.Operation" or a function's logical id
    what: str  # an API error code, or one of FUNCTION_FAULTS
    times: int = 1
    fired: int = 0

    @classmethod
    def parse(cls, spec: str) -> "Fault":
        match = SPEC.match(spec.strip())
        if not match:
            raise ValueError(
                f"fault {spec!r} is not WHERE=WHAT[*TIMES], e.g. dynamodb.UpdateTable=ThrottlingException*2"
            )
        fault = cls(match["where"], match["what"], int(match["times"] or 1))
        if fault.is_api_call and fault.what not in API_ERRORS:
            raise ValueError(f"fault {spec!r}: {fault.what!r} is not one of {', '.join(API_ERRORS)}")
        if not fault.is_api_call and fault.what not in FUNCTION_FAULTS:
            raise ValueError(f"fault {spec!r}: a function fault is one of {', '.join(FUNCTION_FAULTS)}")
        if fault.times < 1:
            raise ValueError(f"fault {spec!r}: TIMES must be at least 1")
        return fault

    @property
    def is_api_call(self) -> bool:
        return "." in self.where

    def take(self, where: str) -> bool:
        """Fire once for ``where`` if armed."""
        if self.where != where or self.fired >= self.times:
            return False
        self.fired += 1
        return True

    def __str__(self) -> str:
        return f"{self.where}={self.what}*{self.times}"


class Faults:
    """The engine's armed faults; ``fired`` lists (fault, where) in the order they fired."""

    def __init__(self, lambdas: LambdaRuntime, dynamodb: Any) -> None:
        self.lambdas, self.dynamodb = lambdas, dynamodb
        self.armed: list[Fault] = []
        self.fired: list[str] = []
        lambdas.fault = self.before_function

    def inject(self, *specs: str | Fault) -> list[Fault]:
        faults = [spec if isinstance(spec, Fault) else Fault.parse(spec) for spec in specs]
        unknown = [f.where for f in faults if not f.is_api_call and f.where not in self.lambdas.functions]
        if unknown:
            raise ValueError(f"no function {', '.join(unknown)}; known: {', '.join(self.lambdas.functions)}")
        self.armed += faults
        return faults

    def _take(self, where: str) -> Fault | None:
        for fault in self.armed:
            if fault.take(where):
                self.fired.append(f"{fault.where}={fault.what}")
                return fault
        return None

    def on_before_call(self, model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        """botocore ``before-call``: answer a handler's call with the armed error instead of sending it."""
        if self.lambdas.current_function() is None:
            return None
        fault = self._take(f"{model.service_model.service_id.hyphenize()}.{model.name}")
        if fault is None:
            return None
        status = API_ERRORS[fault.what]
        parsed = {
            "Error": {"Code": fault.what, "Message": f"{fault.what} injected by the engine"},
            "ResponseMetadata": {"RequestId": str(uuid.uuid4()), "HTTPStatusCode": status, "HTTPHeaders": {}},
        }
        return AWSResponse("", status, {}, io.BytesIO(b"")), parsed

    def before_function(self, name: str, event: Any) -> bool:
        """LambdaRuntime's hook, called before a handler runs; True: report a timeout after it ran."""
        fault = self._take(name)
        if fault is None:
            return False
        if fault.what == "error":
            raise InjectedFault(f"{name} failed before doing anything (injected by the engine)")
        if fault.what == "delete-table":
            self.dynamodb.delete_table(TableName=_table_of(event))
        return fault.what == "timeout"


def _table_of(event: Any) -> str:
    """The managed table a handler's event is about: the machines pass it as a target, an alarm or a
    table name."""
    for key in ("target", "alarm"):
        if isinstance(event.get(key), dict) and "table" in event[key]:
            return str(event[key]["table"])
    if isinstance(event.get("table"), str):
        return str(event["table"])
    raise ValueError(f"delete-table: the function's event names no table: {json.dumps(event)[:200]}")
