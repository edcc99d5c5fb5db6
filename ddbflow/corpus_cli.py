"""``ddbflow bench --corpus`` on the terminal: a progress bar with the simulated time reached and the
speed, each trace's table as it finishes, then the summaries and the targets (``sim/corpus_bench.py``)."""

import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .sim import corpus, corpus_bench
from .sim.corpus_bench import SUMMARY_COLUMNS, TRACE_COLUMNS, Column, Row
from .sim.run import POLICIES
from .sim.trace import MINUTES_PER_DAY


def rich_table(title: str, columns: list[Column], rows: list[Row]) -> Table:
    table = Table(title=title)
    for header, _ in columns:
        table.add_column(header, justify="left" if header in ("trace", "policy") else "right")
    for row in rows:
        table.add_row(*(cell(row) for _, cell in columns))
    return table


def _bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[simulated]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def bench_corpus(
    console: Console,
    split: str,
    peak: float,
    days: float | None,
    policies: list[str],
    jobs: int,
    out: Path,
    only: list[str] | None = None,
) -> None:
    if split not in corpus.SPLITS:
        raise typer.BadParameter(f"unknown split {split!r}; known: {', '.join(corpus.SPLITS)}")
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        raise typer.BadParameter(f"unknown policy {', '.join(unknown)}; known: {', '.join(POLICIES)}")
    if jobs < 1:
        raise typer.BadParameter("--jobs needs at least 1")
    try:
        members = corpus.loaders(split, peak, days)
    except FileNotFoundError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if only:
        known = [name for name, _ in members]
        missing = [name for name in only if name not in known]
        if missing:
            raise typer.BadParameter(f"not in split {split}: {', '.join(missing)}; it has {', '.join(known)}")
        members = [(name, load) for name, load in members if name in only]
    plots = out / corpus_bench.PLOTS
    plots.mkdir(parents=True, exist_ok=True)
    started, cpu = time.perf_counter(), time.process_time()
    with _bar(console) as progress:
        outcomes = _run(progress, members, policies, jobs, plots, started)
    report = corpus_bench.report(split, peak, days, policies, outcomes, [name for name, _ in members])
    corpus_bench.write(report, out)
    _print_summary(console, report)
    wall = time.perf_counter() - started
    cpu_total = time.process_time() - cpu + sum(e["cpu_seconds"] for e in report["traces"].values())
    console.print(
        f"{len(report['traces'])} traces × {len(policies)} policies in {wall:,.0f} s wall, "
        f"{cpu_total:,.0f} s CPU ({jobs} jobs); {out / 'corpus.md'}, {out / 'corpus.json'}, plots in {plots}/"
    )
    if report["failed"]:
        raise typer.Exit(1)


def _run(
    progress: Progress,
    members: list[tuple[str, Any]],
    policies: list[str],
    jobs: int,
    plots: Path,
    started: float,
) -> dict[str, Any]:
    task = progress.add_task(f"{len(members)} traces × {len(policies)} policies", total=None, simulated="")
    total: list[int] = []

    def on_progress(reached: int) -> None:
        seconds = time.perf_counter() - started
        speed = reached * 60 / seconds if seconds > 0 else 0.0
        progress.update(
            task,
            total=total[0] if total else None,
            completed=reached,
            simulated=f"{reached / MINUTES_PER_DAY:,.1f} simulated days, {speed:,.0f}× real time",
        )

    def on_trace(name: str, outcome: dict[str, Any] | BaseException) -> None:
        if isinstance(outcome, BaseException):
            progress.console.print(f"[red]{name} failed: {outcome!r}[/red]")
            return
        corpus_bench.assess(outcome)
        half = "counts as the result" if corpus.counts_as_result(name) else "tuning half"
        title = f"{name} ({half}; {outcome['cpu_seconds']:,.0f} s CPU)"
        progress.console.print(rich_table(title, TRACE_COLUMNS, outcome["results"]))
        progress.console.print(f"[dim]{name}: {corpus_bench.shape_of(name)}[/dim]")

    total.append(corpus_bench.total_minutes(members) * len(policies))
    return corpus_bench.run_all(members, policies, plots, jobs, on_progress=on_progress, on_trace=on_trace)


def _print_summary(console: Console, report: dict[str, Any]) -> None:
    for key, label in reversed(corpus_bench.SUMMARIES):
        summary = report["summary"][key]
        if summary["traces"]:
            title = f"Summary over {label}: {len(summary['traces'])} traces (geomean / worst)"
            console.print(rich_table(title, SUMMARY_COLUMNS, list(summary["policies"].values())))
    for line in corpus_bench.summary_sentences(report):
        console.print(line)
