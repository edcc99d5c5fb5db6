"""List Managed Targets: the managed tables and GSIs to check, written as one S3 object of target keys
for the Distributed Map's ItemReader; the state's result is only where that list is and how long it is,
so neither this state's output nor the parent execution's history grows with the number of targets.

Which targets, by input:
- an EventBridge "Scheduled Event": every managed table and GSI;
- ``{"tables": ["orders", ...]}``: those tables and their managed GSIs;
- ``{"target": {"table": "orders", "index": null}}``: exactly that one table or GSI (a one-item list,
  the same path as a full check — e.g. for an execution started about one target).
"""

import json
import os
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, load_config, named_aws_errors
from ..core.config import managed_targets
from ..core.errors import MalformedEvent, TableNotManaged
from ..core.target import Target
from ..observability import logger

EXPECTED = (
    'expected an EventBridge "Scheduled Event", {"tables": ["name", ...]} '
    'or {"target": {"table": "name", "index": "name" or null}}'
)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    selected = _selected(event["event"], managed_targets(load_config()))
    bucket, key = os.environ["SCALE_DOWN_BUCKET"], f"targets/{event['execution']}.json"
    body = json.dumps([t.as_dict() for t in selected], separators=(",", ":")).encode()
    with named_aws_errors():
        client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    logger.info("targets listed", extra={"count": len(selected), "key": key})
    return {"bucket": bucket, "key": key, "count": len(selected)}


def _selected(event: Any, managed: list[Target]) -> list[Target]:
    """The managed targets the event asks for; TableNotManaged names any it asks for that are not."""
    if isinstance(event, dict) and EventBridgeEvent(event).get("detail-type") == "Scheduled Event":
        return managed
    if isinstance(event, dict) and set(event) == {"target"}:
        target = _one_target(event["target"])
        if target not in managed:
            raise TableNotManaged(f"not in the ddbflow config: {target.label}")
        return [target]
    tables = _requested_tables(event)
    if tables is None:
        return managed
    if unknown := tables - {t.table for t in managed}:
        raise TableNotManaged(f"not in the ddbflow config: {', '.join(sorted(unknown))}")
    return [t for t in managed if t.table in tables]


def _one_target(value: Any) -> Target:
    if not (
        isinstance(value, dict) and set(value) <= {"table", "index"} and isinstance(value.get("table"), str)
    ):
        raise MalformedEvent(EXPECTED)
    if not isinstance(value.get("index"), str | None):
        raise MalformedEvent(EXPECTED)
    return Target(value["table"], value.get("index"))


def _requested_tables(event: Any) -> set[str] | None:
    """A manual {"tables": [...]} checks those tables; {} or {"tables": null} checks every one."""
    if isinstance(event, dict) and set(event) <= {"tables"}:
        tables = event.get("tables")
        if tables is None:
            return None
        if isinstance(tables, list) and tables and all(isinstance(t, str) for t in tables):
            return set(tables)
    raise MalformedEvent(EXPECTED)
