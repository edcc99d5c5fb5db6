"""Lambda invokes answered in-process by the real handlers, through botocore's public event system: a
``before-call.lambda.Invoke`` handler returns the response before any request is made."""

import importlib
import io
import json
import sys
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from botocore.awsrequest import AWSResponse
from botocore.response import StreamingBody

from .clock import VirtualClock
from .template import Function

Handler = Callable[[dict[str, Any], Any], Any]
# What Lambda answers when a function runs out of time; Step Functions names the error after errorType.
TIMEOUT_ERROR = "Sandbox.Timedout"
TIMEOUT_SECONDS = 30


@dataclass
class LambdaContext:
    """The attributes of the Lambda runtime's context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass
class Invocation:
    function: str
    event: Any
    error: str | None


class LambdaRuntime:
    def __init__(
        self, functions: dict[str, Function], arn_of: Callable[[str], str], clock: VirtualClock
    ) -> None:
        self.functions, self.clock = functions, clock
        self.arn_of = arn_of
        self.invocations: list[Invocation] = []
        # Called before a handler runs: raise to fail the invocation, return True to report a timeout
        # after the handler ran (its effects landed).
        self.fault: Callable[[str, Any], bool | None] | None = None
        self.after_invoke: Callable[[], None] | None = None  # called after every invocation
        self._handlers: dict[str, Handler] = {}
        self._running = threading.local()  # the function this thread is running, if any
        self._import_lock = threading.Lock()

    def current_function(self) -> str | None:
        return getattr(self._running, "name", None)

    def handler(self, name: str) -> Handler:
        # Executions run in parallel threads; two handlers first imported at once can meet a
        # half-initialised shared module (measured: Powertools' data_classes) and fail with ImportError.
        with self._import_lock:
            return self._load(name)

    def _load(self, name: str) -> Handler:
        if name not in self._handlers:
            function = self.functions[name]
            if str(function.code_dir) not in sys.path:
                sys.path.append(str(function.code_dir))
            module_name, attribute = function.handler.rsplit(".", 1)
            self._handlers[name] = getattr(importlib.import_module(module_name), attribute)
        return self._handlers[name]

    def invoke(self, name: str, event: Any) -> tuple[int, Any, str | None]:
        """(status, payload, FunctionError) as Lambda reports them."""
        context = LambdaContext(function_name=name, invoked_function_arn=self.arn_of(name))
        self._running.name = name
        try:
            with self.clock.busy():
                times_out = self.fault(name, event) if self.fault else False
                payload = self.handler(name)(event, context)
        except Exception as exc:  # a Lambda runtime reports every unhandled exception this way
            self.invocations.append(Invocation(name, event, type(exc).__name__))
            return (
                200,
                {
                    "errorType": type(exc).__name__,
                    "errorMessage": str(exc),
                    "stackTrace": traceback.format_tb(exc.__traceback__)[-3:],
                },
                "Unhandled",
            )
        finally:
            self._running.name = None
            if self.after_invoke:
                self.after_invoke()
        if times_out:
            self.invocations.append(Invocation(name, event, TIMEOUT_ERROR))
            message = f"Task timed out after {TIMEOUT_SECONDS:.2f} seconds"
            return 200, {"errorType": TIMEOUT_ERROR, "errorMessage": message}, "Unhandled"
        self.invocations.append(Invocation(name, event, None))
        return 200, payload, None

    def on_before_call(
        self, model: Any, params: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        # url_path is /2015-03-31/functions/<name or ARN>/invocations
        name = unquote(params["url_path"].split("/functions/", 1)[1].split("/", 1)[0]).split(":function:")[-1]
        name = name.split(":", 1)[0]
        if name not in self.functions:
            return None  # not ours: let moto answer (ResourceNotFoundException)
        body = params.get("body") or b"{}"
        event = json.loads(body.decode() if isinstance(body, bytes) else body)
        status, payload, error = self.invoke(name, event)
        data = json.dumps(payload).encode()
        parsed: dict[str, Any] = {
            "StatusCode": status,
            "ExecutedVersion": "$LATEST",
            "Payload": StreamingBody(io.BytesIO(data), len(data)),
            "ResponseMetadata": {"RequestId": str(uuid.uuid4()), "HTTPStatusCode": status, "HTTPHeaders": {}},
        }
        if error:
            parsed["FunctionError"] = error
        return AWSResponse("", status, {}, None), parsed
