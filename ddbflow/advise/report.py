"""The advice as a rich table and as one self-contained HTML file (the picture inline as a base64 PNG)."""

import base64
import html
import io
from typing import Any

from rich.table import Table

from .advice import Advice
from .costs import throttled_fraction

COLUMNS = (
    "option",
    "read $/month",
    "write $/month",
    "ddbflow's own $/month",
    "total $/month",
    "throttled %",
    "",
)


def rows(advice: Advice) -> list[list[str]]:
    out = []
    for option in advice.options:
        out.append(
            [
                option.name,
                *(
                    f"{option.dimension_cost[d]:,.2f}" if d in option.dimension_cost else "—"
                    for d in ("read", "write")
                ),
                f"{option.own:,.2f}" if option.name == "ddbflow" else "—",
                f"{option.total:,.2f}",
                f"{throttled_fraction(option, advice.demanded) * 100:.4f}",
                option.note.strip(),
            ]
        )
    return out


def title(advice: Advice) -> str:
    return (
        f"{advice.name}: {advice.days:.3g} days of demand ({advice.source}), "
        f"{advice.prices.region} prices, $ per month of 730 hours"
    )


def advice_table(advice: Advice) -> Table:
    table = Table(title=title(advice))
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in ("option", "") else "right")
    for row in rows(advice):
        table.add_row(*row)
    return table


def own_bill_table(advice: Advice) -> Table:
    table = Table(title="ddbflow's own bill, counted from the replay ($ per month)")
    table.add_column("line")
    table.add_column("$/month", justify="right")
    for line, cost in advice.own_lines.items():
        table.add_row(line, f"{cost:,.4f}")
    return table


def usage_line(advice: Advice) -> str:
    """What the replay counted, in one line."""
    if advice.usage is None:
        return "no ddbflow replay"
    u = advice.usage
    return (
        f"{u.executions:,} executions, {u.transitions:,} state transitions, {u.lambda_requests:,} Lambda "
        f"requests ({u.lambda_gb_seconds:,.2f} GB-s), {u.metrics_requested:,} metrics requested, "
        f"{u.alarms} alarms, over {u.hours:,.3g} h"
    )


def plot_png(advice: Advice) -> bytes:
    """Demand and each option's capacity, one panel per dimension."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dimensions = list(advice.demand)
    figure, panels = plt.subplots(
        len(dimensions), 1, figsize=(12, 3.6 * len(dimensions)), dpi=90, squeeze=False
    )
    for axes, dimension in zip(panels[:, 0], dimensions, strict=True):
        hours = [minute / 60 for minute in range(advice.minutes)]
        axes.fill_between(
            hours, advice.demand[dimension], color="0.8", label="demand", step="post", linewidth=0
        )
        for option, series in advice.capacities.items():
            if dimension in series:
                axes.plot(hours, series[dimension], label=option, linewidth=0.8, drawstyle="steps-post")
        axes.set_title(
            f"{advice.name} {dimension}: demand and provisioned capacity (on-demand follows demand)"
        )
        axes.set_xlabel("hours since the start of the window")
        axes.set_ylabel("units per second")
        axes.set_xlim(0, max(hours[-1], 1 / 60))
        axes.set_ylim(bottom=0)
        axes.legend(loc="upper left", fontsize="small", ncols=4)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def _html_table(header: tuple[str, ...] | list[str], body: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in header)
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"


STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px}"
    "td:not(:first-child){text-align:right}.rec{font-size:1.2em;font-weight:bold}.warn{color:#a60}"
    "img{max-width:100%}"
)


def render_html(advice: Advice, details: dict[str, Any]) -> str:
    png = base64.b64encode(plot_png(advice)).decode()
    warnings = "".join(f'<p class="warn">⚠ {html.escape(w)}</p>' for w in advice.warnings)
    own = [[line, f"{cost:,.4f}"] for line, cost in advice.own_lines.items()]
    facts = [[key, str(value)] for key, value in details.items()]
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>ddbflow advise: {html.escape(advice.name)}"
        f"</title><style>{STYLE}</style></head><body>"
        f"<h1>ddbflow advise: {html.escape(advice.name)}</h1>"
        f'<p class="rec">{html.escape(advice.recommendation)}</p>{warnings}'
        f"<h2>{html.escape(title(advice))}</h2>{_html_table(COLUMNS, rows(advice))}"
        f"<h2>ddbflow's own bill, counted from the replay</h2>{_html_table(['line', '$/month'], own)}"
        f"<p>{html.escape(usage_line(advice))}</p>"
        "<h2>Demand and capacity</h2>"
        f"<img alt='demand and each option capacity' src='data:image/png;base64,{png}'>"
        f"<h2>Inputs</h2>{_html_table(['', ''], facts)}</body></html>"
    )
