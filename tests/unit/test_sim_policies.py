"""Each policy runs a short simulation, deterministically for a fixed seed; the baselines behave as
their documentation says."""

import importlib
import importlib.util
from datetime import timedelta
from types import ModuleType

import pytest

from ddbflow.sim.policies import Blog, DynamicDynamoDB, TargetTracking
from ddbflow.sim.run import POLICIES, START, Result, recovery, simulate
from ddbflow.sim.trace import Trace, spike, step
from ddbflow.sim.traffic import TrafficModel


def comparable(result: Result) -> tuple[object, ...]:
    summary = result.summary()
    for key in ("wall_seconds", "simulated_per_wall"):
        summary.pop(key)
    return tuple(summary.items()), tuple(result.capacity)


@pytest.mark.parametrize("name", list(POLICIES))
def test_a_short_simulation_runs_and_is_deterministic_for_a_fixed_seed(name: str) -> None:
    if name == "ddbflow" and importlib.util.find_spec("ddbflow.sim.ddbflow_policy") is None:
        pytest.skip("ddbflow.sim.ddbflow_policy is not on this branch")
    load = step(500, days=3 / 24, at_minute=60, seed=7)
    first, again = simulate(load, name), simulate(load, name)
    assert comparable(first) == comparable(again)
    assert first.minutes == 180 and len(first.capacity) == 180
    assert first.capacity_unit_hours > 0
    assert 0 <= first.throttled_fraction < 1
    assert comparable(first) != comparable(simulate(step(500, days=3 / 24, at_minute=60, seed=8), name))


def test_ddbflow_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def without_ddbflow_policy(module: str, package: str | None = None) -> ModuleType:
        if module == "ddbflow.sim.ddbflow_policy":
            raise ModuleNotFoundError(module, name=module)
        return real(module, package)

    monkeypatch.setattr(importlib, "import_module", without_ddbflow_policy)
    with pytest.raises(LookupError, match="policy ddbflow not available"):
        simulate(step(100, days=0.01), "ddbflow")


def run(policy: TargetTracking | DynamicDynamoDB | Blog, demand: list[float], capacity: int) -> list[float]:
    traffic = TrafficModel()
    policy.begin(START, capacity)
    seen = []
    for index, wanted in enumerate(demand):
        at = START + timedelta(minutes=index)
        minute = traffic.minute(index, at, wanted, policy.capacity_at(at))
        seen.append(minute.capacity)
        policy.observe(minute)
    return seen


def test_target_tracking_scales_out_after_two_breaching_minutes_to_consumed_over_target() -> None:
    # 100 provisioned, 80/s consumed (> 70 %): ALARM after minute 1, update lands 30 s into minute 2
    seen = run(TargetTracking(1, 1000), [80.0] * 4, 100)
    assert seen == [100, 100, 100 / 2 + 115 / 2, 115]  # ⌈80 / 0.7⌉ = 115


def test_target_tracking_scales_in_only_after_fifteen_low_minutes() -> None:
    seen = run(TargetTracking(1, 1000), [40.0] * 17, 100)  # 40 % < 50 %
    assert seen[:15] == [100] * 15
    assert seen[16] == 58  # after minute 14 (the 15th low one): ⌈40 / 0.7⌉


def test_target_tracking_sees_no_datapoints_at_zero_traffic_and_keeps_its_capacity() -> None:
    seen = run(TargetTracking(1, 1000), [0.0] * 30, 100)
    assert seen == [100] * 30


def test_dynamic_dynamodb_checks_every_five_minutes_on_a_window_fifteen_minutes_back() -> None:
    policy = DynamicDynamoDB(1, 1000)
    seen = run(policy, [95.0] * 25, 100)
    # the first check with a full look-back is at the end of minute 14 (index 14), +50 %
    assert seen[:15] == [100] * 15
    assert seen[15] == 125 and seen[16] == 150
    # at minute 19 the window still holds 95/s, but against the new 150 that is 63 %: no change
    assert policy.finish().update_calls == 1


def test_blog_grows_fifty_percent_per_alarm_and_decreases_only_hourly() -> None:
    policy = Blog(1, 10_000)
    seen = run(policy, [60.0] * 3 + [10.0] * 60, 100)
    assert seen[1] == 125 and seen[2] == 150  # 60 > 50 % of 100 in minute 0 → ⌈100 × 1.5⌉
    assert all(c == 150 for c in seen[2:60])  # 60 < 50 % of 150: no second alarm
    assert seen[60] < 150  # the hourly check at the end of minute 59: the hour's peak 60/s needs 120
    assert policy.finish().decreases == 1


def test_a_policy_that_never_reacts_throttles_a_spike_beyond_its_burst() -> None:
    load: Trace = spike(1000, days=0.5, at_minute=300, length=10, noise=0)
    result = simulate(load, "dynamic-dynamodb")
    assert result.throttled_units > 0
    assert simulate(load, "oracle").throttled_units == 0


def test_recovery_is_minutes_from_the_step_until_capacity_covers_demand() -> None:
    load = Trace("s", (1.0, 1.0, 4.0, 4.0, 4.0, 4.0), step_at=2)
    assert recovery(load, [2, 2, 2, 3, 5, 5]) == 2
    assert recovery(load, [2, 2, 4, 4, 4, 4]) == 0
    assert recovery(Trace("flat", (1.0, 1.0)), [1, 1]) is None


def test_after_a_x4_step_the_oracle_is_ready_at_once_and_dynamic_dynamodb_takes_its_look_back() -> None:
    load = step(1000, days=0.25, at_minute=120, noise=0)
    assert simulate(load, "oracle").recover_minutes == 0
    assert simulate(load, "dynamic-dynamodb").recover_minutes >= 10  # its window starts 15 minutes back
