"""The comparison itself, pure: what each way of paying for a table's throughput costs on the same demand,
ddbflow's own AWS bill from what a replay counted, and the one-line recommendation.

Demand is per minute in capacity units per second (consumed + throttled, as ``Trace.demand``). A window
of H hours is scaled to a month of 730 hours (AWS's own month).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from .prices import Prices

HOURS_PER_MONTH = 730.0
TARGET_UTILIZATION = 0.70  # the fixed option is sized as target tracking's default target sizes
MAX_THROTTLED = 0.001  # an option that throttles more than 0.1 % of demand is no substitute


def month_factor(minutes: int) -> float:
    return HOURS_PER_MONTH / (minutes / 60)


def demanded_units(demand: Sequence[float]) -> float:
    """Request units asked for over the window (units per second × 60 per minute)."""
    return sum(demand) * 60


def on_demand_cost(demand: Sequence[float], prices: Prices, dimension: str) -> float:
    """On-demand bills every request unit asked for."""
    return demanded_units(demand) * prices.on_demand_per_unit(dimension)


def fixed_capacity(demand: Sequence[float], target: float = TARGET_UTILIZATION) -> int:
    """The peak minute at the target utilization, whole units, at least 1."""
    return max(1, math.ceil(round(max(demand, default=0.0) / target, 6)))


def reserved_blocks(capacity: Sequence[float], block: int) -> int:
    """Whole blocks of reserved capacity under the lowest capacity the table ever had."""
    return int(min(capacity, default=0.0) // block)


def reserved_cost(
    capacity: Sequence[float], prices: Prices, dimension: str, term: str
) -> tuple[int, float] | None:
    """(blocks, $ over the window) for provisioned capacity whose steady floor is reserved for ``term``
    ("one_year" | "three_year"), the rest at the provisioned price; None without a reserved price."""
    reserved = prices.reserved()
    if not reserved or not reserved.get(term):
        return None
    block = int(reserved["block_units"])
    blocks = reserved_blocks(capacity, block)
    hours = len(capacity) / 60
    term_hours = (1 if term == "one_year" else 3) * 8760
    upfront, hourly = reserved[term][f"{dimension}_upfront"], reserved[term][f"{dimension}_hourly"]
    per_block_hour = upfront / term_hours + hourly  # the upfront fee spread over every hour of the term
    above = sum(capacity) / 60 - blocks * block * hours
    return blocks, blocks * hours * per_block_hour + above * prices.unit_hour(dimension)


# -- ddbflow's own bill ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """What ddbflow itself ran on AWS during a replay, counted from the replay."""

    hours: float
    executions: int = 0
    transitions: int = 0
    lambda_requests: int = 0
    lambda_gb_seconds: float = 0.0
    metrics_requested: int = 0  # GetMetricData: metrics requested by the handlers
    alarms: int = 0  # standard-resolution alarms defined (each on one metric)
    high_resolution_alarms: int = 0
    control_read_units: float = 0.0  # the control table is on-demand
    control_write_units: float = 0.0

    def __add__(self, other: "Usage") -> "Usage":
        summed = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        return Usage(**(summed | {"hours": self.hours}))


def own_bill(usage: Usage, prices: Prices) -> dict[str, float]:
    """ddbflow's own $ per month, line by line."""
    scale = HOURS_PER_MONTH / usage.hours if usage.hours else 0.0
    control = usage.control_read_units * prices.on_demand_per_unit(
        "read"
    ) + usage.control_write_units * prices.on_demand_per_unit("write")
    return {
        "Step Functions state transitions": usage.transitions * prices.per_transition * scale,
        "Lambda requests": usage.lambda_requests * prices.per_lambda_request * scale,
        "Lambda GB-seconds (arm64)": usage.lambda_gb_seconds * prices.per_gb_second * scale,
        "CloudWatch GetMetricData metrics": usage.metrics_requested * prices.per_metric_requested * scale,
        "CloudWatch alarms": usage.alarms * prices.alarm_month
        + usage.high_resolution_alarms * prices.high_resolution_alarm_month,
        "control table requests": control * scale,
    }


def combine_dimensions(per_dimension: Sequence[dict[str, Usage]]) -> dict[str, Usage]:
    """One table's usage from one replay per dimension. A scale-up execution serves one alarm of one
    dimension, so those add up; a scale-down run checks both dimensions of a target at once, and the
    alarms of both dimensions exist in every replay, so for those the larger of the replays counts."""
    combined: dict[str, Usage] = {}
    for usages in per_dimension:
        for machine, usage in usages.items():
            if machine not in combined:
                combined[machine] = usage
            elif machine == "scale-up":
                combined[machine] = combined[machine] + usage
            elif usage.transitions + usage.alarms > combined[machine].transitions + combined[machine].alarms:
                combined[machine] = usage
    return combined


def total_usage(usages: dict[str, Usage]) -> Usage | None:
    total = None
    for usage in usages.values():
        total = usage if total is None else total + usage
    return total


# -- options and the recommendation ------------------------------------------------------------------


@dataclass
class Option:
    """One way of paying for the table's throughput: $ per month for each dimension, ddbflow's own."""

    name: str
    dimension_cost: dict[str, float] = field(default_factory=dict)  # "read"/"write" → $ per month
    throttled_units: float = 0.0
    own: float = 0.0  # ddbflow's own $ per month
    note: str = ""
    commitment: bool = False  # reserved capacity: a term bought in advance, not a mode to switch to

    @property
    def total(self) -> float:
        return sum(self.dimension_cost.values()) + self.own


def throttled_fraction(option: Option, demanded: float) -> float:
    return option.throttled_units / demanded if demanded else 0.0


def _money(value: float) -> str:
    return f"${value:,.2f}"


def recommend(
    options: list[Option], demanded: float, current_mode: str | None, max_throttled: float = MAX_THROTTLED
) -> str:
    """One sentence: the cheapest option that throttles at most ``max_throttled`` of the demand, and what
    it saves against the next one."""
    usable = sorted(
        (o for o in options if not o.commitment and throttled_fraction(o, demanded) <= max_throttled),
        key=lambda o: o.total,
    )
    if not usable:
        return "no option serves this demand within the throttling limit; see the table"
    best, runner_up = usable[0], usable[1] if len(usable) > 1 else None
    saves = (
        f"saves {_money(runner_up.total - best.total)}/month against {runner_up.name}" if runner_up else ""
    )
    if best.name == "on-demand":
        verb = "stay on on-demand" if current_mode == "on-demand" else "switch to on-demand"
        sentence = f"{verb}: {saves or 'no provisioned option serves this demand without throttling'}"
    elif best.name == "ddbflow":
        sentence = f"provisioned with ddbflow: {saves} after its own {_money(best.own)}"
    else:
        sentence = f"provisioned with {best.name}: {saves}" if saves else f"provisioned with {best.name}"
        ddbflow = next((o for o in options if o.name == "ddbflow"), None)
        if ddbflow is not None and runner_up is ddbflow:
            sentence += f" after ddbflow's own {_money(ddbflow.own)}"
        elif ddbflow is not None:
            sentence += (
                f" (ddbflow: {_money(ddbflow.total - best.total)}/month more, its own {_money(ddbflow.own)})"
            )
    return sentence + _reserved_note(options, best)


def _reserved_note(options: list[Option], best: Option) -> str:
    cheaper = [o for o in options if o.commitment and o.total < best.total and best.name != "on-demand"]
    if not cheaper:
        return ""
    option = min(cheaper, key=lambda o: o.total)
    return (
        f"; {option.name} would save {_money(best.total - option.total)}/month more ({option.note.strip()})"
    )


def bench_costs(row: dict[str, Any], baseline: dict[str, Any] | None, prices: Prices) -> dict[str, Any]:
    """The cost columns `ddbflow bench` adds to a result row: on-demand $ for the trace's demand (as
    writes and as reads), ddbflow's own $ over the run (from the replay's counted usage, when there is
    one) and the net $ against target tracking, as writes: capacity + own − target tracking's capacity."""
    own = None
    if row.get("own_usage") is not None:
        usage = Usage(**row["own_usage"])
        own = sum(own_bill(usage, prices).values()) / (HOURS_PER_MONTH / usage.hours)
    net = None
    if baseline is not None:
        net = (row["capacity_unit_hours"] - baseline["capacity_unit_hours"]) * prices.unit_hour("write")
        net += own or 0.0
    return {
        "on_demand_usd_as_wcu": row["demanded_units"] * prices.on_demand_per_unit("write"),
        "on_demand_usd_as_rcu": row["demanded_units"] * prices.on_demand_per_unit("read"),
        "own_usd": own,
        "net_usd_vs_target_tracking_as_wcu": net,
    }
