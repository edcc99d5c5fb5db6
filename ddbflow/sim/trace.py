"""Traces: per-minute demand in capacity units per second, from a CSV or from a synthetic shape.

A CSV needs a ``minute`` column (offset from the start) and a ``mean_rps`` column; minutes absent from
the file had no requests. Every trace is scaled so that its busiest minute is ``peak`` units per second.
"""

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Trace:
    name: str
    demand: tuple[float, ...]  # capacity units per second wanted, one value per minute
    step_at: int | None = None  # a synthetic ×4 step's minute (recovery is measured from it)

    @property
    def minutes(self) -> int:
        return len(self.demand)


def scaled(
    name: str, values: list[float], peak: float, days: float | None = None, step_at: int | None = None
) -> Trace:
    """Cut to the first ``days`` and scale so the busiest minute of what is kept equals ``peak``."""
    if days is not None:
        values = values[: max(1, round(days * MINUTES_PER_DAY))]
    busiest = max(values, default=0.0)
    if busiest <= 0:
        raise ValueError(f"trace {name} has no demand to scale")
    return Trace(name, tuple(v * peak / busiest for v in values), step_at)


def load_csv(path: Path, peak: float, days: float | None = None) -> Trace:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"minute", "mean_rps"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path} lacks the column(s) {', '.join(sorted(missing))}")
        rows = {int(row["minute"]): float(row["mean_rps"]) for row in reader}
    if not rows:
        raise ValueError(f"{path} has no rows")
    first = min(rows)
    values = [rows.get(minute, 0.0) for minute in range(first, max(rows) + 1)]
    return scaled(path.stem, values, peak, days)


def _noisy(values: list[float], noise: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [max(0.0, v * (1 + rng.uniform(-noise, noise))) for v in values]


def step(
    peak: float, days: float = 1.0, at_minute: int | None = None, noise: float = 0.05, seed: int = 0
) -> Trace:
    """Demand at a quarter of the peak, then ×4 at ``at_minute`` (default: a quarter of the way in) and
    there for the rest of the trace."""
    minutes = round(days * MINUTES_PER_DAY)
    at_minute = minutes // 4 if at_minute is None else at_minute
    values = [0.25 if minute < at_minute else 1.0 for minute in range(minutes)]
    return scaled("step-x4", _noisy(values, noise, seed), peak, step_at=at_minute)


def ramp(peak: float, days: float = 1.0, noise: float = 0.05, seed: int = 0) -> Trace:
    """A linear climb from 5 % of the peak to the peak over the whole trace."""
    minutes = round(days * MINUTES_PER_DAY)
    values = [0.05 + 0.95 * minute / max(1, minutes - 1) for minute in range(minutes)]
    return scaled("ramp", _noisy(values, noise, seed), peak)


def spike(
    peak: float,
    days: float = 1.0,
    at_minute: int | None = None,
    length: int = 10,
    noise: float = 0.05,
    seed: int = 0,
) -> Trace:
    """A steady 20 % of the peak with one short burst to the peak (``length`` minutes, by default 40 %
    of the way in)."""
    minutes = round(days * MINUTES_PER_DAY)
    at_minute = round(minutes * 0.4) if at_minute is None else at_minute
    values = [1.0 if at_minute <= minute < at_minute + length else 0.2 for minute in range(minutes)]
    return scaled("spike", _noisy(values, noise, seed), peak)


SYNTHETIC: dict[str, Callable[..., Trace]] = {"step-x4": step, "ramp": ramp, "spike": spike}
