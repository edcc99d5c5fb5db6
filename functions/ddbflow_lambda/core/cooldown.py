from datetime import datetime, timedelta
from typing import Any


def cooldown_state(last_increase: str | None, cooldown_seconds: int, now: datetime) -> dict[str, Any]:
    """Whether a target increased less than cooldown_seconds ago, and until when that holds."""
    if last_increase is None:
        return {"active": False, "until": None, "last_increase": None}
    until = datetime.fromisoformat(last_increase) + timedelta(seconds=cooldown_seconds)
    return {"active": now < until, "until": until.isoformat(), "last_increase": last_increase}
