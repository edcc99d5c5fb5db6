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


def demand_rule(current: int, demand: Demand, policy: Policy, lead: float) -> int:
    """Size to observed demand (throttled requests included) at the target utilization, and grow at
    least by min_step so a capped metric (consumed cannot exceed what was served) still makes progress.
    A rise still under way is sized ``lead`` periods ahead (``expected_demand``)."""
    to_demand = math.ceil(round(expected_demand(demand, lead) / policy.target_utilization, 6))
    return max(to_demand, math.ceil(round(current * (1 + policy.min_step), 6)))


def expected_demand(demand: Demand, lead: float) -> float:
    """Peak demand, plus ``lead`` periods of the last period's rise when demand is still rising into
    the peak: the demand a raise landing a period later is expected to meet."""
    return demand.per_second + lead * demand.rise_per_second


def rise_lead(policy: Policy, decrease_wait: timedelta) -> float:
    """How many periods of a rise still under way a raise is sized ahead. Where the rise stops, the lead
    is capacity nobody uses until a decrease gives it back: a look-back after the raise while the budget
    allows one (what rise_lead_periods was tuned for), else only at the next decrease the budget allows:
    up to an hour away, or at UTC midnight once the day's 27 are spent. Held longer than the look-back,
    the lead shrinks in proportion, so that an overshoot costs no more unit-hours than it does where
    decreases are free; a rise that goes on is then met by the next raise (increases are not rationed)."""
    held = max(float(policy.look_back_minutes), decrease_wait.total_seconds() / 60)
    return policy.rise_lead_periods * policy.look_back_minutes / held


def _rise_note(demand: Demand, policy: Policy, lead: float, decrease_wait: timedelta) -> str:
    if policy.rule != "demand" or not (policy.rise_lead_periods and demand.rise_per_second):
        return ""
    held = (
        f" (the next decrease the budget allows is {decrease_wait.total_seconds() / 60:.0f} min away)"
        if lead < policy.rise_lead_periods
        else ""
    )
    return (
        f", still rising {demand.rise_per_second:.0f} per s a period: sized for "
        f"{expected_demand(demand, lead):.0f} per s, {lead:.2g} period ahead{held}"
    )


def plan_increase(
    current: int,
    demand: Demand,
    policy: Policy,
    *,
    require_demand: bool = True,
    decrease_wait: timedelta = timedelta(0),
) -> Plan:
    """The increase an alarm (or, with require_demand=False, an operator's manual request) calls for.
    ``decrease_wait``: how long until the decrease budget allows the target's next decrease."""
    lead = rise_lead(policy, decrease_wait)
    if policy.rule == "step":
        wanted = step_rule(current, policy)
    else:
        wanted = demand_rule(current, demand, policy, lead)
    new = clamp(wanted, policy)
    observed = (
        f"consumed {demand.consumed_per_second:.0f}/{current} per s"
        + (f", throttled {demand.throttled_per_second:.0f} per s" if demand.throttled_per_second else "")
        + f" at peak of {demand.periods} × {policy.alarm_period_seconds} s"
        + _rise_note(demand, policy, lead, decrease_wait)
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


def plan_alongside(
    current: int, demand: Demand, policy: Policy, decrease_wait: timedelta = timedelta(0)
) -> Plan:
    """The other dimension rides along in the same UpdateTable when it is above its target too, so read
    and write alarms firing together cost one update, not two (the other alarm's execution then finds
    that dimension in cooldown). Both dimensions share the target's decrease budget."""
    if demand.per_second <= current * policy.target_utilization:
        return Plan("none", current, current, policy.rule, "within target")
    return plan_increase(current, demand, policy, decrease_wait=decrease_wait)


def alarm_threshold(capacity: int, policy: Policy) -> float:
    """Sum of consumed units over one alarm period that means 'above target utilization'."""
    return round(capacity * policy.alarm_period_seconds * policy.target_utilization, 3)
