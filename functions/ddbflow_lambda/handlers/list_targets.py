"""List Managed Targets: every managed table and GSI with its read and write policies, for the Map."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import load_config
from ..core.config import managed_targets, resolve_policy
from ..core.errors import MalformedEvent, TableNotManaged
from ..core.target import DIMENSIONS
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    only = _requested_tables(event["event"])
    config = load_config()
    targets = [t for t in managed_targets(config) if only is None or t.table in only]
    if only and (unknown := only - {t.table for t in targets}):
        raise TableNotManaged(f"not in the ddbflow config: {', '.join(sorted(unknown))}")
    return {
        "targets": [
            t.as_dict() | {"policies": {d: resolve_policy(config, t, d).as_dict() for d in DIMENSIONS}}
            for t in targets
        ]
    }


def _requested_tables(event: Any) -> set[str] | None:
    """A scheduled event checks every managed table; a manual {"tables": [...]} checks those."""
    if isinstance(event, dict) and EventBridgeEvent(event).get("detail-type") == "Scheduled Event":
        return None
    if isinstance(event, dict) and set(event) <= {"tables"}:
        tables = event.get("tables")
        if tables is None:
            return None
        if isinstance(tables, list) and tables and all(isinstance(t, str) for t in tables):
            return set(tables)
    raise MalformedEvent('expected an EventBridge "Scheduled Event" or {"tables": ["name", ...]}')
