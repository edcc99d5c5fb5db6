"""The ddbflow policy replayed in plain Python, fast enough to search settings with (`ddbflow tune`).

What the state machines do is mirrored step by step, in engine time: an alarm state change to ALARM
starts a scale-up (Take Lease → Check Cooldown → Wait Out Cooldown → Describe Table → Compute Capacity →
Update Table → Wait For Table every 10 s until ACTIVE → Update Alarms → Record Decision), the template's
schedule and the low alarm start the scale-down check (Take Lease → Describe Table → Read Demand →
Plan Scale-Down → Update Table → … → Record Decision). Tasks take no engine time, Wait states and Retry
intervals do (a FULL-jitter Retry waits half its interval here, the mean of moto's random draw).

Every decision is the pure core's: the alarm definitions (``core.alarms.target_alarms`` /
``alarm_definition``), their evaluation (``ddbflow.engine.alarm_rules.alarm_state``), cooldown
(``core.cooldown``), demand and the increase (``core.capacity``), the scale-down plan
(``core.scale_down``) and the decrease budget (``core.budget``). What is here is only the orchestration
and the data the handlers would read: GetMetricData's bucketing, DescribeTable's throughput fields, the
control table's lease, cooldown stamps and low-check counters. ``tests/integration/test_fast_replay.py``
holds this to the real replay.
"""

import heapq
import itertools
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from ddbflow.engine.alarm_rules import EXTRA_DATAPOINTS, evaluate_range
from ddbflow.engine.engine import ACCOUNT, PROJECT_ROOT
from ddbflow.engine.schedules import rate_seconds
from ddbflow.engine.template import Resolver, Template
from ddbflow_lambda.core.alarms import alarm_kind, dimension_alarms, target_alarms
from ddbflow_lambda.core.budget import decrease_allowed, decrease_wait
from ddbflow_lambda.core.capacity import (
    Credit,
    Plan,
    credit_recheck_at,
    credit_window,
    demand_window,
    measure_demand,
    plan_alongside,
    plan_increase,
    read_credit,
)
from ddbflow_lambda.core.config import Policy, resolve_policy, validate_config
from ddbflow_lambda.core.cooldown import cooldown_state
from ddbflow_lambda.core.decision import WAITED_KEY, check_again_at
from ddbflow_lambda.core.scale_down import YESTERDAY, Fading, look_back_demand, plan_dimension, plan_target
from ddbflow_lambda.core.target import (
    CONSUMED_METRIC,
    DIMENSIONS,
    OTHER_DIMENSION,
    THROTTLE_METRIC,
    Dimension,
)

from .ddbflow_policy import TABLE, shipped_config
from .policy import UPDATE_SECONDS, Counts, Minute, capacity_during, published

MINUTE = 60
ONE_MINUTE = timedelta(minutes=1)
WAIT_FOR_TABLE = 10  # statemachines/*.asl.json "Wait For Table"
LEASE_EXTRA_SECONDS = 300  # "Take Lease" seconds: deadline (+ cooldown for scale-up) + 300

Execution = Generator[datetime, None, None]  # yields the engine time it sleeps until


@dataclass(frozen=True)
class Retry:
    """One Retry clause of an ASL Task state (the ones the replay can meet)."""

    interval: float
    attempts: int
    backoff: float
    max_delay: float | None = None

    def delays(self) -> list[float | None]:
        """Engine seconds before each retry, then None (no retry left); moto allows attempts − 1
        retries; FULL jitter draws from [0, delay], here its mean."""
        out: list[float | None] = []
        for n in range(self.attempts - 1):
            delay = self.interval * self.backoff**n
            out.append((min(delay, self.max_delay) if self.max_delay else delay) / 2)
        return [*out, None]


def _states(machine: str, state: str) -> dict[str, Any]:
    """The states around ``state`` in a machine's ASL file (top level or inside the scale-down Map)."""
    import json

    definition = json.loads((PROJECT_ROOT / "statemachines" / f"{machine}.asl.json").read_text())
    states: dict[str, Any] = definition["States"]
    if state not in states:
        processor = states["Check Each Target"]
        states = (processor.get("ItemProcessor") or processor["Iterator"])["States"]
    return states


def _task_retries(machine: str, state: str, error: str) -> Retry:
    """The Retry clause for ``error`` of a Task state, read from the ASL file itself."""
    for clause in _states(machine, state)[state].get("Retry", []):
        if error in clause["ErrorEquals"]:
            return Retry(
                clause.get("IntervalSeconds", 1),
                clause.get("MaxAttempts", 3),
                clause.get("BackoffRate", 2.0),
                clause.get("MaxDelaySeconds"),
            )
    return Retry(1, 1, 1.0)


def _lease_waits(machine: str) -> list[float | None]:
    """Seconds before each new Take Lease attempt, then None: the Wait Out Lease loop, read from the ASL
    file (Wait For Lease? allows as many waits as its count limit)."""
    states = _states(machine, "Take Lease")
    [limit] = [c["NumericLessThan"] for c in states["Wait For Lease?"]["Choices"] if "NumericLessThan" in c]
    return [*[float(states["Wait Out Lease"]["Seconds"])] * int(limit), None]


def _schedule_seconds() -> list[int]:
    """Periods of the scale-down machine's schedule rules, as template.yaml declares them."""
    template = Template.load(PROJECT_ROOT)
    resolve = Resolver(template, "us-east-1", ACCOUNT, {}, {})
    return [
        rate_seconds(str(resolve(expression)))
        for machine in template.state_machines.values()
        for expression in machine.schedules
    ]


@dataclass
class _Alarm:
    definition: dict[str, Any]
    dimension: Dimension
    throttles: bool  # watches throttle events (else consumed capacity)
    low: bool  # the low alarm, which starts a scale-down
    state: str = "INSUFFICIENT_DATA"  # a new alarm, as CloudWatch starts it
    # End of the last period evaluated: its datapoints are complete, so until the next period ends (or
    # the alarm is put again) another evaluation gives the same state.
    evaluated_until: int | None = None


@dataclass
class _Part:
    """DescribeTable's view of the table (the replay has one table and no GSI)."""

    capacity: dict[Dimension, int]
    busy_until: datetime | None = None
    last_increase: datetime | None = None
    last_decrease: datetime | None = None
    decreases: list[datetime] = field(default_factory=list)


class FastDdbflow:
    """The ``ddbflow`` policy without the engine: same decisions, same times, ~1000× faster."""

    name = "ddbflow-fast"
    _asl_cache: ClassVar[dict[str, Any]] = {}  # read from the ASL files and template.yaml once

    def __init__(
        self,
        min_capacity: int,
        max_capacity: int,
        update_seconds: float = UPDATE_SECONDS,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.config = validate_config(config or shipped_config(min_capacity, max_capacity))
        self.min_capacity, self.max_capacity = min_capacity, max_capacity
        self.update_seconds = timedelta(seconds=update_seconds)
        self.policies = {d: resolve_policy(self.config, TABLE, d) for d in DIMENSIONS}
        if not self._asl_cache:
            self._asl_cache.update(
                lease_up=_lease_waits("scale_up"),
                lease_down=_lease_waits("scale_down"),
                busy_up=_task_retries("scale_up", "Update Table", "ResourceInUseException").delays(),
                busy_down=_task_retries("scale_down", "Update Table", "ResourceInUseException").delays(),
                schedules=_schedule_seconds(),
            )
        self._ids = itertools.count()

    # -- Policy --------------------------------------------------------------------------------------

    def begin(self, start: datetime, capacity: int) -> None:
        self.start = self.now = start
        self._epoch = int(start.timestamp())  # floor_to_period counts periods from the Unix epoch
        self.part = _Part({"read": capacity, "write": self.min_capacity})
        self.timeline: list[tuple[datetime, int]] = [(start, capacity)]
        self.changes: list[tuple[datetime, dict[Dimension, int]]] = []
        # Each minute's datapoint as DynamoDB publishes it (``published``): None for a minute without one.
        self.consumed: list[float | None] = []
        self.throttled: list[float | None] = []
        self.alarms = {
            d["AlarmName"]: self._alarm(d)
            for d in target_alarms(self.config, TABLE, {d: self.part.capacity[d] for d in DIMENSIONS}, [])
        }
        self.lease: tuple[str, datetime] | None = None
        self.increased_at: dict[Dimension, str] = {}
        self.low_checks: dict[Dimension, int] = {}
        self.decisions: list[tuple[datetime, str, str]] = []  # (time, machine, summary)
        self._wakes: list[tuple[datetime, int, Execution]] = []
        # [next due, period] of each schedule rule, first due one period after the start
        self._schedules: list[tuple[datetime, timedelta]] = [
            (start + timedelta(seconds=s), timedelta(seconds=s)) for s in self._asl_cache["schedules"]
        ]

    def capacity_at(self, at: datetime) -> float:
        return capacity_during(self.timeline, at)  # DdbflowPolicy's rule, on the same timeline

    def observe(self, minute: Minute) -> None:
        end = minute.at + ONE_MINUTE
        self.consumed.append(published(minute.consumed))
        self.throttled.append(published(minute.throttle_events))
        self._run_until(end, including=True)
        self._evaluate_alarms((minute.index + 1) * MINUTE)
        for number, (due, period) in enumerate(self._schedules):
            while due <= end:
                self._start(self._scale_down())
                due += period
            self._schedules[number] = (due, period)
        self._run_until(end + ONE_MINUTE, including=False)

    def finish(self) -> Counts:
        while self._wakes:
            self._run_until(self._wakes[0][0], including=True)
        return Counts(update_calls=len(self.changes), decreases=len(self.part.decreases))

    # -- engine time ---------------------------------------------------------------------------------

    def _start(self, execution: Execution) -> None:
        self._resume(execution)

    def _resume(self, execution: Execution) -> None:
        try:
            wake = next(execution)
        except StopIteration:
            return
        heapq.heappush(self._wakes, (wake, next(self._ids), execution))

    def _run_until(self, moment: datetime, *, including: bool) -> None:
        while self._wakes and (self._wakes[0][0] < moment or (including and self._wakes[0][0] == moment)):
            wake, _, execution = heapq.heappop(self._wakes)
            self.now = max(self.now, wake)
            self._resume(execution)
        if including and moment > self.now:
            self.now = moment

    # -- CloudWatch ----------------------------------------------------------------------------------

    def _evaluate_alarms(self, now: int) -> None:
        """The engine's AlarmEvaluator at ``now`` (seconds from the start): the statistic per period
        over the last EvaluationPeriods periods ended (``floor_to_period``)."""
        started = []
        for alarm in self.alarms.values():
            d = alarm.definition
            period, count = d["Period"], d["EvaluationPeriods"]
            end = (now + self._epoch) // period * period - self._epoch
            series = self._series(alarm.dimension)[1 if alarm.throttles else 0]
            silent = not series and d.get("TreatMissingData") == "notBreaching"
            if end == alarm.evaluated_until or (silent and alarm.state == "OK"):
                continue  # nothing new to see; a dimension that never published stays OK
            alarm.evaluated_until = end
            values = self._evaluation_range(series, end, period, count + EXTRA_DATAPOINTS)
            new = evaluate_range(
                values,
                count,
                d.get("DatapointsToAlarm") or count,
                d["Threshold"],
                d["ComparisonOperator"],
                d.get("TreatMissingData", "missing"),
                alarm.state,
            )
            if new != alarm.state:
                alarm.state = new
                if new == "ALARM":  # template.yaml's rules: a low alarm → scale-down, other → scale-up
                    name = alarm.definition["AlarmName"]
                    started.append(
                        self._scale_down(f"low alarm {name}")
                        if alarm.low
                        else self._scale_up(alarm.dimension)
                    )
        for execution in started:
            self._start(execution)

    def _seconds(self, moment: datetime) -> int:
        return int((moment - self.start).total_seconds())

    def _series(self, dimension: Dimension) -> tuple[list[float | None], list[float | None]]:
        # Only the read dimension carries the trace; the write dimension publishes nothing.
        return (self.consumed, self.throttled) if dimension == "read" else ([], [])

    @classmethod
    def _evaluation_range(
        cls, series: list[float | None], end: int, period: int, span: int
    ) -> list[float | None]:
        """The Sum per period of the ``span`` periods before ``end`` (None = missing), oldest first, as
        the engine's evaluator reads an alarm's evaluation range."""
        if period == MINUTE:  # one datapoint per period: the minutes themselves
            last = end // MINUTE
            first = last - span
            return (
                [None] * max(0, -first) + series[max(0, first) : last] + [None] * max(0, last - len(series))
            )
        return [cls._period_sum(series, end - period * (span - i), period) for i in range(span)]

    @staticmethod
    def _period_sum(series: list[float | None], start: int, period: int) -> float | None:
        """The Sum of the period's datapoints; None (missing) when the period has none."""
        first, last = max(0, -(-start // MINUTE)), min(len(series), -(-(start + period) // MINUTE))
        present = [value for value in series[first:last] if value is not None] if last > first else []
        return sum(present) if present else None

    def _metric_buckets(
        self, dimension: Dimension, period: int, start: datetime, end: datetime
    ) -> dict[int, tuple[float, float]]:
        """GetMetricData as moto answers it: whole seconds, buckets of ``period`` from ``start``, only the
        buckets with datapoints; the handler keeps the buckets with a consumed datapoint and aligns the
        throttle events to them, 0 where none (``ddbflow_lambda.aws.metric_periods``). By bucket index."""
        consumed, throttled = self._series(dimension)
        low = self._seconds(start.replace(microsecond=0))
        high = self._seconds(end.replace(microsecond=0))
        first, last = max(0, -(-low // MINUTE)), min(len(consumed), -(-high // MINUTE))
        used: dict[int, float] = {}
        refused: dict[int, float] = {}
        for i in range(first, last):
            bucket = (i * MINUTE - low) // period
            if (units := consumed[i]) is not None:
                used[bucket] = used.get(bucket, 0.0) + units
            if (events := throttled[i]) is not None:
                refused[bucket] = refused.get(bucket, 0.0) + events
        return {k: (used[k], refused.get(k, 0.0)) for k in sorted(used)}

    def _metric_sums(
        self, dimension: Dimension, period: int, start: datetime, end: datetime
    ) -> tuple[list[float], list[float]]:
        """``ddbflow_lambda.aws.metric_sums``: the buckets' Sums, aligned, oldest first."""
        buckets = self._metric_buckets(dimension, period, start, end).values()
        return [consumed for consumed, _ in buckets], [throttled for _, throttled in buckets]

    @staticmethod
    def _alarm(definition: dict[str, Any], state: str = "INSUFFICIENT_DATA") -> _Alarm:
        metric = definition["MetricName"]
        dimension = next(d for d in DIMENSIONS if metric in (CONSUMED_METRIC[d], THROTTLE_METRIC[d]))
        low = alarm_kind(definition["AlarmName"]) == "low"
        return _Alarm(definition, dimension, metric == THROTTLE_METRIC[dimension], low, state)

    def _rearm(self, dimension: Dimension, capacity: int, policy: Policy) -> None:
        """Update Alarms: the dimension's alarms at the new capacity, state OK."""
        for definition in dimension_alarms(TABLE, dimension, capacity, policy, []):
            self.alarms[definition["AlarmName"]] = self._alarm(definition, "OK")

    # -- DynamoDB and the control table --------------------------------------------------------------

    def _decreases_today(self) -> int:
        """NumberOfDecreasesToday: the decreases of the current UTC day (the newest are last)."""
        day, count = self.now.date(), 0
        for moment in reversed(self.part.decreases):
            if moment.date() != day:
                break
            count += 1
        return count

    def _describe(self) -> dict[str, Any]:
        part = self.part
        return {
            "read": part.capacity["read"],
            "write": part.capacity["write"],
            "active": part.busy_until is None or self.now >= part.busy_until,
            "last_decrease": part.last_decrease.isoformat() if part.last_decrease else None,
            "decreases_today": self._decreases_today(),
        }

    def _update_table(self, throughput: dict[Dimension, int]) -> str | None:
        """UpdateTable: None when applied (or already in place), else the DynamoDB error's name."""
        part, now = self.part, self.now
        if part.busy_until is not None and now < part.busy_until:
            return "ResourceInUseException"
        if all(throughput[d] == part.capacity[d] for d in DIMENSIONS):
            return None  # "will not change": Update Table counts it as applied
        decrease = any(throughput[d] < part.capacity[d] for d in DIMENSIONS)
        increase = any(throughput[d] > part.capacity[d] for d in DIMENSIONS)
        if decrease and not decrease_allowed(self._decreases_today(), part.last_decrease, now):
            return "LimitExceededException"
        if increase:
            part.last_increase = now
        if decrease:
            part.last_decrease = now
            part.decreases.append(now)
        part.capacity = dict(throughput)
        part.busy_until = now + self.update_seconds
        self.changes.append((now, dict(throughput)))
        self.timeline.append((now + self.update_seconds, throughput["read"]))
        return None

    def _take_lease(self, owner: str, seconds: int) -> bool:
        if self.lease is None or self.lease[1] < self.now or self.lease[0] == owner:
            self.lease = (owner, self.now + timedelta(seconds=seconds))
            return True
        return False

    def _release(self, owner: str) -> None:
        if self.lease is not None and self.lease[0] == owner:
            self.lease = None

    # -- the machines --------------------------------------------------------------------------------

    def _leased(
        self, owner: str, seconds: int, delays: list[float | None]
    ) -> Generator[datetime, None, bool]:
        """Take Lease and its Wait Out Lease loop; False when the waits ran out."""
        for delay in delays:
            if self._take_lease(owner, seconds):
                return True
            if delay is None:
                return False
            yield self.now + timedelta(seconds=delay)
        return False

    def _applied(
        self, throughput: dict[Dimension, int], delays: list[float | None]
    ) -> Generator[datetime, None, bool]:
        """Update Table with its ResourceInUseException Retry, then Wait For Table until ACTIVE (or the
        deadline); False when the update was refused."""
        deadline = self.now + timedelta(seconds=self.policies["read"].update_deadline_seconds)
        for delay in delays:
            error = self._update_table(throughput)
            if error is None:
                break
            if error != "ResourceInUseException" or delay is None:
                return False
            yield self.now + timedelta(seconds=delay)
        while True:
            yield self.now + timedelta(seconds=WAIT_FOR_TABLE)
            if self._describe()["active"]:
                return True
            if self.now > deadline:
                return False

    def _scale_up(self, dimension: Dimension) -> Execution:
        owner = f"up-{next(self._ids)}"
        policy, other = self.policies[dimension], OTHER_DIMENSION[dimension]
        seconds = policy.update_deadline_seconds + policy.cooldown_seconds + LEASE_EXTRA_SECONDS
        if not (yield from self._leased(owner, seconds, self._asl_cache["lease_up"])):
            self.decisions.append((self.now, "scale-up", "skipped: another execution holds the lease"))
            return
        cooldown = cooldown_state(self.increased_at.get(dimension), policy.cooldown_seconds, self.now)
        if cooldown["active"]:
            yield datetime.fromisoformat(cooldown["until"].replace("Z", "+00:00"))
        waits = 0
        while True:  # Wait While Credit Carries It loops back to Describe Table
            table = self._describe()
            wait = decrease_wait(table["decreases_today"], self.part.last_decrease, self.now)
            demand = self._demand(dimension, policy)
            current = int(table[dimension])
            credit = self._credit(dimension, policy, current)
            plan = plan_increase(
                current, demand, policy, decrease_wait=wait, credit=credit, credit_waits=waits
            )
            if plan.action != "wait":
                break
            waits += 1
            yield credit_recheck_at(self.now)
        alongside = Plan("none", int(table[other]), int(table[other]), "", "")
        if plan.action == "increase":
            alongside = plan_alongside(
                alongside.current, self._demand(other, self.policies[other]), self.policies[other], wait
            )
        if plan.action != "increase":
            self._record(owner, "scale-up", f"kept at {plan.current}: {plan.reason}")
            return
        throughput = {dimension: plan.new, other: alongside.new}
        if (yield from self._applied(throughput, self._asl_cache["busy_up"])):
            self._rearm(dimension, plan.new, policy)
            raised = [(dimension, plan.new)] + (
                [(other, alongside.new)] if alongside.action == "increase" else []
            )
            if alongside.action == "increase":
                self._rearm(other, alongside.new, self.policies[other])
            for raised_dimension, _ in raised:
                self.increased_at[raised_dimension] = self.now.isoformat()
        self._record(owner, "scale-up", f"{plan.current} → {plan.new}: {plan.reason}")

    def _demand(self, dimension: Dimension, policy: Policy) -> Any:
        period = policy.alarm_period_seconds
        start, end = demand_window(policy, self.now)
        consumed, throttled = self._metric_sums(dimension, period, start, end)
        return measure_demand(consumed, throttled, period, policy.throttled_request_units)

    def _credit(self, dimension: Dimension, policy: Policy, capacity: int) -> Credit:
        """Compute Capacity's burst credit: the last minutes' Sums since the target's last update."""
        changes = [at for at in (self.part.last_increase, self.part.last_decrease) if at is not None]
        start, end, first = credit_window(self.now, max(changes, default=None))
        periods = self._metric_buckets(dimension, MINUTE, start, end)
        return read_credit(periods, first, capacity, policy.throttled_request_units)

    def _scale_down(self, cause: str | None = None) -> Execution:
        """The scale-down child of one target: started by the schedule, or by a low alarm (``cause``).
        A skipped check waits and checks again for each reason at most once (``check_again_at``)."""
        waited: set[str] = set()  # what Wait For Budget? waited for (each at most once)
        while True:
            owner = f"down-{next(self._ids)}"
            seconds = self.policies["read"].update_deadline_seconds + LEASE_EXTRA_SECONDS
            if not (yield from self._leased(owner, seconds, self._asl_cache["lease_down"])):
                self.decisions.append((self.now, "scale-down", "skipped: another execution holds the lease"))
                return
            table = self._describe()
            demand = {d: self._read_demand(d, p) for d, p in self.policies.items()}
            plans = {
                d: plan_dimension(
                    d, int(table[d]), demand[d][0], p, self.low_checks.get(d, 0), self.now, demand[d][2]
                )
                for d, p in self.policies.items()
            }
            last = datetime.fromisoformat(table["last_decrease"]) if table["last_decrease"] else None
            plan = plan_target(
                TABLE.label, plans, self.policies, int(table["decreases_today"]), last, self.now, cause,
                {d: datetime.fromisoformat(at) for d, at in self.increased_at.items()},
                None if "settle" in waited else {d: fading for d, (_, fading, _) in demand.items()},
            )  # fmt: skip
            self.low_checks = dict(plan["low_checks"])
            if plan["action"] in ("decrease", "increase") and (
                yield from self._applied(plan["throughput"], self._asl_cache["busy_down"])
            ):
                for alarm in plan["alarms"]:
                    self._rearm(alarm["dimension"], int(alarm["capacity"]), self.policies[alarm["dimension"]])
            self._record(owner, "scale-down", plan["summary"])
            state = {"plan": plan, "cause": cause} | {WAITED_KEY[kind]: True for kind in waited}
            retry_at, waits_for = check_again_at(state, plan["outcome"])  # Wait For Budget?
            if retry_at is None:
                return
            waited.add(waits_for)
            yield datetime.fromisoformat(retry_at)

    def _read_demand(self, dimension: Dimension, policy: Policy) -> tuple[float, Fading, float]:
        """Read Demand: the look-back's peak per-second demand, rounded as the handler does, how it fades
        (``core.scale_down.look_back_demand``) and, when it had no requests, the same minutes' peak
        yesterday (else 0)."""
        start = self.now - timedelta(minutes=policy.look_back_minutes)
        peak, fading = self._look_back(dimension, policy, start, self.now)
        yesterday = (
            self._look_back(dimension, policy, start - YESTERDAY, self.now - YESTERDAY)[0]
            if peak == 0
            else 0.0
        )
        return peak, fading, yesterday

    def _look_back(
        self, dimension: Dimension, policy: Policy, start: datetime, end: datetime
    ) -> tuple[float, Fading]:
        return look_back_demand(self._metric_buckets(dimension, MINUTE, start, end), policy)

    def _record(self, owner: str, machine: str, summary: str) -> None:
        self.decisions.append((self.now, machine, summary))
        self._release(owner)
