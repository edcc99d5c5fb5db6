"""The development corpus (issue 12): two real traces and seeded synthetic month-long traces.

A synthetic trace's shape is drawn from its seed alone: a daily cycle, a weekly cycle (the simulation's
minute 0 is a Monday, 00:00 UTC), a slow ramp, level shifts, short spikes (1–10 minutes), flash crowds
(×5–×20 of the traffic around them for 30–120 minutes), outages (minutes of zero traffic), a sparse table
of a few units per second, and noise (per-minute jitter on a slow random wander). ``describe(seed)`` says
what was drawn. Events are placed over the first ``MONTH_DAYS`` days; a longer trace continues the cycles
without new events, a shorter one is the prefix of the month (rescaled to ``peak``, as ``--days`` does for
a CSV), so ``--days 2`` shows the first two days of the same trace.

Splits: the seeds are split by parity into a tuning half and a reporting half. Only the reporting half
plus the two real traces (``REAL_TRACES``) counts as the result; the real traces are also allowed as
tuning material (issue 12: "tune only on NASA, worldcup98-dev and the tuning half"), so
``corpus("tuning")`` is the tuning seeds plus the real traces, and ``corpus("reporting")`` the reporting
seeds plus the real traces. Never tune on ``REPORTING_SEEDS``.

Determinism: only ``random.Random(seed).random()`` is used (Python guarantees its sequence across
versions); every other draw is derived from it here.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

from .trace import MINUTES_PER_DAY, Trace, load_csv, scaled

MONTH_DAYS = 30.0
TUNING_SEEDS: tuple[int, ...] = tuple(range(0, 24, 2))
REPORTING_SEEDS: tuple[int, ...] = tuple(range(1, 24, 2))
ALL_SEEDS: tuple[int, ...] = tuple(sorted(TUNING_SEEDS + REPORTING_SEEDS))

Split = Literal["tuning", "reporting", "all"]
SPLITS: tuple[Split, ...] = ("tuning", "reporting", "all")


def _shared_traces() -> Path:
    """``../shared/traces`` beside the project (the nearest such folder up the tree)."""
    project = Path(__file__).resolve().parents[2]
    for folder in (project, *project.parents):
        candidate = folder / "shared" / "traces"
        if candidate.is_dir():
            return candidate
    return project.parent / "shared" / "traces"


SHARED_TRACES = _shared_traces()
REAL_TRACES: tuple[Path, ...] = (
    SHARED_TRACES / "nasa-http-1995.csv",  # 58.6 days: the shipped defaults were first tuned on it
    SHARED_TRACES / "worldcup98-dev.csv",  # 54 days: growth and flash crowds
)

# -- the drawn shape -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something that happens once: from ``start`` (minute) for ``minutes``, multiplying by ``factor``
    (an outage: factor 0)."""

    start: int
    minutes: int
    factor: float

    @property
    def end(self) -> int:
        return self.start + self.minutes

    def at_day(self) -> str:
        return f"day {self.start / MINUTES_PER_DAY:.1f}"


@dataclass(frozen=True)
class Shape:
    seed: int
    daily: float  # amplitude of the daily cycle: 0 none, 0.95 → the night is 5 % of the busy hour
    busiest_hour: float  # UTC hour of the daily cycle's top
    sharpness: int  # 1: a sinusoid; higher: a narrower busy period
    weekend: float  # factor on Saturdays and Sundays (1: no weekly cycle)
    ramp: Event | None  # the level goes linearly (in log) from 1 to ``factor`` over the event
    shifts: tuple[Event, ...]  # from ``start`` on, the level is multiplied by ``factor``
    spikes: tuple[Event, ...]  # 1–10 minutes × factor
    flash_crowds: tuple[Event, ...]  # 30–120 minutes × 5–20, with a rise and a decay
    outages: tuple[Event, ...]  # zero traffic
    jitter: float  # per-minute relative noise (standard deviation)
    wander: float  # slow random wander of the level (standard deviation, in log)
    sparse: float | None  # a sparse table: mean units/s at level 1 (requests counted per minute)


class _Draw:
    """Every draw from ``random()`` alone (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed).random

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._random()

    def integer(self, low: int, high: int) -> int:
        """low..high inclusive."""
        return min(high, low + int(self._random() * (high - low + 1)))

    def chance(self, p: float) -> bool:
        return self._random() < p

    def log_uniform(self, low: float, high: float) -> float:
        return math.exp(self.uniform(math.log(low), math.log(high)))

    def normal(self) -> float:
        """Box–Muller."""
        return math.sqrt(-2 * math.log(1 - self._random())) * math.cos(2 * math.pi * self._random())

    def poisson(self, mean: float) -> int:
        if mean > 30:  # the normal approximation is close enough here
            return max(0, round(mean + math.sqrt(mean) * self.normal()))
        limit, count, product = math.exp(-mean), 0, self._random()
        while product > limit:
            count += 1
            product *= self._random()
        return count


MONTH = round(MONTH_DAYS * MINUTES_PER_DAY)
MARGIN = 20  # minutes kept free around every one-off event, so each shows on its own


class _Calendar:
    """Places one-off events without overlap (an outage inside a flash crowd would hide both)."""

    def __init__(self, draw: _Draw) -> None:
        self.draw = draw
        self.taken: list[tuple[int, int]] = []

    def place(self, minutes: int, factor: float) -> Event | None:
        for _ in range(50):
            start = self.draw.integer(MARGIN, MONTH - minutes - MARGIN)
            if all(start + minutes + MARGIN <= a or b + MARGIN <= start for a, b in self.taken):
                self.taken.append((start, start + minutes))
                return Event(start, minutes, factor)
        return None


def _events(calendar: _Calendar, count: int, length: tuple[int, int], factor: tuple[float, float]) -> tuple:
    drawn = [
        calendar.place(calendar.draw.integer(*length), calendar.draw.log_uniform(*factor))
        for _ in range(count)
    ]
    return tuple(sorted((e for e in drawn if e is not None), key=lambda e: e.start))


def _shift_factor(draw: _Draw) -> float:
    """×0.4–×0.67 or ×1.5–×3: a shift big enough to matter."""
    return draw.log_uniform(0.4, 0.67) if draw.chance(0.5) else draw.log_uniform(1.5, 3.0)


def shape(seed: int) -> Shape:
    """The shape drawn from ``seed``."""
    draw = _Draw(seed)
    daily = draw.uniform(0.3, 0.95) if draw.chance(0.85) else 0.0
    busiest_hour, sharpness = draw.uniform(0, 24), draw.integer(1, 3)
    weekend = draw.uniform(0.3, 0.85) if draw.chance(0.6) else 1.0
    ramp = None
    if draw.chance(0.45):
        length = draw.integer(2 * MINUTES_PER_DAY, 20 * MINUTES_PER_DAY)
        ramp = Event(draw.integer(0, MONTH - length), length, draw.log_uniform(0.35, 5.0))
    shifts = tuple(
        sorted(
            (Event(draw.integer(MINUTES_PER_DAY, MONTH - 1), 0, _shift_factor(draw)) for _ in range(3)),
            key=lambda e: e.start,
        )[: draw.integer(0, 3) if draw.chance(0.5) else 0]
    )
    calendar = _Calendar(draw)
    # Outages and flash crowds first: they are long and few, and must find room.
    outages = _events(calendar, draw.integer(1, 3) if draw.chance(0.4) else 0, (5, 240), (1.0, 1.0))
    outages = tuple(Event(e.start, e.minutes, 0.0) for e in outages)
    flash_crowds = _events(calendar, draw.integer(1, 4) if draw.chance(0.5) else 0, (30, 120), (5.0, 20.0))
    spikes = _events(calendar, draw.integer(5, 80) if draw.chance(0.7) else 0, (1, 10), (2.5, 8.0))
    jitter, wander = draw.uniform(0.01, 0.12), draw.uniform(0.0, 0.15)
    sparse = draw.log_uniform(0.2, 3.0) if draw.chance(0.2) else None
    return Shape(
        seed, daily, busiest_hour, sharpness, weekend, ramp, shifts, spikes, flash_crowds, outages,
        jitter, wander, sparse,
    )  # fmt: skip


# -- the trace from the shape ----------------------------------------------------------------------------


def _cycles(s: Shape, minute: int) -> float:
    hour = (minute % MINUTES_PER_DAY) / 60
    top = ((1 + math.cos(2 * math.pi * (hour - s.busiest_hour) / 24)) / 2) ** s.sharpness
    weekday = (minute // MINUTES_PER_DAY) % 7  # minute 0 is a Monday
    return (1 - s.daily + s.daily * top) * (s.weekend if weekday >= 5 else 1.0)


def _ramp(ramp: Event | None, minute: int) -> float:
    if ramp is None or minute < ramp.start:
        return 1.0
    done = min(1.0, (minute - ramp.start) / ramp.minutes)
    return float(ramp.factor**done)


def _crowd(event: Event, minute: int) -> float:
    """A flash crowd climbs for a tenth of its length, holds, and decays over its last third."""
    into = minute - event.start
    rise, fall = max(1, event.minutes // 10), max(1, event.minutes // 3)
    share = min(1.0, (into + 1) / rise, (event.minutes - into) / fall)
    return 1 + (event.factor - 1) * share


def _multipliers(s: Shape, minutes: int) -> list[float]:
    """Per minute: the one-off events' factor (spikes, flash crowds, outages)."""
    factor = [1.0] * minutes
    for event in s.spikes + s.outages:
        for minute in range(event.start, min(event.end, minutes)):
            factor[minute] = event.factor
    for event in s.flash_crowds:
        for minute in range(event.start, min(event.end, minutes)):
            factor[minute] = _crowd(event, minute)
    return factor


def levels(s: Shape, minutes: int) -> list[float]:
    """The noise-free relative level per minute (cycles × ramp × shifts × one-off events)."""
    shift_at = {e.start: e.factor for e in s.shifts}
    events = _multipliers(s, minutes)
    values, shift = [], 1.0
    for minute in range(minutes):
        shift *= shift_at.get(minute, 1.0)
        values.append(_cycles(s, minute) * _ramp(s.ramp, minute) * shift * events[minute])
    return values


def _noisy(s: Shape, values: list[float]) -> list[float]:
    draw = _Draw(s.seed * 7919 + 1)  # a stream of its own: the shape's draws stay as they are
    keep = 0.995  # the wander's per-minute correlation (a few hours' memory)
    spread = s.wander * math.sqrt(1 - keep * keep)
    wander, noisy = 0.0, []
    for value in values:
        wander = keep * wander + spread * draw.normal()
        level = value * math.exp(wander)
        if s.sparse is not None:  # a few requests a second: whole requests per minute
            noisy.append(draw.poisson(level * s.sparse * 60) / 60)
        else:
            noisy.append(max(0.0, level * (1 + s.jitter * draw.normal())))
    return noisy


def name(seed: int) -> str:
    return f"synthetic-{seed:02d}"


def synthetic(seed: int, peak: float = 1000.0, days: float = MONTH_DAYS) -> Trace:
    """The seed's trace, ``days`` long, its busiest minute scaled to ``peak`` — except a sparse table,
    which keeps its few units per second (its busiest minute is at most ``peak``)."""
    s = shape(seed)
    minutes = max(1, round(days * MINUTES_PER_DAY))
    values = _noisy(s, levels(s, max(minutes, MONTH)))[:minutes]
    if s.sparse is not None:
        busiest = max(values)
        peak = min(peak, busiest) if busiest > 0 else peak
    return scaled(name(seed), values, peak)


def describe(seed: int) -> str:
    """One sentence: what the seed drew."""
    s = shape(seed)
    parts = []
    if s.daily:
        parts.append(
            f"daily cycle (night at {1 - s.daily:.0%} of the busy hour, "
            f"busiest {s.busiest_hour:04.1f} h UTC, sharpness {s.sharpness})"
        )
    if s.weekend != 1.0:
        parts.append(f"weekends ×{s.weekend:.2f}")
    if s.ramp:
        parts.append(
            f"ramp ×{s.ramp.factor:.2f} from {s.ramp.at_day()} "
            f"over {s.ramp.minutes / MINUTES_PER_DAY:.1f} days"
        )
    if s.shifts:
        parts.append("level shifts " + ", ".join(f"{e.at_day()} ×{e.factor:.2f}" for e in s.shifts))
    if s.spikes:
        lengths = [e.minutes for e in s.spikes]
        factors = [e.factor for e in s.spikes]
        parts.append(
            f"{len(s.spikes)} short spikes ({min(lengths)}–{max(lengths)} min, "
            f"×{min(factors):.1f}–×{max(factors):.1f})"
        )
    if s.flash_crowds:
        parts.append(
            "flash crowds "
            + ", ".join(f"{e.at_day()} ×{e.factor:.0f} for {e.minutes} min" for e in s.flash_crowds)
        )
    if s.outages:
        parts.append("outages " + ", ".join(f"{e.at_day()} {e.minutes} min" for e in s.outages))
    if s.sparse is not None:
        parts.append(f"sparse table (~{s.sparse:.2f} units/s at the base level, whole requests)")
    parts.append(f"noise {s.jitter:.0%} per minute on a {s.wander:.0%} wander")
    return f"{name(seed)}: " + "; ".join(parts)


# -- the corpus ------------------------------------------------------------------------------------------


def seeds(split: Split) -> tuple[int, ...]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")
    return {"tuning": TUNING_SEEDS, "reporting": REPORTING_SEEDS, "all": ALL_SEEDS}[split]


def _real(peak: float, days: float | None) -> list[tuple[str, Callable[[], Trace]]]:
    missing = [str(path) for path in REAL_TRACES if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"the corpus's real traces are missing: {', '.join(missing)}")
    return [(path.stem, partial(load_csv, path, peak, days)) for path in REAL_TRACES]


def real_traces(peak: float = 1000.0, days: float | None = None) -> list[Trace]:
    return [load() for _, load in _real(peak, days)]


def loaders(
    split: Split, peak: float = 1000.0, days: float | None = None
) -> list[tuple[str, Callable[[], Trace]]]:
    """Each trace of the split by name, with a picklable function that builds it (so a worker process
    builds its own): the split's synthetic traces (``MONTH_DAYS`` long unless ``days``), then both real
    traces (all of each unless ``days``). Every split includes the real traces: they count as the result
    and may be tuned on (see the module docstring)."""
    synthetic_days = MONTH_DAYS if days is None else days
    made = [(name(seed), partial(synthetic, seed, peak, synthetic_days)) for seed in seeds(split)]
    return made + _real(peak, days)


def corpus(split: Split, peak: float = 1000.0, days: float | None = None) -> list[Trace]:
    """The split's traces, built (see ``loaders``)."""
    return [load() for _, load in loaders(split, peak, days)]


def counts_as_result(trace_name: str) -> bool:
    """The reporting half and the real traces count as the result; the tuning half does not."""
    reporting = {name(seed) for seed in REPORTING_SEEDS}
    return trace_name in reporting or trace_name in {path.stem for path in REAL_TRACES}
