import heapq
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


class VirtualClock:
    """Engine time, a discrete-event clock. Wait states, Retry intervals, table UPDATING time and alarm
    periods follow it; nothing sleeps in real time.

    A sleeper blocks until engine time reaches its wake-up time. Time moves when a driver calls
    ``advance`` (the simulator, a test), or — with ``auto_advance`` — when the engine is idle: every
    running execution asleep, no Lambda handler running and no execution event for ``grace`` seconds of
    wall time; then it jumps to the earliest wake-up. Concurrent executions therefore wait side by side,
    as they would on AWS, instead of adding their waits up.

    Without ``auto_advance`` (a driver: the simulator) time moves only through ``drive``, which wakes the
    sleepers one at a time in wake-up order, each only once every running execution is asleep or done.
    Only one execution thread runs at any moment, so a run is the same every time.
    """

    def __init__(
        self, start: datetime | None = None, *, auto_advance: bool = True, grace: float = 0.002
    ) -> None:
        start = start or datetime.now(UTC).replace(second=0, microsecond=0)
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self.auto_advance, self.grace = auto_advance, grace
        self._changed = threading.Condition()
        self._wakes: list[tuple[datetime, int]] = []
        self._ids = itertools.count()
        self._busy = 0
        self._running = 0  # executions started and not finished
        self._last_activity = time.monotonic()
        self._wall_anchor: float | None = None  # set: engine time also runs with the wall clock
        self._released: set[tuple[datetime, int]] = set()  # driver mode: sleepers let go
        # Its own condition: ``_changed`` is notified at every sleep and handler end, far more often.
        self._finishes = threading.Condition()
        self._finished = 0  # executions finished so far

    def now(self) -> datetime:
        with self._changed:
            return self._current()

    def _current(self) -> datetime:
        if self._wall_anchor is None:
            return self._now
        return self._now + timedelta(seconds=time.monotonic() - self._wall_anchor)

    def follow_wall_clock(self) -> None:
        """From now on engine time also runs with the wall clock (``ddbflow serve``, where people and
        the schedules wait in real time); auto-advance still skips the waits of executions."""
        with self._changed:
            if self._wall_anchor is None:
                self._wall_anchor = time.monotonic()

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        with self._changed:
            self._now += timedelta(seconds=seconds)
            self._changed.notify_all()
            return self._current()

    @property
    def last_activity(self) -> float:
        """time.monotonic() of the latest execution event, handler return or wake-up."""
        return self._last_activity

    def touch(self) -> None:
        """Something happened (an execution event): the engine is not idle yet."""
        self._last_activity = time.monotonic()

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Work in progress (a Lambda handler running): engine time does not jump meanwhile."""
        with self._changed:
            self._busy += 1
        try:
            yield
        finally:
            with self._changed:
                self._busy -= 1
                self._last_activity = time.monotonic()
                self._changed.notify_all()

    @property
    def running(self) -> int:
        """Executions started and not finished."""
        with self._changed:
            return self._running

    def execution_started(self) -> None:
        with self._changed:
            self._running += 1

    def execution_finished(self) -> None:
        with self._changed:
            self._running -= 1
            self._last_activity = time.monotonic()
            self._changed.notify_all()
        with self._finishes:
            self._finished += 1
            self._finishes.notify_all()

    @property
    def finished(self) -> int:
        """Executions finished so far (moto has set their final status by then)."""
        with self._finishes:
            return self._finished

    def wait_for_finish(self, finished: int, timeout: float) -> int:
        """Block until more than ``finished`` executions have finished, or ``timeout`` wall seconds
        passed; return how many have."""
        with self._finishes:
            self._finishes.wait_for(lambda: self._finished != finished, timeout)
            return self._finished

    def sleep(self, seconds: float) -> None:
        with self._changed:
            wake = (self._current() + timedelta(seconds=max(0.0, seconds)), next(self._ids))
            heapq.heappush(self._wakes, wake)
            self._changed.notify_all()  # a driver waits for every execution to be asleep
            try:
                while (current := self._current()) < wake[0] or (
                    not self.auto_advance and wake not in self._released
                ):
                    if not self.auto_advance:
                        self._changed.wait()
                    elif self._may_jump_to(wake):
                        self._now += wake[0] - current
                        self._changed.notify_all()
                    else:
                        self._changed.wait(self.grace)
            finally:
                self._wakes.remove(wake)
                heapq.heapify(self._wakes)
                self._released.discard(wake)
                self._last_activity = time.monotonic()
                self._changed.notify_all()

    def drive(self, until: datetime | None = None, *, including: bool = True, timeout: float = 60.0) -> None:
        """Driver mode: let the running executions run, waking sleepers in order, up to ``until``
        (wake-ups at ``until`` itself only if ``including``; then the clock stands at ``until``), or with
        ``until`` None until no execution is running. ``timeout``: wall seconds an execution may take
        between two sleeps."""
        if self.auto_advance:
            raise RuntimeError("drive() is for a clock without auto_advance")
        with self._changed:
            while True:
                self._wait_idle(timeout)
                if until is None and self._running == 0:
                    return
                wake = self._wakes[0] if self._wakes else None
                due = wake is not None and (
                    until is None or wake[0] < until or (including and wake[0] == until)
                )
                if not due:
                    break
                assert wake is not None
                self._now = max(self._now, wake[0])
                self._released.add(wake)
                self._changed.notify_all()
                if not self._changed.wait_for(lambda w=wake: w not in self._wakes, timeout):  # type: ignore[misc]
                    raise TimeoutError(f"a sleeper released at {wake[0]} did not wake")
            if including and until is not None and until > self._now:
                self._now = until

    def idle(self, timeout: float = 60.0) -> None:
        """Driver mode: block until every running execution is asleep or done."""
        with self._changed:
            self._wait_idle(timeout)

    def _wait_idle(self, timeout: float) -> None:
        idle = self._changed.wait_for(
            lambda: self._busy == 0 and len(self._wakes) - len(self._released) >= self._running, timeout
        )
        if not idle:
            raise TimeoutError(f"{self._running} execution(s) still running after {timeout} s wall time")

    def _may_jump_to(self, wake: tuple[datetime, int]) -> bool:
        return (
            self.auto_advance
            and self._wakes[0] == wake
            and self._busy == 0
            and len(self._wakes) >= self._running
            and time.monotonic() - self._last_activity >= self.grace
        )
