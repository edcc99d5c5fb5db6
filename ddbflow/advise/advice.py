"""One table's advice: every option priced on the same per-minute demand, for read and write, with the
replays that need them, and the recommendation."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ddbflow.sim.run import DEFAULT_MIN_CAPACITY
from ddbflow.sim.trace import Trace
from ddbflow_lambda.core.target import UNIT_LABEL, Dimension

from .costs import (
    Option,
    Usage,
    combine_dimensions,
    demanded_units,
    fixed_capacity,
    month_factor,
    on_demand_cost,
    own_bill,
    recommend,
    reserved_cost,
    total_usage,
)
from .prices import Prices
from .replay import replay

TERMS = {"one_year": "1 year", "three_year": "3 years"}
Progress = Callable[[str, int, int], None]  # (what, minutes done, minutes in all)


@dataclass
class Advice:
    name: str  # the table (or GSI, or trace) advised on
    source: str  # where the demand came from
    start: datetime | None
    minutes: int
    prices: Prices
    current_mode: str | None
    demand: dict[Dimension, tuple[float, ...]]
    options: list[Option]
    capacities: dict[str, dict[Dimension, list[float]]]  # option → dimension → capacity per minute
    own_lines: dict[str, float]  # ddbflow's own $ per month, line by line
    usage: Usage | None
    recommendation: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def demanded(self) -> float:
        return sum(demanded_units(d) for d in self.demand.values())

    @property
    def days(self) -> float:
        return self.minutes / 1440


def advise(
    name: str,
    source: str,
    demand: dict[Dimension, tuple[float, ...]],
    prices: Prices,
    *,
    start: datetime | None = None,
    current_mode: str | None = None,
    max_throttled: float,
    progress: Progress | None = None,
) -> Advice:
    minutes = len(next(iter(demand.values())))
    scale = month_factor(minutes)
    options = {n: Option(n) for n in ("on-demand", "fixed capacity", "target tracking", "ddbflow")}
    capacities: dict[str, dict[Dimension, list[float]]] = {n: {} for n in options}
    usages: list[dict[str, Usage]] = []
    reserved: dict[str, Option] = {}
    for dimension, series in demand.items():
        price = prices.unit_hour(dimension) * scale / 60  # $ per month per capacity-unit-minute
        options["on-demand"].dimension_cost[dimension] = on_demand_cost(series, prices, dimension) * scale
        fixed = fixed_capacity(series)
        options["fixed capacity"].note += f"{fixed} {UNIT_LABEL[dimension]} "
        capacities["fixed capacity"][dimension] = [float(fixed)] * minutes
        trace = Trace(f"{name}-{dimension}", series)
        for option, policy in (("target tracking", "target-tracking"), ("ddbflow", "ddbflow")):
            capacity, throttled, usage = _autoscaled(trace, policy, f"{policy} on {dimension}", progress)
            options[option].throttled_units += throttled
            capacities[option][dimension] = capacity
            usages += [usage] if usage else []
        for option in ("fixed capacity", "target tracking", "ddbflow"):
            options[option].dimension_cost[dimension] = sum(capacities[option][dimension]) * price
        _reserve(reserved, capacities["target tracking"][dimension], prices, dimension, scale)
    for commitment in reserved.values():
        commitment.throttled_units = options["target tracking"].throttled_units
    combined = total_usage(combine_dimensions(usages))
    own_lines = own_bill(combined, prices) if combined else {}
    options["ddbflow"].own = sum(own_lines.values())
    listed = list(options.values()) + [o for o in reserved.values() if "×" in o.note]
    advice = Advice(
        name, source, start, minutes, prices, current_mode, demand, listed, capacities, own_lines, combined
    )
    advice.recommendation = recommend(listed, advice.demanded, current_mode, max_throttled)
    return advice


def _autoscaled(
    trace: Trace, policy: str, what: str, progress: Progress | None
) -> tuple[list[float], float, dict[str, Usage]]:
    """(capacity per minute, throttled units, ddbflow's usage) of a replay. A dimension nobody uses
    stays at the minimum capacity under any policy, and its alarms and scale-down checks are in the other
    dimension's replay: no replay for it."""
    if not any(trace.demand):
        return [float(DEFAULT_MIN_CAPACITY)] * trace.minutes, 0.0, {}

    def on_minute(minute: int) -> None:
        if progress and (minute % 1440 == 1439 or minute == trace.minutes - 1):
            progress(what, minute + 1, trace.minutes)

    result, usage = replay(trace, policy, on_minute=on_minute)
    return result.capacity, result.throttled_units, usage


def _reserve(
    reserved: dict[str, Option], capacity: list[float], prices: Prices, dimension: Dimension, scale: float
) -> None:
    """Reserved capacity for the steady floor of target tracking's capacity, the rest provisioned."""
    for term, label in TERMS.items():
        priced = reserved_cost(capacity, prices, dimension, term)
        if priced is None:
            continue
        blocks, cost = priced
        option = reserved.setdefault(
            term, Option(f"reserved {label} + target tracking", commitment=True, note="")
        )
        option.dimension_cost[dimension] = cost * scale
        if blocks:
            option.note += f"{blocks} × 100 {UNIT_LABEL[dimension]} for {label} "
