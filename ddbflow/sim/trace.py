"""Traces: per-minute demand in capacity units per second, from a CSV or from a synthetic shape.

A CSV needs a ``minute`` column (offset from the start) and a ``mean_rps`` column; minutes absent from
the file had no requests. Every trace is scaled so that its busiest minute is ``peak`` units per second.
"""

import csv
import math
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
    if not (math.isfinite(peak) and peak > 0):
        raise ValueError(f"peak must be a positive number of units per second, not {peak:g}")
    if days is not None and not (math.isfinite(days) and days > 0):
        raise ValueError(f"days must be a positive number, not {days:g}")
    if days is not None:
        values = values[: max(1, round(days * MINUTES_PER_DAY))]
    busiest = max(values, default=0.0)
    if busiest <= 0:
        raise ValueError(f"trace {name} has no demand to scale")
    return Trace(name, tuple(v * peak / busiest for v in values), step_at)


# A trace longer than this is almost surely a minute column in another unit (seconds, epoch time), and
# its gaps would be filled minute by minute.
MAX_MINUTES = 2 * 366 * MINUTES_PER_DAY


def load_csv(path: Path, peak: float, days: float | None = None) -> Trace:
    """A CSV trace; ValueError naming the file, the line and what is wrong with it for anything else
    than a header with ``minute`` and ``mean_rps`` over rows of a whole minute ≥ 0 (each once) and a
    finite demand ≥ 0."""
    try:
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None:
                raise ValueError(f"{path} is empty; expected a header with minute and mean_rps")
            missing = {"minute", "mean_rps"} - set(reader.fieldnames or [])
            if missing:
                raise ValueError(f"{path} lacks the column(s) {', '.join(sorted(missing))}")
            rows: dict[int, float] = {}
            for row in reader:
                minute, demand = _row(path, reader.line_num, row)
                if minute in rows:
                    raise ValueError(f"{path} line {reader.line_num}: minute {minute} appears twice")
                rows[minute] = demand
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a text CSV file ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise ValueError(f"{path} is not a readable CSV file: {exc}") from None
    except OSError as exc:
        raise ValueError(f"{path} cannot be read: {exc.strerror}") from None
    if not rows:
        raise ValueError(f"{path} has no rows")
    first = min(rows)
    if max(rows) - first >= MAX_MINUTES:
        raise ValueError(f"{path} spans {max(rows) - first + 1:,} minutes; at most {MAX_MINUTES:,} (2 years)")
    values = [rows.get(minute, 0.0) for minute in range(first, max(rows) + 1)]
    return scaled(path.stem, values, peak, days)


def _row(path: Path, line: int, row: dict[str | None, str | None]) -> tuple[int, float]:
    where = f"{path} line {line}"
    minute_text, demand_text = (row.get("minute") or "").strip(), (row.get("mean_rps") or "").strip()
    try:
        minute = int(minute_text)
    except ValueError:
        raise ValueError(f"{where}: minute {minute_text!r} is not a whole number") from None
    try:
        demand = float(demand_text)
    except ValueError:
        raise ValueError(f"{where}: mean_rps {demand_text!r} is not a number") from None
    if minute < 0:
        raise ValueError(f"{where}: minute {minute} is negative")
    if not math.isfinite(demand) or demand < 0:
        raise ValueError(f"{where}: mean_rps {demand_text} is not a finite number ≥ 0")
    return minute, demand


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
