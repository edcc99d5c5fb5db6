"""One execution as a single self-contained HTML file — no network, no CDN: the state machine drawn
from its ASL (inline SVG, laid out by ddbflow.graph), the states visited marked, the failed state red,
the path taken drawn thick, and per state its input, output, error and timing; the decision on top."""

import json
from collections import defaultdict
from datetime import datetime
from html import escape
from typing import Any

from .engine import Execution
from .executions import decision_summary
from .graph import LAYER_GAP, NODE_WIDTH, Edge, Layout, Node, inner_offsets, layout
from .history import Visit, visits
from .report_map_runs import map_runs_section

MARGIN = 16.0


def render(
    execution: Execution,
    definition: dict[str, Any],
    machine: str,
    children: list[dict[str, Any]] | None = None,
) -> str:
    """``children``: a Distributed Map's child decisions, listed below the state visits."""
    found = visits(execution.events)
    graph = layout(definition)
    started = _started(execution, found)
    rows = "\n".join(_visit_row(number, visit, started) for number, visit in enumerate(found, 1))
    summary = decision_summary(execution.output, execution.error, execution.cause)
    return _PAGE.format(
        title=escape(f"{machine} · {execution.name}"),
        style=_STYLE,
        machine=escape(machine),
        name=escape(execution.name),
        arn=escape(execution.arn),
        status=escape(execution.status),
        status_class="ok" if execution.status == "SUCCEEDED" else "bad",
        timing=escape(_timing(execution, found)),
        summary=escape(summary or "(no output)"),
        error=_error_block(execution),
        svg=_svg(graph, found),
        rows=rows,
        map_runs=map_runs_section(execution, children),
        # JSON inside <script> is raw text: only "<" needs escaping (so no "</script>" can end it).
        data=json.dumps({"states": sorted(_names(graph)), "visits": len(found)}).replace("<", "\\u003c"),
        script=_SCRIPT,
    )


# -- the graph -----------------------------------------------------------------------------------------


def _names(graph: Layout) -> set[str]:
    return {node.name for node, _, _ in graph.all_nodes()}


def _taken(found: list[Visit]) -> set[tuple[str, str]]:
    """Consecutive states within the same scope (top level, or one Map iteration)."""
    last: dict[int | None, str] = {}
    pairs = set()
    for visit in found:
        if visit.iteration in last:
            pairs.add((last[visit.iteration], visit.name))
        last[visit.iteration] = visit.name
    return pairs


def _svg(graph: Layout, found: list[Visit]) -> str:
    by_state: dict[str, list[int]] = defaultdict(list)
    failed = set()
    for number, visit in enumerate(found, 1):
        by_state[visit.name].append(number)
        if visit.failed:
            failed.add(visit.name)
    parts: list[str] = []
    _draw(graph, MARGIN, MARGIN, by_state, failed, _taken(found), parts)
    width, height = graph.width + 2 * MARGIN, graph.height + 2 * MARGIN
    return (
        f'<svg class="graph" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'role="img" aria-label="state machine graph">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>' + "".join(parts) + "</svg>"
    )


def _draw(
    graph: Layout,
    dx: float,
    dy: float,
    by_state: dict[str, list[int]],
    failed: set[str],
    taken: set[tuple[str, str]],
    parts: list[str],
) -> None:
    for edge in graph.edges:
        pair = (edge.transition.source, edge.transition.target)
        classes = ["edge", edge.transition.kind] + (["taken"] if pair in taken else [])
        parts.append(
            f'<path class="{" ".join(classes)}" d="{_path(edge, dx, dy)}" marker-end="url(#arrow)">'
            f"<title>{escape(edge.transition.source)} → {escape(edge.transition.target)} "
            f"({edge.transition.kind})</title></path>"
        )
    for node in graph.nodes.values():
        parts.append(_node(node, dx, dy, by_state.get(node.name, []), node.name in failed))
        for inner, (ix, iy) in zip(node.inner, inner_offsets(node), strict=True):
            _draw(inner, dx + node.x + ix, dy + node.y + iy, by_state, failed, taken, parts)


def _path(edge: Edge, dx: float, dy: float) -> str:
    points = [(x + dx, y + dy) for x, y in edge.points]
    if edge.loop:
        return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    (x1, y1), (x2, y2) = points
    bend = max(12.0, (y2 - y1) / 2)
    # Straight down past other layers would run through the states between: bow out to the right.
    side = 0.75 * NODE_WIDTH if abs(x2 - x1) < NODE_WIDTH / 2 and y2 - y1 > 2 * LAYER_GAP else 0.0
    return (
        f"M{x1:.1f},{y1:.1f} C{x1 + side:.1f},{y1 + bend:.1f} {x2 + side:.1f},{y2 - bend:.1f} "
        f"{x2:.1f},{y2:.1f}"
    )


def _node(node: Node, dx: float, dy: float, numbers: list[int], failed: bool) -> str:
    state = "failed" if failed else "visited" if numbers else "unvisited"
    x, y = node.x + dx, node.y + dy
    label = node.name if len(node.name) <= 26 else node.name[:25] + "…"
    count = f' <tspan class="count">×{len(numbers)}</tspan>' if len(numbers) > 1 else ""
    rx = 18 if node.kind in ("Choice", "Succeed", "Fail") else 6
    text_y = y + (22 if node.inner else node.height / 2 + 5)
    body = (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{node.width:.1f}" height="{node.height:.1f}" rx="{rx}"/>'
        f'<text x="{x + node.width / 2:.1f}" y="{text_y:.1f}">{escape(label)}{count}</text>'
        f"<title>{escape(node.name)} ({node.kind}) — {state}"
        f"{', visits ' + ', '.join(f'#{n}' for n in numbers) if numbers else ''}</title>"
    )
    group = (
        f'<g class="state {state} {node.kind.lower()}" data-state="{escape(node.name)}" '
        f'data-visits="{" ".join(map(str, numbers))}">{body}</g>'
    )
    return f'<a href="#visit-{numbers[0]}">{group}</a>' if numbers else group


# -- the table of visits --------------------------------------------------------------------------------


def _started(execution: Execution, found: list[Visit]) -> datetime | None:
    if execution.events:
        value = execution.events[0]["timestamp"]
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found[0].entered if found else None


def _visit_row(number: int, visit: Visit, started: datetime | None) -> str:
    offset = f"+{(visit.entered - started).total_seconds():.3f} s" if started else ""
    took = f"{(visit.exited - visit.entered).total_seconds():.3f} s" if visit.exited else "—"
    attempts = str(visit.attempts) if visit.attempts else ""
    error = "\n".join(visit.errors)
    blocks = [("Input", visit.input), ("Output", visit.output), ("Error", error)]
    details = "".join(
        f'<div class="io"><h4>{title}</h4><pre>{escape(_pretty(text))}</pre></div>'
        for title, text in blocks
        if text
    )
    css = "failed" if visit.failed else ""
    return (
        f'<tr id="visit-{number}" class="visit {css}" data-state="{escape(visit.name)}">'
        f"<td>{number}</td><td>{escape(visit.state)}</td><td>{escape(visit.kind)}</td>"
        f"<td>{offset}</td><td>{took}</td><td>{attempts}</td>"
        f"<td><details><summary>{escape(_short(error or visit.result or visit.output))}</summary>"
        f"{details}</details></td></tr>"
    )


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _timing(execution: Execution, found: list[Visit]) -> str:
    if not execution.events:
        return ""
    first = execution.events[0]["timestamp"]
    last = execution.events[-1]["timestamp"]
    first = first if isinstance(first, datetime) else datetime.fromisoformat(str(first))
    last = last if isinstance(last, datetime) else datetime.fromisoformat(str(last))
    return (
        f"started {first:%Y-%m-%d %H:%M:%S} UTC · {(last - first).total_seconds():.3f} s · "
        f"{len(found)} states visited · {len(execution.events)} events"
    )


def _error_block(execution: Execution) -> str:
    if not execution.error:
        return ""
    return (
        f'<div class="error"><strong>{escape(execution.error)}</strong>'
        f"<pre>{escape(_pretty(execution.cause or ''))}</pre></div>"
    )


_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #16191f; }
header h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #545b64; font-size: 13px; word-break: break-all; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: 600; color: #fff; }
.badge.ok { background: #1d8102; } .badge.bad { background: #d13212; }
.summary { font-size: 17px; margin: 14px 0; padding: 10px 14px; background: #f2f8fd;
  border-left: 4px solid #0073bb; }
.error { background: #fdf3f1; border-left: 4px solid #d13212; padding: 8px 14px; margin-bottom: 14px; }
.graph-box { overflow: auto; border: 1px solid #d5dbdb; border-radius: 6px; max-height: 80vh; }
svg.graph { max-width: 100%; height: auto; display: block; }
svg .state rect { fill: #fff; stroke: #879596; stroke-width: 1.2; }
svg .state text { font-size: 12px; text-anchor: middle; fill: #16191f; }
svg .state.map > rect, svg .state.parallel > rect { fill: #fafafa; stroke-dasharray: 5 3; }
svg .state.visited > rect { fill: #e9f6e3; stroke: #1d8102; stroke-width: 2; }
svg .state.failed > rect { fill: #fde7e3; stroke: #d13212; stroke-width: 2.5; }
svg .state.unvisited text { fill: #687078; }
svg .state .count { font-weight: 700; }
svg .state.selected > rect { stroke: #0073bb; stroke-width: 3; }
svg .edge { fill: none; stroke: #aab7b8; stroke-width: 1.2; }
svg .edge.catch { stroke-dasharray: 4 3; }
svg .edge.taken { stroke: #0073bb; stroke-width: 3; }
svg marker path { fill: #879596; }
table { border-collapse: collapse; width: 100%; margin-top: 18px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaeded; vertical-align: top; }
tr.failed td { background: #fdf3f1; }
tr.selected td { background: #f2f8fd; }
pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0; font-size: 12px; }
.io h4 { margin: 6px 0 0; font-size: 12px; color: #545b64; }
.legend span { margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; border: 2px solid; vertical-align: -2px;
  margin-right: 4px; }
"""

_SCRIPT = """
(function () {
  // Click a state: select its visits below. Also a self-check that the graph and the table agree; the
  // marker it sets last is what tests read from the rendered DOM.
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const nodes = document.querySelectorAll("svg .state");
  const drawn = new Set(Array.from(nodes, (n) => n.dataset.state));
  const rows = document.querySelectorAll("tr.visit");
  for (const row of rows) {
    if (!drawn.has(row.dataset.state)) throw new Error("visited state not in graph: " + row.dataset.state);
  }
  if (drawn.size !== data.states.length || rows.length !== data.visits) {
    throw new Error("graph or table incomplete");
  }
  function select(state) {
    for (const n of nodes) n.classList.toggle("selected", n.dataset.state === state);
    for (const r of rows) {
      const on = r.dataset.state === state;
      r.classList.toggle("selected", on);
      if (on) r.querySelector("details").open = true;
    }
  }
  for (const n of nodes) n.addEventListener("click", () => select(n.dataset.state));
  const marker = document.getElementById("report-ready");
  marker.textContent = "rendered " + drawn.size + " states, " + rows.length + " visits";
  document.documentElement.dataset.reportReady = "1";
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{machine} · {name} <span class="badge {status_class}">{status}</span></h1>
<div class="meta">{arn}</div>
<div class="meta">{timing}</div>
</header>
<div class="summary">{summary}</div>
{error}
<div class="legend"><span><i style="border-color:#1d8102;background:#e9f6e3"></i>visited</span>
<span><i style="border-color:#d13212;background:#fde7e3"></i>failed</span>
<span><i style="border-color:#879596"></i>not visited</span>
<span><i style="border-color:#0073bb;background:#0073bb;height:3px;border-width:0"></i>path taken</span>
<span>dashed arrow: Catch</span></div>
<div class="graph-box">{svg}</div>
<table>
<thead><tr><th>#</th><th>State</th><th>Type</th><th>Entered</th><th>Took</th><th>Attempts</th>
<th>Result</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
{map_runs}
<p id="report-ready" class="meta"></p>
<script type="application/json" id="report-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
