"""DynamoDB's daily budget of capacity decreases, per table and per GSI: 4 at any time in a UTC day;
after those, one more only when none happened in the preceding hour; at most 27 in a UTC day. Beyond
that UpdateTable fails with LimitExceededException."""

import math
from datetime import datetime, timedelta

FREE_DECREASES = 4
MAX_DECREASES = 27
SPACING = timedelta(hours=1)


def next_utc_midnight(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def decrease_allowed(decreases_today: int, last_decrease: datetime | None, now: datetime) -> bool:
    if decreases_today < FREE_DECREASES:
        return True
    if decreases_today >= MAX_DECREASES:
        return False
    return last_decrease is None or now - last_decrease >= SPACING


def next_decrease_at(decreases_today: int, last_decrease: datetime | None, now: datetime) -> datetime:
    """The earliest time a decrease is allowed (the next UTC midnight when none is left today)."""
    if decrease_allowed(decreases_today, last_decrease, now):
        return now
    if decreases_today >= MAX_DECREASES or last_decrease is None:
        return next_utc_midnight(now)
    return min(last_decrease + SPACING, next_utc_midnight(now))


def decrease_wait(decreases_today: int, last_decrease: datetime | None, now: datetime) -> timedelta:
    """How long from now until the next decrease is allowed (0 when one is allowed now)."""
    return next_decrease_at(decreases_today, last_decrease, now) - now


def decreases_left_today(decreases_today: int, last_decrease: datetime | None, now: datetime) -> int:
    """How many decreases can still happen before UTC midnight if each is spent as early as allowed."""
    if decreases_today >= MAX_DECREASES:
        return 0
    midnight = next_utc_midnight(now)
    free = max(0, FREE_DECREASES - decreases_today)
    first_hourly = now + SPACING if free else next_decrease_at(decreases_today, last_decrease, now)
    hourly = max(0, math.ceil((midnight - first_hourly) / SPACING)) if first_hourly < midnight else 0
    return min(MAX_DECREASES - decreases_today, free + hourly)
