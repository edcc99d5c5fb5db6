"""Capacity decisions for scale-up, and the alarm threshold that goes with a capacity."""

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from .config import Policy


@dataclass(frozen=True)
class Demand:
    """What the target was asked to serve over the alarm's evaluation window, per second."""

    consumed_per_second: float  # peak period: served capacity units / period
    throttled_per_second: float  # peak period: throttled requests × units per request / period
    periods: int  # how many periods had data
    # how much the last period's demand exceeds the one before, when the last is the peak (else 0)
    rise_per_second: float = 0.0

    @property
    def per_second(self) -> float:
        return self.consumed_per_second + self.throttled_per_second


def measure_demand(
    consumed_sums: list[float], throttle_sums: list[float], period: int, units_per_throttle: float
) -> Demand:
    """Peak per-second demand over aligned per-period Sums of consumed units and throttle events."""
    throttle_sums = throttle_sums + [0.0] * (len(consumed_sums) - len(throttle_sums))
    per_period = [
        (consumed / period, throttled * units_per_throttle / period)
        for consumed, throttled in zip(consumed_sums, throttle_sums, strict=False)
    ]
    if not per_period:
        return Demand(0.0, 0.0, 0)
    consumed, throttled = max(per_period, key=lambda pair: pair[0] + pair[1])
    totals = [c + t for c, t in per_period]
    # still rising: the last period is the peak and above the one before
    rising = len(totals) > 1 and totals[-1] >= max(totals) and totals[-1] > totals[-2]
    rise = totals[-1] - totals[-2] if rising else 0.0
    return Demand(consumed, throttled, len(per_period), rise)


def demand_window(policy: Policy, now: datetime) -> tuple[datetime, datetime]:
    """The alarm's evaluation window as it stood at the last whole period before ``now``: the periods
    the alarm itself evaluated. An execution that waited out a cooldown runs mid-period; a window ending
    at ``now`` would hold only the unfinished period, whose datapoints do not exist yet, and the increase
    would be dropped for want of data while the alarm stays in ALARM (and never fires again)."""
    period = policy.alarm_period_seconds
    end = datetime.fromtimestamp(int(now.timestamp()) // period * period, tz=now.tzinfo)
    return end - timedelta(seconds=period * policy.alarm_evaluation_periods), end


@dataclass(frozen=True)
class Plan:
    action: str  # "increase" or "none"
    current: int
    new: int
    rule: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def clamp(capacity: int, policy: Policy) -> int:
    return max(policy.min_capacity, min(policy.max_capacity, capacity))


def step_rule(current: int, policy: Policy) -> int:
    """The original blog's rule: on ALARM, grow by a fixed step."""
    return math.ceil(current * (1 + policy.scale_up_step))


def demand_rule(current: int, demand: Demand, policy: Policy) -> int:
    """Size to observed demand (throttled requests included) at the target utilization, and grow at
    least by min_step so a capped metric (consumed cannot exceed what was served) still makes progress.
    A rise still under way is sized rise_lead_periods ahead (``expected_demand``)."""
    to_demand = math.ceil(round(expected_demand(demand, policy) / policy.target_utilization, 6))
    return max(to_demand, math.ceil(round(current * (1 + policy.min_step), 6)))


def expected_demand(demand: Demand, policy: Policy) -> float:
    """Peak demand, plus rise_lead_periods of the last period's rise when demand is still rising into
    the peak: the demand a raise landing a period later is expected to meet."""
    return demand.per_second + policy.rise_lead_periods * demand.rise_per_second


def _rise_note(demand: Demand, policy: Policy) -> str:
    if policy.rule != "demand" or not (policy.rise_lead_periods and demand.rise_per_second):
        return ""
    return (
        f", still rising {demand.rise_per_second:.0f} per s a period: sized for "
        f"{expected_demand(demand, policy):.0f} per s, {policy.rise_lead_periods:g} period ahead"
    )


def plan_increase(current: int, demand: Demand, policy: Policy, *, require_demand: bool = True) -> Plan:
    """The increase an alarm (or, with require_demand=False, an operator's manual request) calls for."""
    wanted = step_rule(current, policy) if policy.rule == "step" else demand_rule(current, demand, policy)
    new = clamp(wanted, policy)
    observed = (
        f"consumed {demand.consumed_per_second:.0f}/{current} per s"
        + (f", throttled {demand.throttled_per_second:.0f} per s" if demand.throttled_per_second else "")
        + f" at peak of {demand.periods} × {policy.alarm_period_seconds} s"
        + _rise_note(demand, policy)
        if demand.periods
        else f"no datapoints in the last {policy.alarm_evaluation_periods} × {policy.alarm_period_seconds} s"
    )
    # A late or duplicate alarm whose demand has fallen back within target must not grow the table again.
    if (
        policy.rule == "demand"
        and require_demand
        and demand.per_second <= current * policy.target_utilization
    ):
        why = f"{observed}; within {policy.target_utilization:.0%} of {current}, the alarm no longer holds"
        return Plan("none", current, current, policy.rule, why)
    if new <= current:
        limit = "max_capacity" if current >= policy.max_capacity else "policy"
        return Plan("none", current, current, policy.rule, f"{observed}; already at {limit} {current}")
    capped = f" (capped by max_capacity {policy.max_capacity})" if new < wanted else ""
    return Plan("increase", current, new, policy.rule, f"{observed}; {policy.rule} rule → {new}{capped}")


def plan_alongside(current: int, demand: Demand, policy: Policy) -> Plan:
    """The other dimension rides along in the same UpdateTable when it is above its target too, so read
    and write alarms firing together cost one update, not two (the other alarm's execution then finds
    that dimension in cooldown)."""
    if demand.per_second <= current * policy.target_utilization:
        return Plan("none", current, current, policy.rule, "within target")
    return plan_increase(current, demand, policy)


def alarm_threshold(capacity: int, policy: Policy) -> float:
    """Sum of consumed units over one alarm period that means 'above target utilization'."""
    return round(capacity * policy.alarm_period_seconds * policy.target_utilization, 3)
