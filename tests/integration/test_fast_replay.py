"""The fast evaluator (ddbflow/sim/fast.py) against the real replay (the state machines on the engine):
on 3-day traces of different shapes (one with outages, whose minutes publish no datapoint), the same
UpdateTable calls (same capacities, within a minute) and capacity-unit-hours within 1 %. Both call the
same core functions, so a rule changed in the core moves both; a change to the machines' orchestration
that the evaluator does not mirror fails here."""

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ddbflow.sim import run
from ddbflow.sim.ddbflow_policy import TABLE, DdbflowPolicy
from ddbflow.sim.fast import FastDdbflow
from ddbflow.sim.policy import Policy
from ddbflow.sim.trace import MINUTES_PER_DAY, Trace, load_csv, scaled, step

TRACES = Path(__file__).resolve().parents[3] / "shared" / "traces"
DAYS = 3.0


def nasa() -> Trace:
    return load_csv(TRACES / "nasa-http-1995.csv", 1000.0, DAYS)


def worldcup() -> Trace:
    return load_csv(TRACES / "worldcup98-dev.csv", 1000.0, DAYS)


def spikes() -> Trace:
    """A steady fifth of the peak with a 3- to 9-minute burst to the peak every 5 to 8 hours."""
    minutes = round(DAYS * MINUTES_PER_DAY)
    values = [0.2 + 0.01 * (m % 7) for m in range(minutes)]
    at = 200
    while at < minutes:
        for m in range(at, min(minutes, at + 3 + at % 7)):
            values[m] = 1.0
        at += 300 + (at * 37) % 180
    return scaled("spikes", values, 1000.0)


def small_spikes() -> Trace:
    """A steady level with 1- to 4-minute spikes to 1.3-2.2 × it every 1 to 3 hours, which burst credit
    carries or nearly does, and from the second day a level 1.4 × higher."""
    minutes = round(DAYS * MINUTES_PER_DAY)
    values = [0.4 + 0.004 * (m % 5) + (0.16 if m >= MINUTES_PER_DAY else 0.0) for m in range(minutes)]
    at, spike = 120, 0
    while at < minutes:
        for m in range(at, min(minutes, at + 1 + spike % 4)):
            values[m] *= 1.3 + (spike * 3 % 10) / 10
        at, spike = at + 60 + (spike * 47) % 120, spike + 1
    return scaled("small-spikes", values, 1000.0)


def outages() -> Trace:
    """A daily cycle between a tenth and the peak, cut by outages (minutes of zero traffic: no datapoints)
    of 20 minutes to 3 hours, traffic returning at its level."""
    minutes = round(DAYS * MINUTES_PER_DAY)
    values = [0.55 - 0.45 * math.cos(2 * math.pi * m / MINUTES_PER_DAY) for m in range(minutes)]
    for at, length in ((300, 20), (700, 45), (1500, 180), (2300, 16), (2900, 90), (3700, 30)):
        values[at : at + length] = [0.0] * length
    return scaled("outages", values, 1000.0)


def steps() -> Trace:
    return step(1000.0, days=DAYS, seed=5)


# A config off the defaults: a 2-of-3 alarm of 2-minute periods, a long cooldown, hysteresis.
OTHER = {
    "target_utilization": 0.7,
    "alarm_period_seconds": 120,
    "alarm_evaluation_periods": 3,
    "alarm_datapoints_to_alarm": 2,
    "cooldown_seconds": 300,
    "look_back_minutes": 45,
    "decrease_after_low_checks": 2,
    "min_step": 0.3,
}


def replay(trace: Trace, policy: Policy) -> tuple[run.Result, list[tuple[datetime, int]]]:
    """run.simulate's loop with this policy object (to read its timeline of capacity changes)."""
    result = run.simulate(trace, policy.name, make=run.built(policy))
    timeline = policy.timeline if isinstance(policy, FastDdbflow) else policy._timeline  # type: ignore[attr-defined]
    return result, list(timeline)


def config(overrides: dict[str, Any]) -> dict[str, Any]:
    return {
        "defaults": {"min_capacity": run.DEFAULT_MIN_CAPACITY, "max_capacity": run.DEFAULT_MAX_CAPACITY},
        "tables": {TABLE.table: dict(overrides)},
    }


@pytest.mark.parametrize(
    ("make", "overrides"),
    [
        (nasa, {}),
        (worldcup, {}),
        (spikes, {}),
        (small_spikes, {}),
        (outages, {}),
        (steps, OTHER),
        (outages, OTHER),
    ],
    ids=[
        "nasa",
        "worldcup98-dev",
        "spikes",
        "small-spikes",
        "outages",
        "step-other-config",
        "outages-other-config",
    ],
)
def test_the_fast_evaluator_makes_the_real_replays_updates(make: Any, overrides: dict[str, Any]) -> None:
    trace = make()
    cfg = config(overrides)
    args = (run.DEFAULT_MIN_CAPACITY, run.DEFAULT_MAX_CAPACITY)
    fast, fast_changes = replay(trace, FastDdbflow(*args, config=cfg))
    real, real_changes = replay(trace, DdbflowPolicy(*args, config=cfg))

    assert real.update_calls > 3  # the trace makes the policy work
    assert [c for _, c in fast_changes] == [c for _, c in real_changes]
    for (fast_at, _), (real_at, _) in zip(fast_changes, real_changes, strict=True):
        assert abs(fast_at - real_at) <= timedelta(minutes=1)
    assert fast.decreases == real.decreases
    assert fast.capacity_unit_hours == pytest.approx(real.capacity_unit_hours, rel=0.01)


def test_the_small_spikes_trace_exercises_both_ends_of_the_wait_on_burst_credit() -> None:
    # the parity above covers the Wait While Credit Carries It loop only if the trace takes it both ways
    policy = FastDdbflow(run.DEFAULT_MIN_CAPACITY, run.DEFAULT_MAX_CAPACITY)
    replay(small_spikes(), policy)
    summaries = [summary for _, machine, summary in policy.decisions if machine == "scale-up"]
    assert any("burst credit carried it" in summary for summary in summaries)
    assert any("→" in summary and "min on burst credit" in summary for summary in summaries)
