"""`--at TIME`: the instant a local run, the demo or the server starts at, so a result does not depend on
the hour it is run (a `schedules` window, the UTC day's decrease budget)."""

from datetime import UTC, datetime

EXAMPLE = "2026-11-30T08:30:00Z"


def parse_at(text: str) -> datetime:
    """An ISO-8601 instant with its UTC offset (``Z`` or ``+00:00``), as an aware UTC datetime. A time
    without an offset is refused: the engine runs in UTC and a local time would silently shift it."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 time such as {EXAMPLE}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset; write it in UTC, e.g. {EXAMPLE}")
    return parsed.astimezone(UTC)
