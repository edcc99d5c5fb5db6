import math
from datetime import UTC, datetime, timedelta
from typing import Any


def cooldown_state(last_increase: str | None, cooldown_seconds: int, now: datetime) -> dict[str, Any]:
    """Whether a target increased less than cooldown_seconds ago, and until when that holds (whole
    seconds, RFC 3339 with Z, as a Wait state's TimestampPath wants it)."""
    if last_increase is None:
        return {"active": False, "until": None, "last_increase": None}
    until = datetime.fromisoformat(last_increase) + timedelta(seconds=cooldown_seconds)
    until = datetime.fromtimestamp(math.ceil(until.timestamp()), UTC)
    return {
        "active": now < until,
        "until": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_increase": last_increase,
    }
