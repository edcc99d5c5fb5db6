"""The benchmark: every policy on a real trace and on the synthetic loads; results, ratios, costs, plots."""

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .run import POLICIES, Result, simulate
from .trace import SYNTHETIC, Trace, load_csv

# Provisioned capacity, US East (N. Virginia), as published on aws.amazon.com/dynamodb/pricing/provisioned
WCU_HOUR, RCU_HOUR = 0.00065, 0.00013
PRICES: dict[str, Any] = {"region": "us-east-1", "wcu_hour": WCU_HOUR, "rcu_hour": RCU_HOUR}
BASELINE = "target-tracking"


def traces(csv: Path, peak: float, days: float | None, synthetic_days: float = 1.0) -> list[Trace]:
    short = min(synthetic_days, days) if days is not None else synthetic_days
    return [load_csv(csv, peak, days)] + [make(peak, short) for make in SYNTHETIC.values()]


def compare(results: list[Result]) -> list[dict[str, Any]]:
    """Each result's summary with its costs and its ratios to the oracle and to target tracking."""
    by_name = {r.policy: r for r in results}
    rows = []
    for result in results:
        row = result.summary()
        row["cost_usd_as_wcu"] = result.capacity_unit_hours * WCU_HOUR
        row["cost_usd_as_rcu"] = result.capacity_unit_hours * RCU_HOUR
        for reference, key in (("oracle", "vs_oracle"), (BASELINE, "vs_target_tracking")):
            other = by_name.get(reference)
            row[f"capacity_{key}"] = result.capacity_unit_hours / other.capacity_unit_hours if other else None
        baseline = by_name.get(BASELINE)
        row["throttled_vs_target_tracking"] = (
            result.throttled_units / baseline.throttled_units
            if baseline and baseline.throttled_units
            else None
        )
        rows.append(row)
    return rows


def run_bench(
    trace_list: Iterable[Trace],
    policies: list[str],
    out_dir: Path,
    on_run: Callable[[str, str, Result | str], None] | None = None,
) -> dict[str, Any]:
    """Run every policy on every trace; write results.json and one PNG per trace into ``out_dir``."""
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        raise LookupError(f"unknown policy {', '.join(unknown)}; known: {', '.join(POLICIES)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"prices": PRICES, "traces": {}}
    for trace in trace_list:
        report["traces"][trace.name] = bench_trace(trace, policies, out_dir, on_run)
    (out_dir / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / "results.md").write_text(f"{title(report)}\n\n{markdown(report)}")
    return report


def bench_trace(
    trace: Trace,
    policies: list[str],
    out_dir: Path,
    on_run: Callable[[str, str, Result | str], None] | None = None,
    on_minute: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Every policy on one trace: the compared rows, the policies skipped (and why), and its PNG in
    ``out_dir``. ``on_minute(policy, minute)`` follows each replay."""
    results, skipped = [], {}
    for name in policies:
        follow = (lambda minute, name=name: on_minute(name, minute)) if on_minute else None
        try:
            result = simulate(trace, name, on_minute=follow)
        except LookupError as exc:  # ddbflow's policy lives in another module; say so, go on
            skipped[name] = str(exc)
            if on_run:
                on_run(trace.name, name, str(exc))
            continue
        results.append(result)
        if on_run:
            on_run(trace.name, name, result)
    plot(trace, results, out_dir / f"{trace.name}.png")
    return {
        "minutes": trace.minutes,
        "peak": max(trace.demand),
        "results": compare(results),
        "skipped": skipped,
        "plot": f"{trace.name}.png",
    }


COLUMNS = (
    "trace",
    "policy",
    "throttled %",
    "capacity-unit-hours",
    "$ as WCU / RCU",
    "× oracle",
    "capacity / throttled × target tracking",
    "recover (min)",
    "updates / decreases",
    "simulated / wall",
)


def title(report: dict[str, Any]) -> str:
    prices = report["prices"]
    return (
        f"ddbflow bench — cost at {prices['region']} provisioned prices "
        f"(${prices['wcu_hour']}/WCU-hour, ${prices['rcu_hour']}/RCU-hour)"
    )


def cells(trace_name: str, row: dict[str, Any]) -> list[str]:
    """One table row."""

    def ratio(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    exact = row.get("exact")
    policy = row["policy"] + ("" if exact is None else " (exact)" if exact else " (lower bound)")
    recover = row["recover_minutes"]
    return [
        trace_name,
        policy,
        f"{row['throttled_fraction'] * 100:.4f}",
        f"{row['capacity_unit_hours']:,.0f}",
        f"{row['cost_usd_as_wcu']:,.2f} / {row['cost_usd_as_rcu']:,.2f}",
        ratio(row["capacity_vs_oracle"]),
        f"{ratio(row['capacity_vs_target_tracking'])} / {ratio(row['throttled_vs_target_tracking'])}",
        "—" if recover is None else str(recover),
        f"{row['update_calls']} / {row['decreases']}",
        f"{row['simulated_per_wall']:,.0f}",
    ]


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" if c in ("trace", "policy") else "---:" for c in COLUMNS) + "|",
    ]
    for trace_name, entry in report["traces"].items():
        lines += ["| " + " | ".join(cells(trace_name, row)) + " |" for row in entry["results"]]
    return "\n".join(lines) + "\n"


ZOOM_MINUTES = 1440  # the second panel: a day around the busiest minute


def plot(trace: Trace, results: list[Result], path: Path) -> None:
    """Demand and every policy's capacity: the whole trace, then the day around its busiest minute."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    busiest = max(range(trace.minutes), key=trace.demand.__getitem__)
    zoom_start = max(0, min(busiest - ZOOM_MINUTES // 2, trace.minutes - ZOOM_MINUTES))
    spans = [(0, trace.minutes, "whole trace")]
    if trace.minutes > ZOOM_MINUTES:
        spans.append((zoom_start, zoom_start + ZOOM_MINUTES, "the day around the busiest minute"))
    figure, panels = plt.subplots(len(spans), 1, figsize=(12, 4 * len(spans)), dpi=100, squeeze=False)
    for axes, (first, last, label) in zip(panels[:, 0], spans, strict=True):
        hours = [minute / 60 for minute in range(first, last)]
        axes.fill_between(
            hours, trace.demand[first:last], color="0.8", label="demand", step="post", linewidth=0
        )
        for result in results:
            axes.plot(
                hours, result.capacity[first:last], label=result.policy, linewidth=0.8, drawstyle="steps-post"
            )
        axes.set_xlabel("hours since the start of the trace")
        axes.set_ylabel("capacity units per second")
        axes.set_title(f"{trace.name}: demand and provisioned capacity, {label}")
        axes.set_xlim(hours[0], hours[-1])
        axes.set_ylim(bottom=0)
        axes.legend(loc="upper left", fontsize="small", ncols=3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
