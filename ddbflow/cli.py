"""ddbflow's command line: run the real state machines locally, and the demo."""

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel

from ddbflow_lambda.core.target import DIMENSIONS, Dimension, Target

from .engine import Engine, Execution, Flow
from .engine.engine import PROJECT_ROOT
from .engine.template import Template
from .history import history_table
from .validate import config_problems
from .world import CONFIG, SCHEDULE, WORLD, read_json, seed

app = typer.Typer(
    help="DynamoDB capacity and cache workflows on Step Functions, run locally.", no_args_is_help=True
)
# Wide enough for the history table when output is piped (CI logs, make demo | tee).
console = Console() if sys.stdout.isatty() else Console(width=160)

InputFile = Annotated[
    Path, typer.Option("--input", "-i", exists=True, dir_okay=False, help="Execution input")
]
ConfigFile = Annotated[Path, typer.Option("--config", exists=True, dir_okay=False, help="ddbflow config")]
WorldFile = Annotated[
    Path, typer.Option("--world", exists=True, dir_okay=False, help="Local tables and traffic")
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show the handlers' Powertools logs")]


@app.command()
def run(
    machine: Annotated[str, typer.Argument(help="scale-up | scale-down | cache-rebuild")],
    input_file: InputFile,
    config: ConfigFile = CONFIG,
    world: WorldFile = WORLD,
    verbose: Verbose = False,
) -> None:
    """Start one execution on the embedded engine, wait for it and print its history and output. A
    DynamoDB stream event (events/ttl-remove.json) goes through the stream's event source mapping and
    starter function instead. Exits 0 only when every execution SUCCEEDED."""
    try:
        payload = json.loads(input_file.read_text())
    except ValueError as exc:
        console.print(f"[red]{input_file} is not valid JSON: {exc}[/red]")
        raise typer.Exit(2) from None
    with Engine(log_level="INFO" if verbose else "WARNING") as engine:
        if machine not in engine.machines:
            console.print(f"[red]unknown machine {machine!r}; known: {', '.join(engine.machines)}[/red]")
            raise typer.Exit(2)
        seed(engine, read_json(config), read_json(world))
        if _is_stream_event(payload):
            executions = _deliver(engine, payload)
        else:
            executions = [engine.run(machine, payload)]
    for execution in executions:
        show(execution)
    raise typer.Exit(0 if all(e.status == "SUCCEEDED" for e in executions) else 1)


def _is_stream_event(payload: Any) -> bool:
    records = payload.get("Records") if isinstance(payload, dict) else None
    return (
        isinstance(records, list)
        and bool(records)
        and all(r.get("eventSource") == "aws:dynamodb" for r in records)
    )


def _deliver(engine: Engine, event: dict[str, Any]) -> list[Execution]:
    """A DynamoDB stream event goes where the stream would take it: through the event source mapping
    (its filter included) to the starter function, which starts the executions."""
    before = engine.execution_arns()
    for delivery in engine.streams.deliver(event):
        key = json.dumps(delivery.key, separators=(",", ":"))
        outcome = delivery.outcome if delivery.outcome != "processed" else "delivered to the starter function"
        style = "yellow" if "filtered" in outcome else "green"
        console.print(f"[{style}]{delivery.event_name} {key}: {outcome}[/{style}]")
    executions = [engine.wait(arn) for arn in sorted(engine.execution_arns() - before)]
    if not executions:
        console.print("[yellow]Recorded skip: no execution started (not a TTL deletion).[/yellow]")
    for execution in executions:
        if isinstance(execution.output, dict) and "key" in execution.output:
            entry = engine.get_plain(engine.names["CacheTable"], {"key": execution.output["key"]})
            console.print(Panel(json.dumps(entry, indent=2, ensure_ascii=False), title="Rebuilt cache entry"))
    return executions


@app.command()
def validate(
    config: ConfigFile = CONFIG,
    prefix: Annotated[str | None, typer.Option(help="ManagedTableNamePrefix you deploy with")] = None,
) -> None:
    """Check a config against the schema and against template.yaml. Exits 1 naming every problem."""
    problems = config_problems(config, Template.load(PROJECT_ROOT), prefix)
    for problem in problems:
        console.print(f"[red]✗ {problem}[/red]")
    if problems:
        raise typer.Exit(1)
    console.print(f"[green]✓ {config} is valid for this template[/green]")


@app.command()
def demo(runs: Annotated[int, typer.Option(help="Extra runs to time a local scale-up")] = 5) -> None:
    """A CloudWatch alarm on a provisioned table starts a scale-up execution on the embedded engine; then
    the scheduled scale-down check runs over every managed table and GSI."""
    orders = Target("orders")
    with Engine() as engine:
        seed(engine, read_json(CONFIG), read_json(WORLD), traffic=False)
        alarm = "ddbflow-orders::write-high"
        before, threshold_before = engine.capacity(orders)["write"], engine.alarm(alarm)["Threshold"]
        console.print(
            f"Table [bold]orders[/bold]: {before} WCU, alarm [bold]{alarm}[/bold] at "
            f"Sum > {threshold_before:g} per minute.\n"
            "Traffic: 96 WCU/s consumed + 6 throttled requests/s, minute after minute…"
        )
        started = engine.publish([Flow(orders, "write", 96, throttled_per_second=6)], minutes=2)
        if len(started) != 1:
            console.print(f"[red]expected the alarm to start one execution, it started {len(started)}[/red]")
            raise typer.Exit(1)
        console.print(f"Alarm → ALARM; EventBridge rule started [bold]{started[0].rsplit(':', 1)[-1]}[/bold]")
        execution = engine.wait(started[0])
        show(execution)
        after, threshold_after = engine.capacity(orders)["write"], engine.alarm(alarm)["Threshold"]
        console.print(
            f"orders WCU [bold]{before} → {after}[/bold]; alarm threshold {threshold_before:g} → "
            f"{threshold_after:g}; table {engine.capacity(orders)['table_status']}"
        )
        console.rule("Scale-down: the scheduled check over every managed table and GSI, 15 minutes later")
        engine.clock.advance(15 * 60)
        check = engine.run("scale-down", read_json(SCHEDULE))
        show(check)
        for decision in (check.output or {}).get("decisions", []):
            console.print(f"  • {decision['summary']}")
        console.rule("Cache rebuild: one cache key refreshing itself as its TTL expires, for an hour")
        _show_cache_refreshes(engine, minutes=60)
        wall = [_timed_manual_run(engine, dimension) for dimension in DIMENSIONS * runs]
    median = statistics.median(wall) * 1000
    console.print(f"Median wall time of one local scale-up execution: {median:.0f} ms")
    ok = execution.status == "SUCCEEDED" and after > before and check.status == "SUCCEEDED"
    raise typer.Exit(0 if ok else 1)


def _show_cache_refreshes(engine: Engine, minutes: int) -> None:
    key = "top-products#books"
    for _ in range(minutes):
        engine.step(60)
    runs = [
        engine.wait(e["executionArn"])
        for e in engine.sfn.list_executions(stateMachineArn=engine.machines["cache-rebuild"])["executions"]
    ]
    for run in sorted(runs, key=lambda r: r.events[0]["timestamp"]):
        started = run.events[0]["timestamp"]
        console.print(f"  {started:%H:%M:%S}  {(run.output or {}).get('summary', run.error)}")
    entry = engine.get_plain(engine.names["CacheTable"], {"key": key}) or {}
    top = ", ".join(p["name"] for p in entry.get("value", []))
    console.print(f"  {key} now holds: {top}; TTL {entry.get('expires_at')}")


def _timed_manual_run(engine: Engine, dimension: Dimension) -> float:
    engine.clock.advance(3600)  # out of cooldown, table ACTIVE
    engine.publish([Flow(Target("sessions"), dimension, 9.5)], minutes=2, evaluate=False)
    start = time.perf_counter()
    execution = engine.run("scale-up", {"table": "sessions", "dimension": dimension})
    if execution.status != "SUCCEEDED":
        raise RuntimeError(f"timing run failed: {execution.error} {execution.cause}")
    return time.perf_counter() - start


def show(execution: Execution) -> None:
    console.print(history_table(execution.events))
    style = "green" if execution.status == "SUCCEEDED" else "red"
    body: Any = (
        execution.output
        if execution.output is not None
        else {"error": execution.error, "cause": execution.cause}
    )
    summary = body.get("summary") if isinstance(body, dict) else None
    console.print(
        Panel(
            json.dumps(body, indent=2, ensure_ascii=False),
            title=f"[{style}]{execution.status}[/{style}] {execution.name}",
            subtitle=summary,
        )
    )


# --- load-config: the deploy path (README, "Deploy to AWS") ---


@app.command("load-config")
def load_config_command(
    config: Annotated[Path, typer.Option("--config", exists=True, dir_okay=False, help="ddbflow config")],
    table: Annotated[str, typer.Option(help="The stack's ControlTableName output")],
    prefix: Annotated[str | None, typer.Option(help="ManagedTableNamePrefix you deployed with")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region (default: your AWS config)")] = None,
    alarm_topic_arn: Annotated[
        str | None, typer.Option(help="The AlarmTopicArn output, when deployed with AlarmTransport=SNS")
    ] = None,
    alarms: Annotated[bool, typer.Option(help="Also create each managed target's scale-up alarms")] = True,
) -> None:
    """Validate a config (as `validate` does), store it in a deployed stack's control table and create the
    scale-up alarm of every managed table and GSI at its current capacity, with your AWS credentials.
    Executions read the config from their next Load Policy / List Managed Targets on."""
    # Imported here so this block merges apart from the other commands' imports.
    from .deploy import LoadFailed, arm_alarms, load_config

    try:
        loaded = load_config(config, table, Template.load(PROJECT_ROOT), prefix, region)
    except LoadFailed as exc:
        for problem in str(exc).split("; "):
            console.print(f"[red]✗ {problem}[/red]")
        console.print(f"[red]nothing written to {table}[/red]")
        raise typer.Exit(1) from None
    tables, caches = len(loaded.get("tables", {})), len(loaded.get("caches", {}))
    console.print(f"[green]✓ {config} ({tables} tables, {caches} caches) loaded into {table}[/green]")
    if not alarms:
        return
    report = arm_alarms(loaded, [alarm_topic_arn] if alarm_topic_arn else [], region)
    for line in report:
        console.print(f"[{'green' if line.startswith('✓') else 'red'}]{line}[/]")
    if any(line.startswith("✗") for line in report):
        raise typer.Exit(1)
