"""The AWS edge shared by the handlers: lazily created boto3 clients, ClientErrors re-raised under their
AWS error code (so ASL can Retry on "ResourceInUseException"), and the control table's items."""

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .core.config import validate_config
from .core.control_keys import CONFIG_KEY
from .core.errors import AwsError, InvalidConfig, TableNotFound
from .core.table import throughput_state
from .core.target import CONSUMED_METRIC, THROTTLE_METRIC, Dimension, Target

# One attempt per call: retries are declared in the ASL (visible in the console, with backoff), not hidden
# in the SDK — and LimitExceededException, which botocore would retry, is final.
NO_SDK_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
# Creating clients and resources from boto3's shared default session is not thread-safe (boto/boto3#2750:
# "'dict' object has no attribute 'region'", KeyError 'endpoint_resolver'): one Lambda runtime never
# creates two at once, but handlers sharing one process (the local engine's Map iterations) do.
_CREATING = threading.Lock()


@cache
def client(service: str) -> Any:
    with _CREATING:
        return boto3.client(service, config=NO_SDK_RETRIES)


def control_table() -> Any:
    return dynamodb_table(os.environ["CONTROL_TABLE"])


@cache
def _error_type(code: str) -> type[AwsError]:
    return type(code, (AwsError,), {"__module__": __name__})


@contextmanager
def named_aws_errors() -> Iterator[None]:
    """Re-raise a ClientError as an exception class named after its code, e.g. ResourceInUseException."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError").split("#")[-1]
        raise _error_type(code)(error.get("Message") or str(exc)) from exc


def parse_time(value: str) -> datetime:
    """Step Functions' $$.State.EnteredTime and friends, as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def describe_target(target: Target) -> dict[str, Any]:
    """throughput_state of a table or GSI; TableNotFound when the table does not exist."""
    try:
        with named_aws_errors():
            description = client("dynamodb").describe_table(TableName=target.table)["Table"]
    except AwsError as exc:
        if type(exc).__name__ == "ResourceNotFoundException":
            raise TableNotFound(f"table {target.table!r} does not exist") from None
        raise
    return throughput_state(description, target)


def metric_sums(
    target: Target, dimension: Dimension, period: int, start: datetime, end: datetime
) -> tuple[list[float], list[float]]:
    """Per-period Sums of consumed capacity and throttle events, aligned, oldest first (GetMetricData)."""
    sums = metric_periods(target, dimension, period, start, end).values()
    return [consumed for consumed, _ in sums], [throttled for _, throttled in sums]


def metric_periods(
    target: Target, dimension: Dimension, period: int, start: datetime, end: datetime
) -> dict[datetime, tuple[float, float]]:
    """By period, oldest first: the Sums of consumed capacity and of throttle events (0 where none) of
    each period with a consumed datapoint (GetMetricData)."""
    metrics = {"consumed": CONSUMED_METRIC[dimension], "throttled": THROTTLE_METRIC[dimension]}
    queries = [target.metric_query(query_id, name, period) for query_id, name in metrics.items()]
    sums: dict[str, dict[datetime, float]] = {query_id: {} for query_id in metrics}
    with named_aws_errors():
        pages = (
            client("cloudwatch")
            .get_paginator("get_metric_data")
            .paginate(MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending")
        )
        for page in pages:
            for result in page["MetricDataResults"]:
                sums[result["Id"]].update(zip(result["Timestamps"], result["Values"], strict=True))
    return {at: (sums["consumed"][at], sums["throttled"].get(at, 0.0)) for at in sorted(sums["consumed"])}


def metric_minutes(
    target: Target, dimension: Dimension, start: datetime, end: datetime
) -> dict[int, tuple[float, float]]:
    """``metric_periods`` in one-minute periods, by minute index from ``start`` (GetMetricData's periods
    count from it in whole seconds; the oldest is minute 0)."""
    first = start.replace(microsecond=0)
    periods = metric_periods(target, dimension, 60, start, end)
    return {max(0, int((at - first).total_seconds()) // 60): sums for at, sums in periods.items()}


def load_config() -> dict[str, Any]:
    """The validated config document from the control table (stored as JSON text, see CONFIG_KEY)."""
    with named_aws_errors():
        item = control_table().get_item(Key=CONFIG_KEY, ConsistentRead=True).get("Item")
    if item is None:
        raise InvalidConfig(
            "no config loaded: the control table has no CONFIG item (see README, Deploy to AWS)"
        )
    try:
        document = json.loads(item["document"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidConfig(f"the stored config is not JSON: {exc}") from None
    problems = _config_problems(item["document"])
    if problems:
        raise InvalidConfig(problems)
    return dict(document)


@lru_cache(maxsize=8)
def _config_problems(document: str) -> str:
    """The schema's verdict on one stored config text ("" when valid). The same text gets the same
    verdict, so a warm function validates it once, not on every invocation (with a thousand targets,
    every Map child loads the policy: jsonschema was a sixth of a scale-down's CPU)."""
    try:
        validate_config(json.loads(document))
    except InvalidConfig as exc:
        return str(exc)
    return ""


@cache
def dynamodb_table(name: str) -> Any:
    with _CREATING:
        return boto3.resource("dynamodb", config=NO_SDK_RETRIES).Table(name)
