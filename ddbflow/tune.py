"""`ddbflow tune`: the policy settings that suit one table's own traffic.

A coordinate descent over the settings in SEARCH_SPACE, each candidate replayed by the fast evaluator
(ddbflow/sim/fast.py: the machines' orchestration over the same core functions, held to the real replay by
tests/integration/test_fast_replay.py), looking for the fewest capacity-unit-hours whose throttled units
stay within a bound. A candidate is abandoned as soon as it has throttled more than the bound or spent
more capacity-unit-hours than the best so far (both only grow). The winner is then replayed through the
real state machines beside the shipped defaults and target tracking.
"""

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddbflow_lambda.core.config import Policy, validate_config
from ddbflow_lambda.core.errors import InvalidConfig

from .sim.bench import RCU_HOUR, WCU_HOUR
from .sim.ddbflow_policy import TABLE, DdbflowPolicy
from .sim.fast import FastDdbflow
from .sim.policy import Minute
from .sim.run import DEFAULT_MAX_CAPACITY, DEFAULT_MIN_CAPACITY, Result, built, simulate
from .sim.trace import MINUTES_PER_DAY, Trace

# Values tried per setting, around the shipped defaults (config_schema.json bounds each of them).
SEARCH_SPACE: dict[str, tuple[Any, ...]] = {
    "target_utilization": (0.7, 0.75, 0.8, 0.85, 0.9),
    "alarm_period_seconds": (60, 120, 300),
    "alarm_evaluation_periods": (1, 2, 3),
    "look_back_minutes": (10, 20, 30, 60),
    "decrease_headroom": (0.0, 0.05, 0.15),
    "min_step": (0.1, 0.2, 0.4),
    "decrease_after_low_checks": (1, 2, 3),
    "cooldown_seconds": (60, 120, 300),
}
FLOOR_FRACTION = 0.00001  # where target tracking throttles nothing, the bound is 0.001 % of demand


class _Pruned(Exception):
    """The candidate cannot win: over the throttle bound, or already dearer than the best."""


class _Bounded(FastDdbflow):
    """The fast evaluator that gives up as soon as the candidate cannot win."""

    def __init__(self, config: dict[str, Any], max_throttled: float, max_unit_hours: float) -> None:
        super().__init__(DEFAULT_MIN_CAPACITY, DEFAULT_MAX_CAPACITY, config=config)
        self.max_throttled, self.max_unit_minutes = max_throttled, max_unit_hours * 60
        self.throttled_so_far = self.unit_minutes = 0.0

    def observe(self, minute: Minute) -> None:
        self.throttled_so_far += minute.throttled
        self.unit_minutes += minute.capacity
        if self.throttled_so_far > self.max_throttled or self.unit_minutes > self.max_unit_minutes:
            raise _Pruned
        super().observe(minute)


@dataclass(frozen=True)
class Score:
    throttled: float
    unit_hours: float
    feasible: bool

    def better_than(self, other: "Score | None") -> bool:
        if other is None:
            return True
        if self.feasible != other.feasible:
            return self.feasible
        if self.feasible:
            return self.unit_hours < other.unit_hours
        return (self.throttled, self.unit_hours) < (other.throttled, other.unit_hours)


def table_config(settings: dict[str, Any], table: str = TABLE.table) -> dict[str, Any]:
    return {
        "defaults": {"min_capacity": DEFAULT_MIN_CAPACITY, "max_capacity": DEFAULT_MAX_CAPACITY},
        "tables": {table: dict(settings)},
    }


def valid(settings: dict[str, Any]) -> bool:
    """A combination the config accepts (e.g. DatapointsToAlarm ≤ EvaluationPeriods holds by default)."""
    try:
        validate_config(table_config(settings))
    except InvalidConfig:
        return False
    return True


@dataclass
class Search:
    trace: Trace
    max_throttled: float  # capacity units × seconds
    budget_seconds: float
    evaluated: dict[tuple[tuple[str, Any], ...], Score | None] = field(default_factory=dict)
    best: dict[str, Any] = field(default_factory=dict)
    best_score: Score | None = None
    passes: int = 0
    stopped_by_budget: bool = False

    def score(self, settings: dict[str, Any]) -> Score | None:
        """The candidate's score, or None when it was abandoned (it cannot beat the best)."""
        key = tuple(sorted(settings.items()))
        if key not in self.evaluated:
            best = self.best_score
            pruning = best is not None and best.feasible
            policy = _Bounded(
                table_config(settings),
                self.max_throttled if pruning else math.inf,
                best.unit_hours if pruning and best else math.inf,
            )
            try:
                result = simulate(self.trace, policy.name, make=built(policy))
            except _Pruned:
                self.evaluated[key] = None
            else:
                throttled, hours = result.throttled_units, result.capacity_unit_hours
                self.evaluated[key] = Score(throttled, hours, throttled <= self.max_throttled)
        return self.evaluated[key]

    def run(self, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
        """Coordinate descent from the shipped defaults until a pass improves nothing or the budget ends."""
        started = time.perf_counter()
        defaults = Policy().as_dict()
        self.best = {name: defaults[name] for name in SEARCH_SPACE}
        self.best_score = self.score(self.best)
        improved = True
        while improved:
            improved = False
            self.passes += 1
            for name, values in SEARCH_SPACE.items():
                for value in values:
                    if time.perf_counter() - started > self.budget_seconds:
                        self.stopped_by_budget = True
                        return self.best
                    candidate = self.best | {name: value}
                    if value == self.best[name] or not valid(candidate):
                        continue
                    score = self.score(candidate)
                    if score is not None and score.better_than(self.best_score):
                        self.best, self.best_score, improved = candidate, score, True
                        if progress:
                            progress(f"{name} = {value}: {score.unit_hours:,.0f} CU-hours")
        return self.best


def throttle_bound(trace: Trace, max_throttled_percent: float | None) -> tuple[float, str]:
    """Throttled units allowed: the given percent of demand, else target tracking's on the same trace
    (at least 0.001 % of demand where target tracking throttles nothing)."""
    demanded = sum(trace.demand) * 60
    if max_throttled_percent is not None:
        return demanded * max_throttled_percent / 100, f"--max-throttled {max_throttled_percent} %"
    tracking = simulate(trace, "target-tracking").throttled_units
    if tracking > 0:
        return tracking, f"target tracking's {tracking / demanded:.4%}"
    return demanded * FLOOR_FRACTION, "0.001 % of demand (target tracking throttles nothing)"


def changed_settings(settings: dict[str, Any]) -> dict[str, Any]:
    defaults = Policy().as_dict()
    return {name: value for name, value in settings.items() if defaults[name] != value}


def fragment(settings: dict[str, Any], table: str) -> dict[str, Any]:
    """A config that `ddbflow validate --config` accepts: the table with the tuned settings."""
    return validate_config({"tables": {table: changed_settings(settings)}})


def table_name(trace: Trace) -> str:
    """A DynamoDB table name from the trace's name (what the fragment calls the table until renamed)."""
    name = re.sub(r"[^a-zA-Z0-9_.-]+", "-", trace.name).strip("-")
    return name if len(name) >= 3 else f"{name}-table"


def replay_rows(trace: Trace, settings: dict[str, Any], days: float | None) -> tuple[Trace, list[Result]]:
    """Default and tuned through the real state machines, and target tracking, on the first ``days``."""
    if days is not None:
        trace = Trace(trace.name, trace.demand[: max(1, round(days * MINUTES_PER_DAY))], trace.step_at)
    rows = []
    for label, config in (("default", None), ("tuned", table_config(settings))):
        policy = DdbflowPolicy(DEFAULT_MIN_CAPACITY, DEFAULT_MAX_CAPACITY, config=config)
        result = simulate(trace, "ddbflow", make=built(policy))
        result.policy = f"{label} (real replay)"
        rows.append(result)
    rows.append(simulate(trace, "target-tracking"))
    return trace, rows


def fast_rows(trace: Trace, settings: dict[str, Any]) -> list[Result]:
    rows = []
    for label, config in (("default", None), ("tuned", table_config(settings))):
        policy = FastDdbflow(DEFAULT_MIN_CAPACITY, DEFAULT_MAX_CAPACITY, config=config)
        result = simulate(trace, policy.name, make=built(policy))
        result.policy = f"{label} (fast evaluator)"
        rows.append(result)
    rows.append(simulate(trace, "target-tracking"))
    return rows


def write_fragment(path: Path, settings: dict[str, Any], table: str) -> dict[str, Any]:
    document = fragment(settings, table)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return document


def results_table(title: str, rows: list[Result]) -> Any:
    """Rows side by side: throttled, CU-hours, $ at the published price, updates, decreases."""
    from rich.table import Table

    table = Table(title=title)
    for column in ("policy", "throttled", "throttled units", "CU-hours", "$ as RCU / as WCU", "updates",
                   "decreases", "wall s"):  # fmt: skip
        table.add_column(column, justify="left" if column == "policy" else "right")
    for row in rows:
        hours = row.capacity_unit_hours
        table.add_row(
            row.policy,
            f"{row.throttled_fraction:.4%}",
            f"{row.throttled_units:,.0f}",
            f"{hours:,.0f}",
            f"{hours * RCU_HOUR:,.2f} / {hours * WCU_HOUR:,.2f}",
            str(row.update_calls),
            str(row.decreases),
            f"{row.wall_seconds:.1f}",
        )
    return table


def report(
    console: Any,
    trace: Trace,
    max_throttled: float | None,
    budget: float,
    replay: bool,
    replay_days: float | None,
    out: Path | None,
    table: str | None,
) -> None:
    """`ddbflow tune`: search, the three rows by the fast evaluator and by the real replay, the fragment."""
    started, cpu = time.perf_counter(), time.process_time()
    bound, why = throttle_bound(trace, max_throttled)
    console.print(
        f"{trace.name}: {trace.minutes / MINUTES_PER_DAY:.1f} days; "
        f"throttled units allowed {bound:,.0f} ({why})"
    )
    search = Search(trace, bound, budget)
    best = search.run(lambda line: console.print(f"  {line}"))
    finished = sum(1 for score in search.evaluated.values() if score is not None)
    console.print(
        f"searched {len(search.evaluated)} candidates ({finished} replayed to the end, the rest abandoned "
        f"once they could not win) in {search.passes} passes: {time.perf_counter() - started:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s CPU" + (" (budget reached)" if search.stopped_by_budget else "")
    )
    if search.best_score is not None and not search.best_score.feasible:
        console.print(
            "[yellow]no candidate stays within the bound; the least throttling one is shown[/yellow]"
        )
    console.print(results_table(f"{trace.name}, fast evaluator", fast_rows(trace, best)))
    if replay:
        started, cpu = time.perf_counter(), time.process_time()
        cut, rows = replay_rows(trace, best, replay_days)
        title = f"{cut.name}, first {cut.minutes / MINUTES_PER_DAY:.1f} days, real state machines"
        console.print(results_table(title, rows))
        console.print(
            f"real replays: {time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
        )
    path = out or Path(f"tuned-{table_name(trace)}.json")
    document = write_fragment(path, best, table or table_name(trace))
    console.print(f"[green]✓ wrote {path}[/green] (check it with `ddbflow validate --config {path}`)")
    console.print_json(json.dumps(document))
