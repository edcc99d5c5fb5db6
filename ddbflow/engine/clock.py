import threading
from datetime import UTC, datetime, timedelta


class VirtualClock:
    """Engine time. Wait states, Retry intervals, table UPDATING time and alarm periods follow it;
    sleeping advances it instead of blocking, so an hour of waiting costs no wall time."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime.now(UTC).replace(second=0, microsecond=0)
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))
