"""The control table's layout, in one place: pk/sk of every kind of item ddbflow keeps there."""

from typing import Any

# The config document, stored as JSON text (DynamoDB maps would make every number a Decimal).
CONFIG_KEY = {"pk": "CONFIG", "sk": "CURRENT"}


def table_pk(table: str) -> str:
    """Partition of a managed table: its lease, cooldown stamps, low-check counters and decision log."""
    return f"TABLE#{table}"


def lease_key(table: str) -> dict[str, str]:
    return {"pk": table_pk(table), "sk": "LEASE"}


def last_change_key(target: dict[str, Any]) -> dict[str, str]:
    """Last increase of a table's or GSI's dimension (for cooldown)."""
    return {"pk": table_pk(target["table"]), "sk": f"LAST#{target.get('index') or ''}#{target['dimension']}"}


def low_checks_key(table: str, index: str | None) -> dict[str, str]:
    """Consecutive low scale-down checks of a table or GSI (for hysteresis)."""
    return {"pk": table_pk(table), "sk": f"LOW#{index or ''}"}
