"""The report's section on a Distributed Map: each map run of the execution (its ARN, outcomes counted)
and its child executions listed, failures first, from the map run's ResultWriter files — the parent's
history holds only MapRunStarted / MapRunSucceeded, whatever the number of children."""

from collections import Counter
from html import escape
from typing import Any

from .engine import Execution

LISTED_CHILDREN = 5000  # beyond that the page would be unwieldy; the result files hold every one


def map_run_arns(execution: Execution) -> list[str]:
    return [
        e["mapRunStartedEventDetails"]["mapRunArn"]
        for e in execution.events
        if e.get("type") == "MapRunStarted" and "mapRunStartedEventDetails" in e
    ]


def map_runs_section(execution: Execution, children: list[dict[str, Any]] | None) -> str:
    """``children``: the per-child decisions of the execution's map run (``scale_down_results.decisions``,
    failed children included), or None when they were not read."""
    arns = map_run_arns(execution)
    if not arns:
        return ""
    heading = "".join(f'<div class="meta">map run {escape(arn)}</div>' for arn in arns)
    if children is None:
        return f"<h2>Map runs</h2>{heading}<p class='meta'>child executions not read</p>"
    counts = Counter(str(c.get("outcome")) for c in children)
    listed = sorted(children, key=lambda c: (c.get("outcome") != "failed", _label(c)))[:LISTED_CHILDREN]
    rows = "\n".join(
        f'<tr class="{"bad" if c.get("outcome") == "failed" else ""}"><td>{escape(_label(c))}</td>'
        f"<td>{escape(str(c.get('outcome')))}</td><td>{escape(str(c.get('summary', '')))}</td></tr>"
        for c in listed
    )
    more = len(children) - len(listed)
    tail = f"<p class='meta'>{more:,} more in the map run's result files</p>" if more else ""
    totals = ", ".join(f"{n:,} {o}" for o, n in sorted(counts.items()))
    return (
        f"<h2>Map runs: {len(children):,} child executions ({escape(totals)})</h2>{heading}"
        "<table class='children'><thead><tr><th>Target</th><th>Outcome</th><th>Decision</th></tr></thead>"
        f"<tbody>\n{rows}\n</tbody></table>{tail}"
    )


def _label(child: dict[str, Any]) -> str:
    if "target" in child and isinstance(child["target"], str):
        return child["target"]
    index = child.get("index")
    return f"{child.get('table')}/{index}" if index else str(child.get("table"))
