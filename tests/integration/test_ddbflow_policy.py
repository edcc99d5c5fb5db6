"""The `ddbflow` policy: the real state machines on a driven engine, fed minute by minute by a minimal
stand-alone loop (served = min(demand, capacity), the rest throttled; no burst credit)."""

from datetime import UTC, datetime, timedelta

from ddbflow_lambda.core.budget import decrease_allowed
from ddbflow_lambda.core.config import Policy
from helpers import Replay, replay_minutes

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MIN, MAX = 5, 2000


def simulate(demand: list[float], capacity: int) -> Replay:
    return replay_minutes(demand, capacity, start=START, bounds=(MIN, MAX))


def test_a_fourfold_step_is_served_within_three_minutes() -> None:
    # 120/s on 150 (80 %: not low enough for a decrease that saves 10 %), then 480/s
    run = simulate([120.0] * 10 + [480.0] * 20, capacity=150)
    # 480/s against 150 refuses requests at once: the throttle alarm is in ALARM at the end of minute 10,
    # the update at the start of minute 11 makes the table ACTIVE 30 s later, so minute 11 runs half on
    # each (pro rata, as for every policy) and minute 12 on the new capacity: demand rose from 120 to
    # 150 + 330 throttled in the alarm's last period, so it is sized one period of that rise ahead
    # (rise_lead_periods 1): ⌈(480 + 360) / 0.9⌉ = ⌈933.3⌉ = 934.
    assert run.capacities[11] == (150 + 934) / 2
    assert run.capacities[12] == 934
    assert all(MIN <= c <= MAX for c in run.capacities)
    assert run.counts.update_calls == len(run.changes) >= 1
    # A step is not a ramp: the lead overshoots it, and one decrease gives it back once the look-back
    # holds only minutes since the raise (10 minutes after its cooldown stamp, which Record Decision
    # wrote once the table was ACTIVE): ⌈480 / 0.9 × 1.05⌉ = 560.
    assert run.counts.decreases == 1
    assert run.changes[-1] == (START + timedelta(minutes=21, seconds=30), 560)


def test_a_drop_is_decreased_once_the_low_alarm_sees_a_low_look_back_within_the_budget() -> None:
    # 460 serves 400/s at 87 % (a decrease would have to save 10 %: nothing to take before the drop)
    run = simulate([400.0] * 20 + [40.0] * 150, capacity=460)
    decreases = [
        (at, new)
        for (at, new), (_, old) in zip(run.changes, [(START, 460), *run.changes[:-1]], strict=True)
        if new < old
    ]
    assert run.counts.decreases == len(decreases) >= 1
    first_at, first_to = decreases[0]
    # Only the scale-down machine decreases: started by the low alarm as soon as every minute of the
    # look-back is low, not while it still holds the 400/s peak (nor at the next scheduled check).
    assert first_at == START + timedelta(minutes=20 + Policy().look_back_minutes)
    assert MIN <= first_to < 460 and first_to >= 40 / Policy().target_utilization
    assert run.capacities[-1] == first_to or run.capacities[-1] < first_to
    for index, (at, _) in enumerate(decreases):
        earlier = [t for t, _ in decreases[:index] if t.date() == at.date()]
        assert decrease_allowed(len(earlier), earlier[-1] if earlier else None, at)


def test_the_same_trace_gives_the_same_capacities() -> None:
    demand = [100.0] * 5 + [300.0] * 10 + [30.0] * 60 + [250.0] * 10
    first, second = simulate(demand, capacity=120), simulate(demand, capacity=120)
    assert first.capacities == second.capacities
    assert first.counts == second.counts
    assert first.changes == second.changes
