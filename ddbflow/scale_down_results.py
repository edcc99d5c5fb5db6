"""A scale-down check's per-target decisions and its summary on the terminal. The execution's output
only counts them (it must stay small for 1,000 targets); the decisions themselves are in the map run's
result files, which its output points to."""

import json
from typing import Any

from rich.console import Console

from ddbflow_lambda.core.scale_down_summary import map_run_outcomes

from .engine import Execution
from .engine.quotas import MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES, Usage

EVERY_DECISION_UP_TO = 20  # a small account sees each decision; a big one its counts and failures


def decisions(s3: Any, output: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(decisions of the children that succeeded, failed children) of a finished scale-down check."""
    where = (output or {}).get("decisions") if isinstance(output, dict) else None
    if not isinstance(where, dict):
        return [], []
    bucket = where["bucket"]

    def read_json(key: str) -> Any:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    return map_run_outcomes(read_json(where["manifest"]), read_json)


def print_summary(
    console: Console, execution: Execution, done: list[dict[str, Any]], failed: list[dict[str, Any]]
) -> None:
    """Counts per outcome, the largest savings and every failure (``done``, ``failed``: ``decisions``,
    read while the engine ran; every failure is printed, also those the output could not list)."""
    output = execution.output if isinstance(execution.output, dict) else {}
    if "outcomes" not in output:
        return
    if len(done) <= EVERY_DECISION_UP_TO:
        for decision in done:
            console.print(f"  • {decision['summary']}")
    console.print(f"[bold]{output['summary']}[/bold]")
    for outcome, count in output["outcomes"].items():
        console.print(f"  {outcome:<10} {count:>6}")
    if output["largest_savings"]:
        console.print("Largest savings:")
        for saving in output["largest_savings"]:
            console.print(f"  • {saving['summary']}")
    failures = [d for d in done if d.get("outcome") == "failed"] + failed
    if failures:
        console.print(f"[red]Failures ({len(failures)}):[/red]")
        for failure in failures:
            console.print(f"  [red]• {failure['summary']}[/red]")
    where = output["decisions"]
    console.print(f"Every decision: s3://{where['bucket']}/{where['manifest']} and the control table's log")


def print_usage(console: Console, usage: Usage, execution: Execution) -> None:
    """The largest history and payload against Step Functions' quotas (25,000 events, 256 KiB)."""
    events, where = max((len(execution.events), "the parent execution"), usage.largest_history)
    size, state = usage.largest_payload
    console.print(
        f"Quotas: largest history {events:,} events ({where}; limit {MAX_HISTORY_EVENTS:,}); "
        f"largest payload {size:,} bytes ({state}; limit {MAX_PAYLOAD_BYTES:,})"
    )
