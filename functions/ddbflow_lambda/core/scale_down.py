"""The scale-down planner: per table or GSI, decide whether a decrease now is worth one of the scarce
daily decreases, and to what capacity. One decrease covers read and write together, so both are planned
at once and applied in one UpdateTable."""

import math
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from .budget import (
    FREE_DECREASES,
    SPACING,
    decrease_allowed,
    decreases_left_today,
    next_decrease_at,
    next_utc_midnight,
)
from .capacity import measure_demand
from .config import Policy
from .target import DIMENSIONS, UNIT_LABEL, Dimension

MINUTE = 60  # seconds: the look-back is read in DynamoDB's one-minute Sums
YESTERDAY = timedelta(days=1)  # a look-back without requests is sized by the same minutes this long ago
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def effective_min(policy: Policy, now: datetime) -> tuple[int, str | None]:
    """min_capacity, raised by any scheduled window active at ``now`` (UTC); and that window's name."""
    best, name = policy.min_capacity, None
    clock = now.strftime("%H:%M")
    for window in policy.schedules:
        active = DAYS[now.weekday()] in window.get("days", DAYS) and window["start"] <= clock < window["end"]
        if active and window["min_capacity"] > best:
            best, name = window["min_capacity"], window["name"]
    return min(best, policy.max_capacity), name


def low_alarm_threshold(current: int, policy: Policy) -> float:
    """Units per second below which a minute is low: a peak under it sizes the dimension
    (``plan_dimension``: peak / target × (1 + headroom), rounded up) at most 1 − min_decrease_fraction
    of ``current``, a decrease that pays. The low alarm fires when every minute of the look-back is.
    0 when such a decrease would go below min_capacity: no minute is low then (consumption is ≥ 0)."""
    room = math.floor(current * (1 - policy.min_decrease_fraction))
    if room < policy.min_capacity:
        return 0.0
    return round(room * policy.target_utilization / (1 + policy.decrease_headroom), 6)


@dataclass(frozen=True)
class DimensionPlan:
    dimension: Dimension
    current: int
    new: int  # what this dimension wants; a decrease here is only a candidate until the budget agrees
    kind: str  # "increase", "decrease", "keep"
    reason: str
    low_checks: int


def plan_dimension(
    dimension: Dimension,
    current: int,
    peak_demand: float,
    policy: Policy,
    low_checks: int,
    now: datetime,
    yesterday: float = 0.0,
) -> DimensionPlan:
    """``yesterday``: the peak of the same minutes a day earlier, which sizes a look-back without requests:
    traffic that stopped where it ran the day before is an outage, and comes back at its level (a
    decrease to min_capacity would throttle its return), while a table idle then too is idle."""
    floor, window = effective_min(policy, now)
    if current < floor:
        why = f"window {window!r} requires ≥ {floor}" if window else f"below min_capacity {floor}"
        return DimensionPlan(dimension, current, floor, "increase", why, 0)
    demand = f"peak {peak_demand:.1f}/s in {policy.look_back_minutes} min"
    if peak_demand == 0 and yesterday > 0:
        peak_demand = yesterday
        demand = (
            f"no requests in {policy.look_back_minutes} min, peak {yesterday:.1f}/s in the same minutes "
            "yesterday: an outage, its traffic expected back"
        )
    needed = math.ceil(round(peak_demand / policy.target_utilization * (1 + policy.decrease_headroom), 6))
    wanted = min(policy.max_capacity, max(floor, needed))
    if current > policy.max_capacity:
        return DimensionPlan(
            dimension, current, wanted, "decrease", f"above max_capacity {policy.max_capacity}", 0
        )
    if wanted >= current:
        return DimensionPlan(dimension, current, current, "keep", f"{demand} needs {wanted}", 0)
    drop = (current - wanted) / current
    if drop < policy.min_decrease_fraction:
        why = f"{demand}; {current} → {wanted} saves only {drop:.0%} (< {policy.min_decrease_fraction:.0%})"
        return DimensionPlan(dimension, current, current, "keep", why, 0)
    low_checks += 1
    if low_checks < policy.decrease_after_low_checks:
        why = f"{demand}; low for {low_checks} of {policy.decrease_after_low_checks} checks"
        return DimensionPlan(dimension, current, current, "keep", why, low_checks)
    floor_note = f", window {window!r} min {floor}" if window and wanted == floor else ""
    return DimensionPlan(dimension, current, wanted, "decrease", f"{demand}{floor_note}", low_checks)


Fading = list[tuple[int, float]]  # (minutes from now, the look-back's peak from then on), soonest first


def minute_demands(
    periods: dict[int, tuple[float, float]], minutes: int, units_per_throttle: float
) -> list[float]:
    """Per-second demand of each minute of the look-back, oldest first, from its one-minute Sums of
    consumed units and throttle events by minute index (a minute without a datapoint had no requests)."""
    demands = [0.0] * minutes
    for index, (consumed, throttled) in periods.items():
        if 0 <= index < minutes:
            demands[index] = (consumed + throttled * units_per_throttle) / MINUTE
    return demands


def look_back_demand(periods: dict[int, tuple[float, float]], policy: Policy) -> tuple[float, Fading]:
    """Read Demand's answer for one dimension: the look-back's peak per-second demand (consumed +
    throttled, as ``capacity.measure_demand`` measures it) and how it fades (``fading_peaks``), from the
    one-minute Sums of consumed units and throttle events by minute index from the look-back's start."""
    sums = list(periods.values())
    demand = measure_demand(
        [consumed for consumed, _ in sums],
        [throttled for _, throttled in sums],
        MINUTE,
        policy.throttled_request_units,
    )
    demands = minute_demands(periods, policy.look_back_minutes, policy.throttled_request_units)
    return round(demand.per_second, 3), fading_peaks(demands)


def fading_peaks(demands: list[float]) -> Fading:
    """When the look-back's peak falls as its oldest minutes leave it (minute i, oldest first, leaves
    after i + 1 minutes), if the minutes to come are no higher than the latest: it never falls below
    the latest minute."""
    after = [0.0] * (len(demands) + 1)  # after[i]: the peak of demands[i:]
    for i in range(len(demands) - 1, -1, -1):
        after[i] = max(after[i + 1], demands[i])
    return [(i, round(after[i], 3)) for i in range(1, len(demands)) if after[i] < after[i - 1]]


def _settle(
    dimensions: dict[Dimension, DimensionPlan],
    policies: dict[Dimension, Policy],
    fading: dict[Dimension, Fading],
    decreases_today: int,
    now: datetime,
) -> tuple[int, str]:
    """Minutes to wait before this decrease (0: decrease now), and why. A decrease that leaves the next
    one an hour away holds its capacity for that hour, so one sized to a look-back whose peak is about
    to leave it (a spike that has passed) waits those minutes when the lower capacity it then reaches
    saves more over the hour than the minutes of waiting cost."""
    if decreases_today + 1 < FREE_DECREASES:
        return 0, ""  # a decrease now leaves another for later
    horizon = min(SPACING, next_utc_midnight(now) - now).total_seconds() / 60
    current = sum(p.current for p in dimensions.values())
    now_total = sum(p.new for p in dimensions.values())

    # as a decrease must save min_decrease_fraction to be worth one, waiting must add as much to it
    fraction = min(
        policies[p.dimension].min_decrease_fraction for p in dimensions.values() if p.kind == "decrease"
    )
    worth = fraction * current
    best, best_gain, best_total = 0, 0.0, now_total
    for wait in sorted({m for steps in fading.values() for m, _ in steps if m < horizon}):
        total = sum(
            _decrease_after(p, fading.get(d, []), wait, policies[d], now) for d, p in dimensions.items()
        )
        gain = horizon * (now_total - total) - wait * (current - total)  # unit-minutes
        if gain > best_gain and now_total - total >= worth:
            best, best_gain, best_total = wait, gain, total
    if not best:
        return 0, ""
    return best, (
        f"the look-back's peak leaves it within {best} min: decreasing then to {best_total:,} units in all "
        f"instead of {now_total:,} now saves {best_gain / 60:,.0f} unit-hours before the next decrease is "
        "allowed"
    )


def _decrease_after(plan: DimensionPlan, fading: Fading, wait: int, policy: Policy, now: datetime) -> int:
    """The capacity a decreasing dimension would get ``wait`` minutes from now, its look-back peak faded."""
    peak = next((later for minutes, later in reversed(fading) if minutes <= wait), None)
    if plan.kind != "decrease" or peak is None:
        return plan.new
    later = plan_dimension(plan.dimension, plan.current, peak, policy, plan.low_checks, now)
    return later.new if later.kind == "decrease" else plan.new


def plan_target(
    label: str,
    dimensions: dict[Dimension, DimensionPlan],
    policies: dict[Dimension, Policy],
    decreases_today: int,
    last_decrease: datetime | None,
    now: datetime,
    cause: str | None = None,
    raised_at: dict[Dimension, datetime] | None = None,
    fading: dict[Dimension, Fading] | None = None,
) -> dict[str, Any]:
    """Combine the read and write plans into one decision about one table or GSI; ``cause``: the alarm
    that asked for this check, if one did (the sentence names it); ``raised_at``: when scale-up last
    raised each dimension (its cooldown stamp); ``fading``: how each look-back's peak falls in the
    minutes to come (``fading_peaks``; None: decide now, as a check that already waited for it does)."""
    wants_decrease = [p for p in dimensions.values() if p.kind == "decrease"]
    budget_note, allowed_at, held_for = "", None, None
    if wants_decrease:
        budget_note, at = _refusal(wants_decrease, policies, decreases_today, last_decrease, now)
        held, held_for = wants_decrease, "budget"
        if not budget_note:
            held, budget_note, at = _recent_raise(wants_decrease, policies, raised_at or {}, now)
            held_for = "raise"
        if not budget_note and fading:
            wait, budget_note = _settle(dimensions, policies, fading, decreases_today, now)
            if wait:
                held, at, held_for = wants_decrease, now + timedelta(minutes=wait), "settle"
        # Waited for only within the hour (midnight included: the next day's budget), so no check stays
        # open for hours; RFC 3339 in UTC with Z, as a Wait state's TimestampPath takes it, rounded up
        # to the second: EnteredTime and LastDecreaseDateTime carry milliseconds, and a Wait that ends
        # before them would find the decrease still held back
        if at and at - now <= SPACING:
            whole = at.replace(microsecond=0) + timedelta(seconds=1 if at.microsecond else 0)
            allowed_at = f"{whole.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"
        else:
            held_for = None
        dimensions = {
            d: replace(p, new=p.current, kind="keep") if p in held else p for d, p in dimensions.items()
        }
    changed = [p for p in dimensions.values() if p.new != p.current]
    action, outcome = plan_outcome(changed, skipped=bool(budget_note))
    parts = [_describe(p, label) for p in dimensions.values()]
    saved_unit_hours = 0
    if action == "decrease":
        hours = (next_utc_midnight(now) - now).total_seconds() / 3600
        saved_unit_hours = round(sum(p.current - p.new for p in changed if p.new < p.current) * hours)
        parts.append(_decrease_note(changed, decreases_left_today(decreases_today, last_decrease, now), now))
    if budget_note:
        parts.append(budget_note)
    if cause:
        parts.append(f"checked on {cause}")
    return {
        "action": action,
        "outcome": outcome,
        "throughput": {p.dimension: p.new for p in dimensions.values()},
        "dimensions": {d: asdict(p) for d, p in dimensions.items()},
        "alarms": [
            {"dimension": p.dimension, "capacity": p.new, "policy": policies[p.dimension].as_dict()}
            for p in changed
        ],
        "low_checks": {d: p.low_checks for d, p in dimensions.items()},
        "saves_unit_hours": saved_unit_hours,
        # when what held the decrease back ends: the budget allows the next one ("budget"), the look-back
        # holds only minutes since the last raise ("raise") or a fading peak has left it ("settle");
        # None: not held back, or not for a time within the hour
        "decrease_allowed_at": allowed_at,
        "held_for": held_for,
        "summary": f"{label} {outcome}: " + "; ".join(parts),
    }


def _refusal(
    wants_decrease: list[DimensionPlan],
    policies: dict[Dimension, Policy],
    decreases_today: int,
    last_decrease: datetime | None,
    now: datetime,
) -> tuple[str, datetime | None]:
    """Why the decrease budget refuses this decrease ("" if it does not), and when the next is allowed."""
    left = decreases_left_today(decreases_today, last_decrease, now)
    hours_left = (next_utc_midnight(now) - now).total_seconds() / 3600
    biggest_drop = max((p.current - p.new) / p.current for p in wants_decrease)
    reserve = min(policies[p.dimension].last_decrease_min_fraction for p in wants_decrease)
    if not decrease_allowed(decreases_today, last_decrease, now):
        at = next_decrease_at(decreases_today, last_decrease, now)
        return f"decrease budget spent ({decreases_today} today), next allowed {at:%Y-%m-%d %H:%M} UTC", at
    if left <= 1 and hours_left > 1 and biggest_drop < reserve:
        return (
            f"keeping the last decrease of the UTC day for a drop ≥ {reserve:.0%} "
            f"(this one {biggest_drop:.0%})",
            None,
        )
    return "", None


def _recent_raise(
    wants_decrease: list[DimensionPlan],
    policies: dict[Dimension, Policy],
    raised_at: dict[Dimension, datetime],
    now: datetime,
) -> tuple[list[DimensionPlan], str, datetime | None]:
    """The decreases held back because their dimension was raised within its look-back, why, and when
    they are judged again: right after a raise the look-back (and the re-armed low alarm) still holds the
    lower minutes that preceded it, while the raise says demand went up. The other dimension's minutes
    say nothing about it, so its decrease goes ahead."""
    held, notes, again = [], [], []
    for plan in wants_decrease:
        raised, minutes = raised_at.get(plan.dimension), policies[plan.dimension].look_back_minutes
        if raised is None or now - raised >= timedelta(minutes=minutes):
            continue
        at = raised + timedelta(minutes=minutes)
        held.append(plan)
        again.append(at)
        notes.append(
            f"{UNIT_LABEL[plan.dimension]} raised at {raised:%H:%M} UTC: the {minutes}-minute look-back "
            f"still holds minutes from before the raise, judged again at {at:%H:%M}"
        )
    return held, "; ".join(notes), max(again, default=None)


# A scale-down plan's outcome, the one word every summary, decision log entry and count uses. A plan
# that lowers one dimension and raises the other (a schedules window above current capacity) is neither
# a decrease nor an increase: "rebalanced".
OUTCOMES = {"decrease": "decreased", "increase": "increased", "keep": "kept", "skip": "skipped"}


def plan_outcome(changed: list[DimensionPlan], *, skipped: bool) -> tuple[str, str]:
    """(action, outcome). The action is what the machine routes on: "decrease" whenever the update
    lowers anything, since DynamoDB counts such an update against the decrease budget."""
    down = any(p.new < p.current for p in changed)
    up = any(p.new > p.current for p in changed)
    if down and up:
        return "decrease", "rebalanced"
    action = "decrease" if down else "increase" if up else "skip" if skipped else "keep"
    return action, OUTCOMES[action]


def _decrease_note(changed: list[DimensionPlan], left: int, now: datetime) -> str:
    """What an update that lowers capacity saves, or — when it also raises the other dimension — what
    it changes in each direction, and what it leaves of the day's decreases."""
    hours = (next_utc_midnight(now) - now).total_seconds() / 3600
    budget = f"{left - 1} decreases left today"
    saved = sum(p.current - p.new for p in changed if p.new < p.current)
    raised = [p for p in changed if p.new > p.current]
    if not raised:
        return f"saves {saved * hours:,.0f} unit-hours before UTC midnight; {budget}"
    directions = ", ".join(
        f"{UNIT_LABEL[p.dimension]} {'up' if p.new > p.current else 'down'}" for p in changed
    )
    net = sum(p.new - p.current for p in changed)
    return f"{directions} in one update (net {net:+,} units); it uses a decrease: {budget}"


def _describe(plan: DimensionPlan, label: str) -> str:
    unit = UNIT_LABEL[plan.dimension]
    if plan.new != plan.current:
        return f"{unit} {plan.current} → {plan.new} ({plan.reason})"
    return f"{unit} kept at {plan.current} ({plan.reason})"


def dimension_policies(policies: dict[str, Any]) -> dict[Dimension, Policy]:
    return {d: Policy.from_dict(policies[d]) for d in DIMENSIONS}
