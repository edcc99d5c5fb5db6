"""List Managed Targets: the managed tables and GSIs to check, written as one S3 object of target keys
for the Distributed Map's ItemReader; the state's result is only where that list is and how long it is,
so neither this state's output nor the parent execution's history grows with the number of targets.

Which targets, by input:
- an EventBridge "Scheduled Event": every managed table and GSI;
- ``{"tables": ["orders", ...]}``: those tables and their managed GSIs;
- ``{"target": {"table": "orders", "index": null}}``: exactly that one table or GSI (a one-item list,
  the same path as a full check — e.g. for an execution started about one target);
- a CloudWatch "Alarm State Change" of a target's low alarm (``core.alarms.low_alarm_definition``):
  that one target, whose plan then decides whether a decrease pays; any other alarm is WrongMachine.
"""

import json
import os
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..alarm_events import AlarmSignal, check_home, parse_alarm_event
from ..aws import client, load_config, named_aws_errors
from ..core.config import managed_targets
from ..core.errors import MalformedEvent, TableNotManaged, WrongMachine
from ..core.target import Target
from ..observability import logger

EXPECTED = (
    'expected an EventBridge "Scheduled Event", {"tables": ["name", ...]} '
    'or {"target": {"table": "name", "index": "name" or null}} or a ddbflow low alarm\'s state change'
)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    home = context.invoked_function_arn.split(":")[3:5]
    selected, cause = _selected(event["event"], managed_targets(load_config()), *home)
    bucket, key = os.environ["SCALE_DOWN_BUCKET"], f"targets/{event['execution']}.json"
    items = [t.as_dict() | {"cause": cause} for t in selected]
    body = json.dumps(items, separators=(",", ":")).encode()
    with named_aws_errors():
        client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    logger.info("targets listed", extra={"count": len(selected), "key": key})
    return {"bucket": bucket, "key": key, "count": len(selected)}


def _selected(
    event: Any, managed: list[Target], region: str, account: str
) -> tuple[list[Target], str | None]:
    """The managed targets the event asks for, and what asked when it was an alarm (for the decision
    sentence); TableNotManaged names any it asks for that are not managed."""
    detail_type = EventBridgeEvent(event).get("detail-type") if isinstance(event, dict) else None
    if detail_type == "Scheduled Event":
        return managed, None
    if detail_type == "CloudWatch Alarm State Change":
        signal = _low_alarm(event, region, account)
        return [_managed(signal.target, managed)], f"low alarm {signal.alarm_name}"
    if isinstance(event, dict) and set(event) == {"target"}:
        return [_managed(_one_target(event["target"]), managed)], None
    tables = _requested_tables(event)
    if tables is None:
        return managed, None
    if unknown := tables - {t.table for t in managed}:
        raise TableNotManaged(f"not in the ddbflow config: {', '.join(sorted(unknown))}")
    return [t for t in managed if t.table in tables], None


def _managed(target: Target, managed: list[Target]) -> Target:
    if target not in managed:
        raise TableNotManaged(f"not in the ddbflow config: {target.label}")
    return target


def _low_alarm(event: dict[str, Any], region: str, account: str) -> AlarmSignal:
    """A low alarm's state change, in whatever state (the plan decides from the metrics)."""
    signal = parse_alarm_event(event, received_at=str(event.get("time")))
    check_home(signal, region, account)
    if signal.trigger != "low":
        raise WrongMachine(f"{signal.alarm_name!r} is a {signal.trigger} alarm: it starts a scale-up")
    logger.info("low alarm", extra=signal.as_dict())
    return signal


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
