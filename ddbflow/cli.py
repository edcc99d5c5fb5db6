"""ddbflow's command line: run the real state machines locally, and the demo."""

import json
import logging
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from ddbflow_lambda.core.alarms import alarm_name, throttle_alarm_name
from ddbflow_lambda.core.cache import expired_entry
from ddbflow_lambda.core.target import DIMENSIONS, Dimension, Target

from .engine import Engine, Execution, Flow
from .engine.engine import PROJECT_ROOT
from .engine.template import Template
from .history import cause_message, history_table
from .instant import parse_at
from .scale_down_results import decisions as scale_down_decisions
from .sim.trace import Trace
from .validate import config_problems
from .windows import active_windows
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
FaultSpecs = Annotated[
    list[str] | None,
    typer.Option(
        "--fault",
        help="Inject a fault, repeatable: dynamodb.UpdateTable=ThrottlingException*2, "
        "cloudwatch.GetMetricData=InternalServiceError, UpdateTableFunction=timeout|error, "
        "CheckTableStatusFunction=delete-table",
    ),
]


def _at(text: str) -> Any:
    try:
        return parse_at(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


At = Annotated[
    Any,
    typer.Option(
        "--at", parser=_at, metavar="TIME", help="Engine time to start at, ISO-8601 UTC such as "
        "2026-11-30T08:30:00Z (default: now)",
    ),
]  # fmt: skip


RUN_TIMEOUT_SECONDS = 3600.0


@app.command()
def run(
    machine: Annotated[str, typer.Argument(help="scale-up | scale-down | cache-rebuild")],
    input_file: InputFile,
    config: ConfigFile = CONFIG,
    world: WorldFile = WORLD,
    verbose: Verbose = False,
    fault: FaultSpecs = None,
    at: At = None,
) -> None:
    """Start one execution on the embedded engine, wait for it and print its history and output. A
    DynamoDB stream event (events/ttl-remove.json) goes through the stream's event source mapping and
    starter function instead. Exits 0 only when every execution SUCCEEDED."""
    try:
        payload = json.loads(input_file.read_text())
    except ValueError as exc:
        console.print(f"[red]{input_file} is not valid JSON: {exc}[/red]")
        raise typer.Exit(2) from None
    # moto logs every failed state with its internals on stderr; the history and the output say it better.
    logging.getLogger("moto.stepfunctions.parser").setLevel(logging.INFO if verbose else logging.CRITICAL)
    with Engine(start=at, log_level="INFO" if verbose else "WARNING") as engine:
        if machine not in engine.machines:
            console.print(f"[red]unknown machine {machine!r}; known: {', '.join(engine.machines)}[/red]")
            raise typer.Exit(2)
        seed(engine, read_json(config), read_json(world))
        try:
            engine.faults.inject(*(fault or []))
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        if _is_stream_event(payload):
            executions = _deliver(engine, payload)
        elif machine == "cache-rebuild" and isinstance(payload, dict) and payload.get("Records") == []:
            console.print(
                "[yellow]Recorded skip: the stream event holds no records: nothing to deliver.[/yellow]"
            )
            executions = []
        else:
            # A scale-down over a thousand tables runs for minutes of wall time.
            executions = [engine.run(machine, payload, timeout=RUN_TIMEOUT_SECONDS)]
        fired, updates = engine.faults.fired, len(engine.dynamodb_model.updates)
        results = [scale_down_decisions(engine.s3, e.output) for e in executions if machine == "scale-down"]
    for execution in executions:
        show(execution)
    for execution, (done, failed) in zip(executions, results, strict=False):
        _scale_down_summary(engine, execution, done, failed)
    if fault:
        console.print(f"faults fired: {', '.join(fired) or 'none'}; UpdateTable calls accepted: {updates}")
    raise typer.Exit(0 if all(e.status == "SUCCEEDED" for e in executions) else 1)


def _scale_down_summary(
    engine: Engine, execution: Execution, done: list[dict[str, Any]], failed: list[dict[str, Any]]
) -> None:
    from .scale_down_results import print_summary, print_usage

    print_summary(console, execution, done, failed)
    print_usage(console, engine.usage, execution)


def _is_stream_event(payload: Any) -> bool:
    records = payload.get("Records") if isinstance(payload, dict) else None
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and r.get("eventSource") == "aws:dynamodb" for r in records)
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
        # The starter's own rule (core/cache.py) says why each record started nothing.
        ttl = engine.ttl_attributes.get(engine.names["CacheTable"], "")
        why = dict.fromkeys(expired_entry(r, ttl)[1].removeprefix("skipped: ") for r in event["Records"])
        console.print(
            f"[yellow]Recorded skip: no execution started ({'; '.join(w for w in why if w)}).[/yellow]"
        )
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
def demo(
    runs: Annotated[int, typer.Option(help="Extra runs to time a local scale-up")] = 5, at: At = None
) -> None:
    """A CloudWatch alarm on a provisioned table starts a scale-up execution on the embedded engine; then
    the scheduled scale-down check runs over every managed table and GSI."""
    orders = Target("orders")
    with Engine(start=at) as engine:
        seed(engine, read_json(CONFIG), read_json(WORLD), traffic=False)
        alarm, throttled = alarm_name(orders, "write"), throttle_alarm_name(orders, "write")
        before, threshold_before = engine.capacity(orders)["write"], engine.alarm(alarm)["Threshold"]
        periods = engine.alarm(alarm)["EvaluationPeriods"]
        console.print(
            f"Table [bold]orders[/bold]: {before} WCU; alarm [bold]{alarm}[/bold] at Sum > "
            f"{threshold_before:g} per minute for {periods} minutes, alarm [bold]{throttled}[/bold] on any "
            "throttled request.\nTraffic: 96 WCU/s consumed + 6 throttled requests/s for a minute…"
        )
        started = engine.publish([Flow(orders, "write", 96, throttled_per_second=6)], minutes=1)
        if len(started) != 1:
            console.print(
                f"[red]expected the throttle alarm to start one execution, it started {len(started)}[/red]"
            )
            raise typer.Exit(1)
        console.print(
            f"{throttled} → ALARM; EventBridge rule started [bold]{started[0].rsplit(':', 1)[-1]}[/bold]"
        )
        execution = engine.wait(started[0])
        show(execution)
        after, threshold_after = engine.capacity(orders)["write"], engine.alarm(alarm)["Threshold"]
        console.print(
            f"orders WCU [bold]{before} → {after}[/bold]; alarm threshold {threshold_before:g} → "
            f"{threshold_after:g}; table {engine.capacity(orders)['table_status']}"
        )
        console.rule("Scale-down: the hourly check over every managed table and GSI, 15 minutes later")
        engine.clock.advance(15 * 60)
        for window in active_windows(read_json(CONFIG), engine.clock.now()):
            console.print(f"[yellow]{window}: this check raises it if it is below.[/yellow]")
        check = engine.run("scale-down", read_json(SCHEDULE))
        show(check)
        for decision in scale_down_decisions(engine.s3, check.output)[0]:
            console.print(f"  • {decision['summary']}")
        console.rule("Cache rebuild: one cache key refreshing itself as its TTL expires, for an hour")
        _show_cache_refreshes(engine, minutes=60)
        write_reports(engine, Path("reports"))
        wall = [_timed_manual_run(engine, dimension) for dimension in DIMENSIONS * runs]
    if wall:
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
        # The sentence, not the Lambda error's stack trace around it.
        else {"error": execution.error, "cause": cause_message(execution.cause or "")}
    )
    summary = body.get("summary") if isinstance(body, dict) else None
    console.print(
        Panel(
            json.dumps(body, indent=2, ensure_ascii=False),
            title=f"[{style}]{execution.status}[/{style}] {execution.name}",
            subtitle=summary,
        )
    )


# --- simulator and benchmark (ddbflow/sim) ---

# ../shared/traces beside the project (the nearest such folder up the tree, for clones kept deeper).
NASA_TRACE = next(
    (
        folder / "shared" / "traces" / "nasa-http-1995.csv"
        for folder in PROJECT_ROOT.parents
        if (folder / "shared" / "traces" / "nasa-http-1995.csv").is_file()
    ),
    PROJECT_ROOT.parent / "shared" / "traces" / "nasa-http-1995.csv",
)
Peak = Annotated[float, typer.Option(help="Scale the trace so its busiest minute is this many units/s")]
Days = Annotated[float | None, typer.Option(help="Only the first N days of the trace")]


def _trace(spec: str, peak: float, days: float | None, seed: int = 0) -> Trace:
    from .sim.trace import SYNTHETIC, load_csv

    path = Path(spec)
    if not (spec in SYNTHETIC or path.is_file()):
        raise typer.BadParameter(f"{spec} is neither a CSV file nor one of {', '.join(SYNTHETIC)}")
    try:
        if spec in SYNTHETIC and not path.exists():
            return SYNTHETIC[spec](peak, days or 1.0, seed=seed)
        return load_csv(path, peak, days)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command()
def simulate(
    trace: Annotated[str, typer.Option(help="CSV with minute and mean_rps columns, or step-x4|ramp|spike")],
    policy: Annotated[str, typer.Option(help="ddbflow | target-tracking | dynamic-dynamodb | blog | oracle")],
    peak: Peak = 1000,
    days: Days = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    seed: Annotated[int, typer.Option(help="Noise seed of a synthetic load")] = 0,
) -> None:
    """Replay a trace against one scaling policy in virtual time; print throttling and capacity used."""
    from rich.progress import Progress

    from .sim.run import POLICIES
    from .sim.run import simulate as run_simulation

    if policy not in POLICIES:
        raise typer.BadParameter(f"unknown policy {policy!r}; known: {', '.join(POLICIES)}")
    loaded = _trace(trace, peak, days, seed)
    progress = Progress(console=Console(stderr=True), disable=as_json, transient=True)
    with progress:
        task = progress.add_task(f"{policy} on {loaded.name}", total=loaded.minutes)

        def advance(minute: int) -> None:
            if minute % 1440 == 1439 or minute == loaded.minutes - 1:
                progress.update(task, completed=minute + 1)

        try:
            result = run_simulation(loaded, policy, on_minute=advance)
        except LookupError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.summary()))
        return
    console.print(
        f"{policy} on {loaded.name}: {result.minutes} minutes, throttled {result.throttled_fraction:.4%}, "
        f"{result.capacity_unit_hours:,.0f} capacity-unit-hours, {result.update_calls} updates "
        f"({result.decreases} decreases), {result.wall_seconds:.2f} s wall "
        f"(simulated/wall {result.simulated_per_wall:,.0f})"
    )


@app.command()
def bench(
    trace: Annotated[Path, typer.Option(help="Real trace (CSV)")] = NASA_TRACE,
    peak: Peak = 1000,
    days: Annotated[
        float | None,
        typer.Option(help="Days of the real trace (default 30; synthetic: 1); --corpus: of each trace"),
    ] = None,
    policies: Annotated[str | None, typer.Option(help="Comma-separated policies (default: all)")] = None,
    out: Annotated[Path, typer.Option(help="Where results.json and the PNGs go")] = Path("bench"),
    corpus: Annotated[
        bool, typer.Option("--corpus", help="The development corpus instead: corpus.json, corpus.md")
    ] = False,
    split: Annotated[str, typer.Option(help="--corpus: tuning | reporting | all")] = "all",
    jobs: Annotated[int | None, typer.Option(help="--corpus: parallel processes (default: cores)")] = None,
    only: Annotated[
        str | None, typer.Option("--traces", help="--corpus: only these traces (comma-separated names)")
    ] = None,
) -> None:
    """Every policy on the real trace and on synthetic loads (×4 step, ramp, spike): a table, then
    bench/results.json and a PNG per trace of demand vs each policy's capacity. With --corpus: every
    policy on every trace of the development corpus (ddbflow/sim/corpus.py), in parallel."""
    from .sim.bench import run_bench, traces
    from .sim.run import POLICIES

    names = [p.strip() for p in policies.split(",")] if policies else list(POLICIES)
    if corpus:
        from .corpus_cli import bench_corpus
        from .sim.corpus_bench import default_jobs

        chosen = [t.strip() for t in only.split(",")] if only else None
        bench_corpus(console, split, peak, days, names, default_jobs() if jobs is None else jobs, out, chosen)
        return
    days = 30 if days is None else days
    if not trace.is_file():
        raise typer.BadParameter(f"{trace} not found")

    def said(trace_name: str, policy: str, outcome: object) -> None:
        if isinstance(outcome, str):
            console.print(f"[yellow]{trace_name}: {outcome}[/yellow]")
        else:
            console.print(f"[dim]{trace_name}: {policy} done[/dim]")

    try:
        loaded = traces(trace, peak, days)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        report = run_bench(loaded, names, out, on_run=said)
    except LookupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(bench_table(report))
    plots = ", ".join(str(out / entry["plot"]) for entry in report["traces"].values())
    console.print(f"Results in {out / 'results.json'}; plots {plots}")


def bench_table(report: dict[str, Any]) -> Table:
    from .sim.bench import COLUMNS, cells, title

    table = Table(title=title(report))
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in ("trace", "policy") else "right")
    for trace_name, entry in report["traces"].items():
        for row in entry["results"]:
            table.add_row(*cells(trace_name, row))
    return table


# -- the local endpoint and auditing (ddbflow/serve.py, executions.py, report.py) ----------------------

EndpointUrl = Annotated[
    str | None,
    typer.Option(help="e.g. http://127.0.0.1:8083 for `ddbflow serve`; default: AWS with your credentials"),
]


@contextmanager
def _endpoint_errors() -> Iterator[None]:
    """An unknown ARN, missing credentials or an endpoint that is down: one red line and exit 1."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError, LookupError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port)")] = 8083,
    config: ConfigFile = CONFIG,
    world: WorldFile = WORLD,
    verbose: Verbose = False,
    at: At = None,
) -> None:
    """An AWS-compatible endpoint on 127.0.0.1 with the project's state machines, their handlers, the
    engine's DynamoDB, alarms, schedules and TTL running. Ctrl-C stops it."""
    from .serve import serve_forever

    raise typer.Exit(
        serve_forever(console, port, read_json(config), read_json(world), verbose=verbose, at=at)
    )


@app.command()
def history(execution_arn: str, endpoint_url: EndpointUrl = None) -> None:
    """An execution's events as the Step Functions console lists them, then its decision."""
    from .executions import decision_summary, fetch
    from .history import events_table

    with _endpoint_errors():
        execution, _ = fetch(execution_arn, endpoint_url)
    console.print(events_table(execution.events))
    style = "green" if execution.status == "SUCCEEDED" else "red"
    summary = decision_summary(execution.output, execution.error, execution.cause)
    console.print(f"[{style}]{execution.status}[/{style}] {summary}")


@app.command()
def executions(
    machine: Annotated[
        str | None, typer.Argument(help="scale-up, a machine name or ARN; default all")
    ] = None,
    endpoint_url: EndpointUrl = None,
    region: Annotated[str | None, typer.Option(help="Default: your configured region")] = None,
    limit: Annotated[int, typer.Option(help="Most recent N")] = 20,
) -> None:
    """Recent executions with their status and one-line decision."""
    from .executions import execution_lines, executions_table, stepfunctions

    with _endpoint_errors():
        lines = execution_lines(stepfunctions(endpoint_url, region), machine, limit)
    console.print(executions_table(lines))


@app.command()
def report(
    execution_arn: str,
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False, help="HTML file to write")],
    endpoint_url: EndpointUrl = None,
) -> None:
    """One self-contained HTML file: the machine's graph with the path taken, every state's input,
    output, error and timing, and the decision on top."""
    from .executions import fetch, map_run_children
    from .report import render

    with _endpoint_errors():
        execution, machine = fetch(execution_arn, endpoint_url)
        children = map_run_children(execution, endpoint_url)
    output.write_text(render(execution, json.loads(machine["definition"]), machine["name"], children))
    console.print(f"{output} ({output.stat().st_size:,} bytes): {execution.status} {execution.name}")


def write_reports(engine: Engine, folder: Path) -> list[Path]:
    """The latest execution of every machine as an HTML report (`make demo`)."""
    from .report import render

    folder.mkdir(exist_ok=True)
    written = []
    for machine, arn in engine.machines.items():
        runs = engine.sfn.list_executions(stateMachineArn=arn)["executions"]
        if not runs:
            continue
        latest = max(runs, key=lambda run: run["startDate"])
        execution = engine.wait(latest["executionArn"])
        definition = json.loads(engine.sfn.describe_state_machine(stateMachineArn=arn)["definition"])
        path = folder / f"{machine}.html"
        done, failed = scale_down_decisions(engine.s3, execution.output)
        path.write_text(render(execution, definition, machine, done + failed if done or failed else None))
        written.append(path)
    console.rule("Execution reports (open in a browser)")
    for path in written:
        console.print(f"  {path.resolve()}")
    return written


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


@app.command("world")
def world_command(
    out: Annotated[Path, typer.Option(help="Directory for config.json and world.json")],
    tables: Annotated[int, typer.Option(help="Provisioned tables, all managed")] = 1000,
    gsis: Annotated[int, typer.Option(help="How many of them have one GSI")] = 500,
) -> None:
    """Generate a config and a world of many tables and GSIs (busy, idle and their GSIs) for
    `ddbflow run scale-down --config OUT/config.json --world OUT/world.json`."""
    # Imported here so this block merges apart from the other commands' imports.
    from .big_world import write

    try:
        config_path, world_path = write(tables, gsis, out)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"[green]✓ {config_path} and {world_path}: {tables} tables, {gsis} GSIs[/green]")


# --- advise: on-demand or provisioned, on the table's own traffic (ddbflow/advise) ---


@app.command("advise")
def advise_command(
    table: Annotated[
        str | None, typer.Option(help="Table whose one-minute CloudWatch metrics to read")
    ] = None,
    index: Annotated[str | None, typer.Option(help="A global secondary index of --table")] = None,
    days: Annotated[
        float, typer.Option(help="Days of demand (CloudWatch keeps one-minute data 15 days)")
    ] = 14,
    region: Annotated[
        str | None, typer.Option(help="Region (metrics and prices); default your AWS config")
    ] = None,
    endpoint_url: EndpointUrl = None,
    trace: Annotated[
        Path | None, typer.Option(help="A trace CSV (minute, mean_rps) instead of a table")
    ] = None,
    peak: Annotated[
        float, typer.Option(help="--trace: scale its busiest minute to this many units/s")
    ] = 1000,
    dimension: Annotated[str, typer.Option(help="--trace: read it as reads or writes")] = "write",
    end: Annotated[str | None, typer.Option(help="End of the window, ISO 8601 UTC (default: now)")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML report to write")] = Path(
        "advise.html"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead")] = False,
) -> None:
    """On-demand or provisioned — fixed, target tracking, ddbflow (replayed through the real state
    machines, its own AWS bill included) or reserved — priced on the table's own traffic."""
    # Imported here so this block merges apart from the other commands' imports.
    from .advise.command import Request, run

    request = Request(
        table, index, days, region, endpoint_url, trace, peak, dimension, end, output, as_json=as_json
    )
    raise typer.Exit(run(console, request))


# --- tune: settings for one table's own traffic (ddbflow/tune.py) ---


@app.command("tune")
def tune_command(
    trace: Annotated[Path, typer.Option(help="CSV with minute and mean_rps columns (../shared/traces/)")],
    max_throttled: Annotated[
        float | None,
        typer.Option(help="Throttled units allowed, % of demand (default: what target tracking throttles)"),
    ] = None,
    peak: Peak = 1000,
    days: Annotated[float | None, typer.Option(help="Tune on the first N days of the trace")] = None,
    replay_days: Annotated[
        float | None, typer.Option(help="Replay through the real state machines only the first N days")
    ] = None,
    replay: Annotated[bool, typer.Option(help="Check the winner through the real state machines")] = True,
    budget: Annotated[float, typer.Option(help="Wall seconds the search may take")] = 50.0,
    out: Annotated[
        Path | None, typer.Option(help="Config fragment to write (default tuned-<trace>.json)")
    ] = None,
    table: Annotated[
        str | None, typer.Option(help="Table name in the fragment (default: the trace's)")
    ] = None,
) -> None:
    """Search the policy settings for the fewest capacity-unit-hours within a throttling bound on your own
    traffic (fast evaluator), replay the winner through the real state machines beside the defaults and
    target tracking, and write the tuned settings as a config fragment."""
    from .tune import report

    report(console, _trace(str(trace), peak, days), max_throttled, budget, replay, replay_days, out, table)
