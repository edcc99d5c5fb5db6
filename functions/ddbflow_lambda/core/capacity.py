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


# DynamoDB banks up to 300 s of a target's unused capacity as burst credit and spends it when demand
# exceeds capacity: an excess the bank carries until it ends refuses nothing and needs no raise.
CREDIT_SECONDS = 300
# Minutes of consumption read to estimate the bank. The estimate takes the bank as empty before them
# (a lower bound), so they must be enough to refill it: at the policy's usual 80-90 % utilization a
# minute banks 6-12 s of capacity, 300 s in 25-50 minutes.
CREDIT_LOOK_BACK_MINUTES = 30
# The bank must still carry the excess this many minutes after the minute waited: one for a raise to
# land, one for the excess to grow meanwhile. Tuning half and the real traces (fast evaluator), x target
# tracking's CU-hours: no wait 0.822; 2 minutes 0.817 and 1 minute 0.814, both throttling no more than
# it on 14 of 14 traces; half a minute on 13 of 14 (13.1 x its throttled units).
CREDIT_MARGIN_MINUTES = 2
# A full bank is 300 s of capacity: an execution waits on it for at most that long.
CREDIT_WAITS = CREDIT_SECONDS // 60


@dataclass(frozen=True)
class Credit:
    """Burst credit as the target's last minutes of consumption show it."""

    banked: float  # unit-seconds at least banked now (taken as empty before the minutes read)
    excess_per_second: float  # the latest minute's consumption above capacity (< 0: below it)
    latest_per_second: float  # the latest minute's demand: consumed + throttled
    throttled: bool  # requests were refused in the latest minute


def credit_window(now: datetime, last_change: datetime | None) -> tuple[datetime, datetime, int]:
    """The whole minutes read for the bank (CREDIT_LOOK_BACK_MINUTES up to the last whole minute before
    ``now``), and the index of the first minute that banks at today's capacity: the first that starts a
    minute or more after ``last_change`` (the target's LastIncrease/DecreaseDateTime; an update is in
    effect within a minute). The minutes before it bank nothing in the estimate."""
    end = now.replace(second=0, microsecond=0)
    start = end - timedelta(minutes=CREDIT_LOOK_BACK_MINUTES)
    first = 0
    if last_change is not None:
        settled = last_change + timedelta(minutes=1)
        first = math.ceil((settled - start).total_seconds() / 60)
    return start, end, min(CREDIT_LOOK_BACK_MINUTES, max(0, first))


def read_credit(
    periods: dict[int, tuple[float, float]], first: int, capacity: int, units_per_throttle: float
) -> Credit:
    """The bank and the latest minute, from the one-minute Sums of consumed units and throttle events by
    minute index in ``credit_window`` (a minute without a datapoint had no requests): the minutes from
    ``first`` on bank what they left unused at ``capacity`` and spend what they consumed above it."""
    banked = 0.0
    for minute in range(first, CREDIT_LOOK_BACK_MINUTES):
        units = periods.get(minute, (0.0, 0.0))[0]
        banked = min(CREDIT_SECONDS * capacity, max(0.0, banked + capacity * 60 - units))
    consumed, throttled = periods.get(CREDIT_LOOK_BACK_MINUTES - 1, (0.0, 0.0))
    latest = consumed / 60
    return Credit(
        banked=round(banked, 3),
        excess_per_second=round(latest - capacity, 3),
        latest_per_second=round(latest + throttled * units_per_throttle / 60, 3),
        throttled=throttled > 0,
    )


def credit_recheck_at(now: datetime) -> datetime:
    """When a raise that waits on burst credit judges again: the next whole minute, when the minute under
    way has its datapoint."""
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


def credit_wait(current: int, credit: Credit, waits: int) -> str:
    """Why a raise waits a minute (empty: it does not): the latest minute's excess over capacity refused
    nothing and the bank carries it a minute and CREDIT_MARGIN_MINUTES more. A short spike then ends
    within the bank, costing no raise that the decrease budget would hold for up to an hour after it; a
    level shift is raised a minute or a few later, before the bank runs out."""
    if credit.throttled or credit.excess_per_second <= 0 or waits >= CREDIT_WAITS:
        return ""
    lasts = credit.banked / (credit.excess_per_second * 60)
    if lasts < 1 + CREDIT_MARGIN_MINUTES:
        return ""
    return (
        f"burst credit carries it: {credit.latest_per_second:.0f}/{current} per s in the latest minute, "
        f"nothing refused, ≥ {credit.banked:,.0f} unit-s banked last {lasts:.1f} min at that excess; "
        "judged again in a minute"
    )


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
    action: str  # "increase", "none" or "wait" (burst credit carries the excess: judge again in a minute)
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
    credit: Credit | None = None,
    credit_waits: int = 0,
) -> Plan:
    """The increase an alarm (or, with require_demand=False, an operator's manual request) calls for.
    ``decrease_wait``: how long until the decrease budget allows the target's next decrease; ``credit``:
    the burst credit (None: not read), ``credit_waits``: the minutes already waited on it. Action "wait":
    judge again in a minute (``credit_wait``)."""
    if credit is not None and require_demand:
        if why := credit_wait(current, credit, credit_waits):
            return Plan("wait", current, current, policy.rule, why)
        if credit_waits and credit.latest_per_second <= current * policy.target_utilization:
            why = (
                f"burst credit carried it: {credit.latest_per_second:.0f}/{current} per s in the latest "
                f"minute after {credit_waits} min, within {policy.target_utilization:.0%}"
            )
            return Plan("none", current, current, policy.rule, why)
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
    waited = f" after {credit_waits} min on burst credit" if credit_waits else ""
    why = f"{observed}; {policy.rule} rule → {new}{capped}{waited}"
    return Plan("increase", current, new, policy.rule, why)


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
