"""Reading a table's or GSI's provisioned throughput from DescribeTable, and the UpdateTable request
that changes one dimension of it. One code path for tables and indexes."""

from datetime import datetime
from typing import Any

from .errors import TableNotFound, TableNotProvisioned
from .target import CAPACITY_FIELD, DIMENSIONS, Target


def throughput_state(description: dict[str, Any], target: Target) -> dict[str, Any]:
    """{read, write, status, table_status, last_increase, last_decrease, decreases_today} of the target."""
    if description.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST":
        raise TableNotProvisioned(f"{target.table} is on-demand (PAY_PER_REQUEST); nothing to scale")
    part = description
    if target.index:
        indexes = {gsi["IndexName"]: gsi for gsi in description.get("GlobalSecondaryIndexes", [])}
        if target.index not in indexes:
            raise TableNotFound(f"table {target.table} has no global secondary index {target.index!r}")
        part = indexes[target.index]
    throughput = part.get("ProvisionedThroughput", {})
    return {
        **{dim: int(throughput.get(CAPACITY_FIELD[dim], 0)) for dim in DIMENSIONS},
        "status": part.get("IndexStatus", description.get("TableStatus")),
        "table_status": description.get("TableStatus"),
        "last_increase": _iso(throughput.get("LastIncreaseDateTime")),
        "last_decrease": _iso(throughput.get("LastDecreaseDateTime")),
        "decreases_today": int(throughput.get("NumberOfDecreasesToday", 0)),
    }


def update_request(target: Target, capacity: dict[str, Any]) -> dict[str, Any]:
    """UpdateTable kwargs that set a table's or GSI's {read, write} capacity."""
    throughput = {CAPACITY_FIELD[dim]: int(capacity[dim]) for dim in DIMENSIONS}
    if target.index:
        update = {"IndexName": target.index, "ProvisionedThroughput": throughput}
        return {"TableName": target.table, "GlobalSecondaryIndexUpdates": [{"Update": update}]}
    return {"TableName": target.table, "ProvisionedThroughput": throughput}


def is_active(state: dict[str, Any]) -> bool:
    return state["status"] == "ACTIVE" and state["table_status"] == "ACTIVE"


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value
