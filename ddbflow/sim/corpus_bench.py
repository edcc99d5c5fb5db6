"""``ddbflow bench --corpus``: every policy on every trace of the development corpus (``corpus.py``), the
traces in parallel processes; per trace and in summary (geometric mean and worst case) the throttled
units and capacity-unit-hours as ratios to target tracking and to the oracle, the updates, the decreases
spent of the budget, and issue 12's targets, met or not; ``corpus.json``, ``corpus.md`` and a PNG per
trace.

Throttled ratios: a policy that throttles nothing has ratio 0 and a geometric mean of ratios with a 0 is
0, so both sides are floored at ``TOLERANCE`` of the trace's demand — the level issue 12 counts as
"throttles nothing". A ratio ≤ 1 then reads "no more than the reference, or nothing to speak of".
"""

import json
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

from ddbflow_lambda.core.budget import MAX_DECREASES

from . import corpus
from .bench import BASELINE, PRICES, bench_trace
from .trace import MINUTES_PER_DAY, Trace

ORACLE = "oracle"
REFERENCES = (BASELINE, ORACLE)
TOLERANCE = 0.001 / 100  # of demand: "target tracking throttles nothing" (issue 12)
CAPACITY_TARGET = 0.85  # × target tracking's capacity-unit-hours, on every trace
ORACLE_TARGET = 1.3  # × the oracle's, geometric mean
PLOTS = "corpus"  # the PNGs' folder inside the output folder
REPORT_EVERY = 60  # simulated minutes between progress reports

Row = dict[str, Any]

# -- per trace: ratios and targets -----------------------------------------------------------------------


def _floored(row: Row) -> float:
    return max(row["throttled_units"], TOLERANCE * row["demanded_units"])


def assess(entry: dict[str, Any]) -> dict[str, Any]:
    """Add to each row of one trace its floored throttled ratios, its decrease budget and, for a policy
    that is not a reference, issue 12's per-trace targets."""
    by_policy = {row["policy"]: row for row in entry["results"]}
    days = math.ceil(entry["minutes"] / MINUTES_PER_DAY)
    for row in entry["results"]:
        for reference in REFERENCES:
            other = by_policy.get(reference)
            key = "throttled_vs_" + reference.replace("-", "_")
            row[key + "_floored"] = _floored(row) / _floored(other) if other else None
        row["decrease_budget"] = MAX_DECREASES * days  # 27 a UTC day, each day the trace touches
        tt = by_policy.get(BASELINE)
        if tt and row["policy"] not in REFERENCES:
            row["targets"] = targets(row, tt)
    return entry


def targets(row: Row, tt: Row) -> dict[str, bool]:
    """Issue 12, per trace: throttled ≤ target tracking's (≤ TOLERANCE of demand where target tracking
    throttles nothing) and capacity-unit-hours ≤ CAPACITY_TARGET × target tracking's."""
    allowed = tt["throttled_units"] if tt["throttled_units"] > 0 else TOLERANCE * row["demanded_units"]
    return {
        "throttled": row["throttled_units"] <= allowed,
        "capacity": row["capacity_unit_hours"] <= CAPACITY_TARGET * tt["capacity_unit_hours"],
    }


# -- summary over a set of traces ------------------------------------------------------------------------

RATIOS = (
    "throttled_vs_target_tracking_floored",
    "throttled_vs_oracle_floored",
    "capacity_vs_target_tracking",
    "capacity_vs_oracle",
)


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def summarise(traces: dict[str, dict[str, Any]], names: Iterable[str]) -> dict[str, Row]:
    """Per policy over the named traces: geometric mean and worst (largest) of each ratio, total
    updates, decreases of the budget, and on how many traces the per-trace targets were met."""
    rows: dict[str, list[Row]] = {}
    for name in names:
        for row in traces[name]["results"]:
            rows.setdefault(row["policy"], []).append(row)
    summary = {}
    for policy, runs in rows.items():
        stats: Row = {"policy": policy, "traces": len(runs)}
        for key in RATIOS:
            values = [run[key] for run in runs if run.get(key) is not None]
            stats[key] = {"geomean": geomean(values), "worst": max(values)} if values else None
        stats["update_calls"] = sum(run["update_calls"] for run in runs)
        stats["decreases"] = sum(run["decreases"] for run in runs)
        stats["decrease_budget"] = sum(run["decrease_budget"] for run in runs)
        judged = [run["targets"] for run in runs if "targets" in run]
        if judged:
            stats["targets_met"] = {
                "throttled": sum(t["throttled"] for t in judged),
                "capacity": sum(t["capacity"] for t in judged),
                "both": sum(t["throttled"] and t["capacity"] for t in judged),
                "of": len(judged),
            }
            oracle = stats["capacity_vs_oracle"]
            stats["oracle_target_met"] = oracle is not None and oracle["geomean"] <= ORACLE_TARGET
        summary[policy] = stats
    return summary


# -- running the corpus, in parallel -------------------------------------------------------------------

Report = Callable[[str, str, int], None]  # (trace, policy, simulated minutes reached)
_report: Report | None = None  # how a worker says how far it got


def _worker_init(queue: Any) -> None:
    global _report
    _report = lambda trace, policy, minutes: queue.put((trace, policy, minutes))  # noqa: E731


def run_trace(name: str, load: Callable[[], Trace], policies: list[str], plots: Path) -> dict[str, Any]:
    """One trace, all policies (in a worker process or in this one)."""
    started = time.process_time()
    trace = load()

    def on_minute(policy: str, minute: int) -> None:
        done = minute + 1
        if _report and (done % REPORT_EVERY == 0 or done == trace.minutes):
            _report(name, policy, done)

    entry = bench_trace(trace, policies, plots, on_minute=on_minute)
    entry["plot"] = f"{PLOTS}/{entry['plot']}"
    entry["cpu_seconds"] = time.process_time() - started
    return entry


@dataclass
class Progress:
    """Simulated minutes reached over all (trace, policy) replays."""

    reached: dict[tuple[str, str], int] = field(default_factory=dict)

    def update(self, trace: str, policy: str, minutes: int) -> int:
        self.reached[(trace, policy)] = minutes
        return sum(self.reached.values())


def total_minutes(members: list[tuple[str, Callable[[], Trace]]]) -> int:
    """The traces' minutes (each built once here, for the progress bar's total)."""
    return sum(load().minutes for _, load in members)


Listener = Callable[[str, dict[str, Any] | BaseException], None]  # a trace finished (entry or error)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_all(
    members: list[tuple[str, Callable[[], Trace]]],
    policies: list[str],
    plots: Path,
    jobs: int,
    on_progress: Callable[[int], None] | None = None,
    on_trace: Listener | None = None,
) -> dict[str, dict[str, Any] | BaseException]:
    """Every trace; ``jobs`` > 1 in that many spawned processes. A trace that fails is reported with its
    exception and the others go on."""
    global _report
    progress = Progress()
    done: dict[str, dict[str, Any] | BaseException] = {}

    def finished(name: str, outcome: dict[str, Any] | BaseException) -> None:
        done[name] = outcome
        if on_trace:
            on_trace(name, outcome)

    def advance(trace: str, policy: str, reached: int) -> None:
        if on_progress:
            on_progress(progress.update(trace, policy, reached))

    if jobs <= 1:
        _report = advance
        try:
            for name, load in members:
                try:
                    finished(name, run_trace(name, load, policies, plots))
                except Exception as exc:  # one trace's failure is reported, the others run
                    finished(name, exc)
        finally:
            _report = None
        return done
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads and open engines
    queue = context.Queue()
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init, initargs=(queue,)) as pool:
        pending: dict[Future[dict[str, Any]], str] = {
            pool.submit(run_trace, name, load, policies, plots): name for name, load in members
        }
        while pending:
            ready, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            _drain(queue, advance)
            for future in ready:
                name = pending.pop(future)
                error = future.exception()
                finished(name, error if error else future.result())
        _drain(queue, advance)
    return done


def _drain(queue: Any, advance: Report) -> None:
    while True:
        try:
            advance(*queue.get_nowait())
        except Empty:
            return


# -- the report ------------------------------------------------------------------------------------------


def report(
    split: corpus.Split,
    peak: float,
    days: float | None,
    policies: list[str],
    outcomes: dict[str, dict[str, Any] | BaseException],
    order: list[str],
) -> dict[str, Any]:
    traces = {name: assess(entry) for name in order if isinstance(entry := outcomes[name], dict)}
    for name, entry in traces.items():
        entry["counts_as_result"] = corpus.counts_as_result(name)
        entry["shape"] = shape_of(name)
    failed = {name: repr(outcomes[name]) for name in order if isinstance(outcomes[name], BaseException)}
    result_set = [name for name in traces if traces[name]["counts_as_result"]]
    tuning_set = [name for name in traces if not traces[name]["counts_as_result"]]
    return {
        "prices": PRICES,
        "split": split,
        "peak": peak,
        "days": days,
        "policies": policies,
        "tolerance": TOLERANCE,
        "traces": traces,
        "failed": failed,
        "summary": {
            "result": {"traces": result_set, "policies": summarise(traces, result_set)},
            "tuning": {"traces": tuning_set, "policies": summarise(traces, tuning_set)},
        },
    }


def shape_of(name: str) -> str:
    seeds = {corpus.name(seed): seed for seed in corpus.ALL_SEEDS}
    if name in seeds:
        return corpus.describe(seeds[name]).split(": ", 1)[1]
    return "real trace (../shared/traces/, see its README)"


# Table columns: (header, cell from a row). Extend a table by appending to its list.


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _spread(stat: dict[str, float] | None) -> str:
    return "—" if stat is None else f"{stat['geomean']:.2f} / {stat['worst']:.2f}"


def _budget(row: Row) -> str:
    return f"{row['decreases']} / {row['decrease_budget']} ({row['decreases'] / row['decrease_budget']:.0%})"


Column = tuple[str, Callable[[Row], str]]

TRACE_COLUMNS: list[Column] = [
    ("trace", lambda r: r["trace"]),
    ("policy", lambda r: r["policy"]),
    ("throttled %", lambda r: f"{r['throttled_fraction'] * 100:.4f}"),
    ("throttled × TT", lambda r: _ratio(r["throttled_vs_target_tracking_floored"])),
    ("throttled × oracle", lambda r: _ratio(r["throttled_vs_oracle_floored"])),
    ("CU-hours", lambda r: f"{r['capacity_unit_hours']:,.0f}"),
    ("CU-hours × TT", lambda r: _ratio(r["capacity_vs_target_tracking"])),
    ("CU-hours × oracle", lambda r: _ratio(r["capacity_vs_oracle"])),
    ("updates", lambda r: str(r["update_calls"])),
    ("decreases / budget", _budget),
    ("simulated / wall", lambda r: f"{r['simulated_per_wall']:,.0f}"),
]

SUMMARY_COLUMNS: list[Column] = [
    ("policy", lambda s: s["policy"]),
    ("traces", lambda s: str(s["traces"])),
    ("throttled × TT (geomean / worst)", lambda s: _spread(s["throttled_vs_target_tracking_floored"])),
    ("throttled × oracle", lambda s: _spread(s["throttled_vs_oracle_floored"])),
    ("CU-hours × TT", lambda s: _spread(s["capacity_vs_target_tracking"])),
    ("CU-hours × oracle", lambda s: _spread(s["capacity_vs_oracle"])),
    ("updates", lambda s: f"{s['update_calls']:,}"),
    ("decreases / budget", _budget),
]


def trace_rows(report_: dict[str, Any]) -> list[Row]:
    return [row for entry in report_["traces"].values() for row in entry["results"]]


def table_lines(columns: list[Column], rows: Iterable[Row]) -> list[str]:
    """A markdown table."""
    headers = [header for header, _ in columns]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" if h in ("trace", "policy") else "---:" for h in headers) + "|",
    ]
    return lines + ["| " + " | ".join(cell(row) for _, cell in columns) + " |" for row in rows]


def _met(value: bool) -> str:
    return "met" if value else "**not met**"


def target_lines(report_: dict[str, Any]) -> list[str]:
    """Issue 12's targets per trace that counts as the result, for each policy that is not a reference."""
    lines = [
        "| trace | policy | throttled ≤ TT's | CU-hours ≤ 0.85 × TT's | CU-hours × oracle |",
        "|---|---|---|---|---:|",
    ]
    for name, entry in report_["traces"].items():
        if not entry["counts_as_result"]:
            continue
        by_policy = {row["policy"]: row for row in entry["results"]}
        tt = by_policy.get(BASELINE)
        for row in entry["results"]:
            if "targets" not in row or tt is None:
                continue
            met = row["targets"]
            lines.append(
                f"| {name} | {row['policy']} | {_met(met['throttled'])} ({row['throttled_fraction']:.4%} vs "
                f"{tt['throttled_fraction']:.4%}) | {_met(met['capacity'])} "
                f"({_ratio(row['capacity_vs_target_tracking'])}) | {_ratio(row['capacity_vs_oracle'])} |"
            )
    return lines


def summary_sentences(report_: dict[str, Any]) -> list[str]:
    sentences = []
    for stats in report_["summary"]["result"]["policies"].values():
        if "targets_met" not in stats:
            continue
        met, oracle = stats["targets_met"], stats["capacity_vs_oracle"]
        sentences.append(
            f"- **{stats['policy']}**: throttled ≤ target tracking's on {met['throttled']} of {met['of']} "
            f"traces, CU-hours ≤ {CAPACITY_TARGET} × target tracking's on {met['capacity']} of {met['of']} "
            f"(both on {met['both']}); CU-hours geometric mean {_spread(oracle)} × the oracle's "
            f"(target ≤ {ORACLE_TARGET}: {_met(stats['oracle_target_met'])})."
        )
    return sentences


SUMMARIES = (
    ("result", "the result (reporting half + real traces)"),
    ("tuning", "the tuning half (not the result)"),
)


def _summary_lines(report_: dict[str, Any]) -> list[str]:
    lines = []
    for key, label in SUMMARIES:
        summary = report_["summary"][key]
        if summary["traces"]:
            lines += [f"## Summary over {label}: {len(summary['traces'])} traces", ""]
            lines += table_lines(SUMMARY_COLUMNS, summary["policies"].values())
            lines += ["", *(summary_sentences(report_) if key == "result" else []), ""]
    return lines


def markdown(report_: dict[str, Any]) -> str:
    days = "whole traces" if report_["days"] is None else f"first {report_['days']:g} days"
    parts = [
        f"# ddbflow bench --corpus (split {report_['split']}, {days}, peak {report_['peak']:g} units/s)",
        "",
        "Ratios of throttled units are floored at 0.001 % of each trace's demand on both sides (see "
        "`ddbflow/sim/corpus_bench.py`). Summaries: geometric mean / worst case.",
        "",
        *_summary_lines(report_),
        "## Targets per trace (issue 12; the traces that count as the result)",
        "",
        *target_lines(report_),
        "",
        "## Per trace",
        "",
        *table_lines(TRACE_COLUMNS, trace_rows(report_)),
        "",
        "## The traces",
        "",
        *(_trace_line(name, entry) for name, entry in report_["traces"].items()),
    ]
    if report_["failed"]:
        parts += ["", "## Failed", "", *(f"- {name}: {why}" for name, why in report_["failed"].items())]
    return "\n".join(parts) + "\n"


def _trace_line(name: str, entry: dict[str, Any]) -> str:
    half = "result" if entry["counts_as_result"] else "tuning"
    days = entry["minutes"] / MINUTES_PER_DAY
    return f"- `{name}` ({half}, {days:.1f} days): {entry['shape']} — [plot]({entry['plot']})"


def write(report_: dict[str, Any], out_dir: Path) -> None:
    (out_dir / "corpus.json").write_text(json.dumps(report_, indent=2) + "\n")
    (out_dir / "corpus.md").write_text(markdown(report_))
