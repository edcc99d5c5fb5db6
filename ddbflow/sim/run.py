"""The simulation loop and its metrics, and the registry of policies by name."""

import importlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .oracle import Oracle
from .policies import Blog, DynamicDynamoDB, TargetTracking
from .policy import UPDATE_SECONDS, Policy
from .trace import Trace
from .traffic import TrafficModel

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, 00:00 UTC: the trace's minute 0
DEFAULT_MIN_CAPACITY = 1
DEFAULT_MAX_CAPACITY = 40_000  # DynamoDB's default per-table quota
INITIAL_UTILIZATION = 0.70  # every policy starts sized to the first minute at 70 %


@dataclass(frozen=True)
class Setup:
    """What a policy is built from. Only the oracle looks at ``demand``."""

    min_capacity: int
    max_capacity: int
    demand: tuple[float, ...]
    update_seconds: float = UPDATE_SECONDS
    config: dict[str, Any] | None = None  # the ddbflow policies' config (None: the shipped defaults)


def _ddbflow(setup: Setup) -> Policy:
    try:
        module = importlib.import_module("ddbflow.sim.ddbflow_policy")
    except ModuleNotFoundError as exc:
        if exc.name != "ddbflow.sim.ddbflow_policy":
            raise  # the module is there but something it imports is not: say that, not "unavailable"
        raise LookupError("policy ddbflow not available (ddbflow.sim.ddbflow_policy is missing)") from exc
    policy: Policy = module.DdbflowPolicy(
        setup.min_capacity, setup.max_capacity, setup.update_seconds, config=setup.config
    )
    return policy


def _ddbflow_fast(setup: Setup) -> Policy:
    from .fast import FastDdbflow  # imports the engine's modules: only when asked for

    return FastDdbflow(setup.min_capacity, setup.max_capacity, setup.update_seconds, config=setup.config)


POLICIES: dict[str, Callable[[Setup], Policy]] = {
    "ddbflow": _ddbflow,
    "ddbflow-fast": _ddbflow_fast,
    "target-tracking": lambda s: TargetTracking(s.min_capacity, s.max_capacity, s.update_seconds),
    "dynamic-dynamodb": lambda s: DynamicDynamoDB(s.min_capacity, s.max_capacity, s.update_seconds),
    "blog": lambda s: Blog(s.min_capacity, s.max_capacity, s.update_seconds),
    "oracle": lambda s: Oracle(s.min_capacity, s.max_capacity, s.demand, s.update_seconds),
}


def make_policy(name: str, setup: Setup) -> Policy:
    if name not in POLICIES:
        raise LookupError(f"unknown policy {name!r}; known: {', '.join(POLICIES)}")
    return POLICIES[name](setup)


@dataclass
class Result:
    policy: str
    trace: str
    minutes: int
    throttled_fraction: float  # throttled units / demanded units
    throttled_units: float
    demanded_units: float
    capacity_unit_hours: float
    update_calls: int
    decreases: int
    wall_seconds: float
    recover_minutes: int | None  # after a ×4 step: minutes until capacity ≥ demand again
    exact: bool | None = None  # the oracle says whether its result is exact or a bound
    capacity: list[float] = field(default_factory=list, repr=False)

    @property
    def simulated_per_wall(self) -> float:
        return self.minutes * 60 / self.wall_seconds if self.wall_seconds > 0 else math.inf

    def summary(self) -> dict[str, Any]:
        """Everything but the per-minute series."""
        return {
            "policy": self.policy,
            "trace": self.trace,
            "minutes": self.minutes,
            "throttled_fraction": self.throttled_fraction,
            "throttled_units": self.throttled_units,
            "demanded_units": self.demanded_units,
            "capacity_unit_hours": self.capacity_unit_hours,
            "update_calls": self.update_calls,
            "decreases": self.decreases,
            "wall_seconds": self.wall_seconds,
            "simulated_per_wall": self.simulated_per_wall,
            "recover_minutes": self.recover_minutes,
            **({"exact": self.exact} if self.exact is not None else {}),
        }


def initial_capacity(trace: Trace, min_capacity: int, max_capacity: int) -> int:
    wanted = math.ceil(round(trace.demand[0] / INITIAL_UTILIZATION, 6)) if trace.minutes else min_capacity
    return max(min_capacity, min(max_capacity, wanted))


def recovery(trace: Trace, capacity: list[float]) -> int | None:
    """Minutes from a ×4 step until the capacity in effect covers the demand for the first time."""
    at = trace.step_at
    if at is None or at >= trace.minutes:
        return None
    for minute in range(at, trace.minutes):
        if capacity[minute] >= trace.demand[minute]:
            return minute - at
    return trace.minutes - at


def built(policy: Policy) -> Callable[[Setup], Policy]:
    """``simulate``'s ``make`` for a policy the caller has already built (it runs as given)."""
    return lambda _setup: policy


def simulate(
    trace: Trace,
    policy_name: str,
    min_capacity: int = DEFAULT_MIN_CAPACITY,
    max_capacity: int = DEFAULT_MAX_CAPACITY,
    update_seconds: float = UPDATE_SECONDS,
    on_minute: Callable[[int], None] | None = None,
    config: dict[str, Any] | None = None,
    make: Callable[[Setup], Policy] | None = None,
) -> Result:
    """Run one policy over the trace: each minute, the capacity in effect, the traffic model, then the
    policy sees the minute's metrics. ``make``: build the policy with it instead of by name."""
    setup = Setup(min_capacity, max_capacity, trace.demand, update_seconds, config)
    started = time.perf_counter()
    policy = make(setup) if make else make_policy(policy_name, setup)
    traffic = TrafficModel()
    policy.begin(START, initial_capacity(trace, min_capacity, max_capacity))
    capacity: list[float] = []
    throttled = demanded = 0.0
    try:
        for index, demand in enumerate(trace.demand):
            at = START + timedelta(minutes=index)
            minute = traffic.minute(index, at, demand, policy.capacity_at(at))
            policy.observe(minute)
            capacity.append(minute.capacity)
            throttled += minute.throttled
            demanded += demand * 60
            if on_minute:
                on_minute(index)
    finally:
        counts = policy.finish()  # also when a minute fails: the ddbflow policy stops its engine here
    wall = time.perf_counter() - started
    return Result(
        policy=policy_name,
        trace=trace.name,
        minutes=trace.minutes,
        throttled_fraction=throttled / demanded if demanded else 0.0,
        throttled_units=throttled,
        demanded_units=demanded,
        capacity_unit_hours=sum(capacity) / 60,
        update_calls=counts.update_calls,
        decreases=counts.decreases,
        wall_seconds=wall,
        recover_minutes=recovery(trace, capacity),
        exact=getattr(policy, "exact", None),
        capacity=capacity,
    )
