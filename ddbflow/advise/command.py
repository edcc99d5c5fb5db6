"""`ddbflow advise`: the demand from CloudWatch (AWS, or `ddbflow serve` with --endpoint-url) or from a
trace CSV, the advice, the table and the HTML report. Bad input is one red sentence and exit code 2."""

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console

from ddbflow_lambda.core.target import Dimension, Target

from .advice import Advice, advise
from .costs import MAX_THROTTLED, throttled_fraction
from .metrics import AdviceInputError, check_coverage, read_metrics
from .prices import PriceFileMissing, load_prices
from .report import advice_table, own_bill_table, render_html, usage_line

TRACE_REGION = "us-east-1"  # a trace has no region: price it where DynamoDB's prices are quoted
FEW_DAYS = 7


@dataclass(frozen=True)
class Request:
    table: str | None = None
    index: str | None = None
    days: float = 14
    region: str | None = None
    endpoint_url: str | None = None
    trace: Path | None = None
    peak: float = 1000
    dimension: str = "write"
    end: str | None = None  # end of the window, ISO 8601 (UTC unless it says); default now (tests pin it)
    output: Path = Path("advise.html")
    max_throttled: float = MAX_THROTTLED
    as_json: bool = False  # one JSON object on stdout instead of the tables


def run(console: Console, request: Request) -> int:
    """The exit status: 0 with advice, 2 when the input cannot be advised on (said in one sentence)."""
    try:
        advice, details = _advice(console, request)
    except (AdviceInputError, PriceFileMissing) as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    except (BotoCoreError, ClientError) as exc:
        console.print(f"[red]reading {request.table}'s metrics failed: {exc}[/red]")
        return 2
    request.output.write_text(render_html(advice, details))
    if request.as_json:
        print(json.dumps(as_json(advice) | {"report": str(request.output)}))
        return 0
    for warning in advice.warnings:
        console.print(f"[yellow]⚠ {warning}[/yellow]")
    console.print(advice_table(advice))
    console.print(own_bill_table(advice))
    console.print(f"[dim]Counted in the replay: {usage_line(advice)}[/dim]")
    console.print(f"[bold]{advice.recommendation}[/bold]")
    console.print(f"Report: {request.output} ({request.output.stat().st_size:,} bytes)")
    return 0


def _window_end(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        end = datetime.fromisoformat(value)
    except ValueError:
        raise AdviceInputError(f"--end {value!r} is not an ISO 8601 time such as 2026-12-01T09:00") from None
    return end if end.tzinfo else end.replace(tzinfo=UTC)


def _advice(console: Console, request: Request) -> tuple[Advice, dict[str, Any]]:
    end = _window_end(request.end)
    if (request.trace is None) == (request.table is None):
        raise AdviceInputError("give either --table NAME (CloudWatch metrics) or --trace FILE (a CSV)")
    region = request.region or (TRACE_REGION if request.trace else _client_region(request.endpoint_url))
    if not region:
        raise AdviceInputError("no AWS region: pass --region or configure one (aws configure)")
    prices = load_prices(region)
    progress = _progress(Console(stderr=True))  # stdout stays the table (or the JSON)
    if request.trace is not None:
        advice = _from_trace(request, prices, progress)
    else:
        advice = _from_cloudwatch(request, region, end, prices, progress)
    advice.warnings += prices.stale(end.date())  # the run's date: --end pins it
    if advice.days < FEW_DAYS:
        advice.warnings.append(f"only {advice.days:.3g} days of demand: a week's cycle is not in it")
    details = {
        "source": advice.source,
        "window": f"{advice.days:.3g} days"
        + (f" from {advice.start:%Y-%m-%d %H:%M} UTC" if advice.start else ""),
        "prices": f"ddbflow/advise/prices/{region}.json",
        "throttling limit": f"{request.max_throttled:.2%} of demand",
        "current billing mode": advice.current_mode or "unknown (a trace)",
    }
    return advice, details


def _client_region(endpoint_url: str | None) -> str | None:
    """The region boto3 would use; the local world's for a local endpoint without one."""
    import boto3

    from ddbflow.executions import LOCAL_REGION

    region: str | None = boto3.Session().region_name
    return region or (LOCAL_REGION if endpoint_url else None)


def _from_trace(request: Request, prices: Any, progress: Any) -> Advice:
    from ddbflow.sim.trace import MINUTES_PER_DAY, load_csv

    assert request.trace is not None
    if request.dimension not in ("read", "write"):
        raise AdviceInputError(f"--dimension {request.dimension!r}: read or write")
    if not request.trace.is_file():
        raise AdviceInputError(f"{request.trace} is not a file")
    try:
        whole = load_csv(request.trace, request.peak)
    except (ValueError, KeyError) as exc:
        raise AdviceInputError(f"{request.trace} is not a usable trace: {exc}") from None
    held = whole.minutes / MINUTES_PER_DAY
    if held < request.days:
        raise AdviceInputError(
            f"{request.trace} holds {held:.1f} days, fewer than the {request.days:g} asked: "
            f"run again with --days {held:.1f}"
        )
    trace = load_csv(request.trace, request.peak, request.days)
    dimension: Dimension = "read" if request.dimension == "read" else "write"
    source = f"trace {request.trace.name} as {dimension}s, busiest minute {request.peak:g} units/s"
    return advise(
        request.trace.stem, source, {dimension: trace.demand}, prices,
        max_throttled=request.max_throttled, progress=progress,
    )  # fmt: skip


def _from_cloudwatch(request: Request, region: str, end: datetime, prices: Any, progress: Any) -> Advice:
    from ddbflow.executions import aws_client

    assert request.table is not None
    target = Target(request.table, request.index)
    cloudwatch = aws_client("cloudwatch", request.endpoint_url, region)
    dynamodb = aws_client("dynamodb", request.endpoint_url, region)
    metrics = read_metrics(cloudwatch, dynamodb, target, end, request.days)
    check_coverage(metrics, request.days)
    where = request.endpoint_url or f"CloudWatch {region}"
    advice = advise(
        target.label, f"one-minute metrics from {where}", dict(metrics.demand), prices,
        start=metrics.start, current_mode=metrics.billing_mode, max_throttled=request.max_throttled,
        progress=progress,
    )  # fmt: skip
    demanded = {d: sum(s) * 60 for d, s in metrics.demand.items()}
    for dimension, throttled in metrics.throttled.items():
        if demanded[dimension] and throttled / demanded[dimension] > request.max_throttled:
            advice.warnings.append(
                f"{target.label} already throttles {throttled / demanded[dimension]:.2%} of its {dimension}s "
                f"({metrics.billing_mode}): its real demand may be higher than what it asked for"
            )
    if metrics.replicas:
        advice.warnings.append(
            f"{target.label} is a global table ({metrics.replicas} replicas): replicated writes are priced "
            "apart and not in this advice"
        )
    return advice


def _progress(console: Console) -> Any:
    def said(what: str, done: int, total: int) -> None:
        console.print(f"[dim]{what}: {done / 60:,.0f} of {total / 60:,.0f} hours replayed[/dim]")

    return said


def as_json(advice: Advice) -> dict[str, Any]:
    return {
        "name": advice.name,
        "days": advice.days,
        "region": advice.prices.region,
        "current_mode": advice.current_mode,
        "demanded_units": {d: sum(s) * 60 for d, s in advice.demand.items()},
        "options": [
            {
                "name": o.name,
                "usd_per_month": o.dimension_cost,
                "own_usd_per_month": o.own,
                "total_usd_per_month": o.total,
                "throttled_fraction": throttled_fraction(o, advice.demanded),
                "note": o.note.strip(),
            }
            for o in advice.options
        ],
        "own_bill": advice.own_lines,
        "usage": asdict(advice.usage) if advice.usage else None,
        "recommendation": advice.recommendation,
        "warnings": advice.warnings,
    }
