"""The offline oracle: perfect foresight, the same decrease budget and update delay, least capacity-unit-
hours with capacity ≥ demand in every minute (it never counts on burst credit, so it never throttles).

Exact for that problem (whole capacity units, minute steps), by dynamic programming over *reset* times:
increases are free and, knowing the future, can be issued ``update_seconds`` early, so between two
decreases the cheapest capacity is the running maximum of what each minute needs; a decrease ("reset")
at minute t goes straight down to what minute t needs. A reset never costs more than not resetting, so
only the budget (``ddbflow_lambda.core.budget``, per UTC day of the UpdateTable call) limits them, and an
optimal schedule exists whose consecutive resets are less than two days apart (a longer gap contains a
whole UTC day without decreases, where one more is always allowed): the DP looks back ``WINDOW`` minutes.
"""

import math
from datetime import datetime, timedelta

import numpy as np

from ddbflow_lambda.core import budget

from .policy import UPDATE_SECONDS, Counts, Minute
from .table import SimTable

WINDOW = 2 * 1440  # minutes a reset looks back for the previous one (see the module docstring)
EXACT = True  # the schedule below is optimal, not a bound


def needs(demand: list[float] | tuple[float, ...], min_capacity: int, max_capacity: int) -> list[int]:
    """Whole capacity units each minute needs (clamped: beyond max_capacity nothing avoids throttling)."""
    return [max(min_capacity, min(max_capacity, math.ceil(round(d, 6)))) for d in demand]


def _spacing_allowed(max_k: int) -> np.ndarray:
    """allowed[k, gap]: may the (k+1)-th decrease of a UTC day follow the k-th by ``gap`` minutes (0..60,
    60 meaning an hour or more)? Straight from the budget rule."""
    now = datetime(2000, 1, 1, 12)
    return np.array(
        [
            [budget.decrease_allowed(k, now - timedelta(minutes=gap), now) for gap in range(61)]
            for k in range(max_k + 1)
        ]
    )


def plan(
    need: list[int],
    initial: int,
    start: datetime,
    update_seconds: float = UPDATE_SECONDS,
    window: int = WINDOW,
) -> list[int]:
    """The optimal capacity for each minute: ``need`` per minute, ``initial`` in effect at minute 0."""
    minutes = len(need)
    if minutes == 0:
        return []
    max_k = budget.MAX_DECREASES
    allowed = _spacing_allowed(max_k)[1:max_k]  # row k-1: k decreases already today
    # The UTC day a reset at minute t counts on is the day of its UpdateTable call, update_seconds earlier.
    day = [(start + timedelta(minutes=t, seconds=-update_seconds)).toordinal() for t in range(minutes)]
    first_of_day = [0] * minutes
    for t in range(1, minutes):
        first_of_day[t] = first_of_day[t - 1] if day[t] == day[t - 1] else t
    need_arr = np.array(need, dtype=np.float64)
    # cost[t, k]: least unit-minutes over [0, t) given a reset at t that is the (k+1)-th of its day.
    cost = np.full((minutes, max_k), np.inf)
    back = np.full((minutes, max_k, 2), -1, dtype=np.int64)  # previous reset (t, k); -1: from the start
    running = np.zeros(minutes)  # running max since a reset at t' (for t' in the window)
    segment = np.zeros(minutes)  # unit-minutes since a reset at t'
    initial_running, initial_segment = float(initial), 0.0
    for t in range(1, minutes + 1):
        level = need_arr[t - 1]  # minute t-1 joins every open segment
        lo = max(1, t - window)
        np.maximum(running[lo:t], level, out=running[lo:t])
        running[t - 1] = level  # a reset at t-1 starts at exactly what t-1 needs
        segment[lo:t] += running[lo:t]
        initial_running = max(initial_running, level)
        initial_segment += initial_running
        if t == minutes:
            break
        today = max(lo, first_of_day[t])
        _first_of_day(t, lo, today, cost, back, segment, initial_segment)
        _later_of_day(t, lo, today, cost, back, segment, allowed)
    total = cost[lo:] + segment[lo:, None]
    last: tuple[int, int] | None = None
    if total.size and total.min() < initial_segment:
        row, k = divmod(int(np.argmin(total)), max_k)
        last = (lo + row, k)
    resets = set()
    while last is not None:
        resets.add(last[0])
        previous = (int(back[last][0]), int(back[last][1]))
        last = previous if previous[0] >= 0 else None
    capacity, level_now = [], float(initial)
    for t, wanted in enumerate(need):
        level_now = wanted if t in resets else max(level_now, wanted)
        capacity.append(int(level_now))
    return capacity


def _first_of_day(
    t: int, lo: int, today: int, cost: np.ndarray, back: np.ndarray, segment: np.ndarray, from_start: float
) -> None:
    """A reset at t that is the first of its day: after any reset on an earlier day, or none at all."""
    cost[t, 0], back[t, 0] = from_start, (-1, -1)
    if today > lo:
        rows = cost[lo:today] + segment[lo:today, None]
        row, k = divmod(int(np.argmin(rows)), rows.shape[1])
        if rows[row, k] < cost[t, 0]:
            cost[t, 0], back[t, 0] = rows[row, k], (lo + row, k)


def _later_of_day(
    t: int,
    lo: int,
    today: int,
    cost: np.ndarray,
    back: np.ndarray,
    segment: np.ndarray,
    allowed: np.ndarray,
) -> None:
    """A reset at t that follows the k-th of the same day, if the budget allows it after that gap."""
    if today >= t:
        return
    block = cost[today:t, :-1] + segment[today:t, None]
    gaps = np.minimum(t - np.arange(today, t), 60)
    masked = np.where(allowed[:, gaps].T, block, np.inf)
    rows = np.argmin(masked, axis=0)
    values = masked[rows, np.arange(masked.shape[1])]
    better = values < cost[t, 1:]
    cost[t, 1:][better] = values[better]
    back[t, 1:][better] = np.stack([today + rows, np.arange(masked.shape[1])], axis=1)[better]


class Oracle:
    """Replays the optimal schedule on a simulated table, issuing each update ``update_seconds`` before
    the minute it is for (so the decrease budget is checked by the same table code as everyone's)."""

    name = "oracle"
    exact = EXACT

    def __init__(
        self,
        min_capacity: int,
        max_capacity: int,
        demand: list[float] | tuple[float, ...],
        update_seconds: float = UPDATE_SECONDS,
    ) -> None:
        self.table = SimTable(min_capacity, max_capacity, update_seconds)
        self.need = needs(demand, min_capacity, max_capacity)
        self.update_seconds = update_seconds
        self.schedule: list[int] = []

    def begin(self, start: datetime, capacity: int) -> None:
        self.table.begin(capacity)
        self.schedule = plan(self.need, self.table.capacity, start, self.update_seconds)

    def capacity_at(self, at: datetime) -> float:
        return self.table.capacity_during(at)

    def observe(self, minute: Minute) -> None:
        following = minute.index + 1
        if following < len(self.schedule):
            call = minute.at + timedelta(minutes=1, seconds=-self.update_seconds)
            self.table.update(call, self.schedule[following])

    def finish(self) -> Counts:
        return self.table.counts()
