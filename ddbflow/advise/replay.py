"""Replays of a table's demand: target tracking (the simulator's baseline) and ddbflow (the real state
machines on the engine, ``ddbflow.sim.ddbflow_policy``), with ddbflow's own AWS usage counted from what
the engine actually ran: every execution's history, every Lambda invocation and its duration, every
GetMetricData call a handler made and its metrics, every control-table request, the alarms defined."""

import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3

from ddbflow.engine import Engine
from ddbflow.engine.quotas import billed_transitions
from ddbflow.sim.ddbflow_policy import DdbflowPolicy
from ddbflow.sim.policy import Counts, Policy
from ddbflow.sim.run import Result, Setup, simulate
from ddbflow.sim.trace import Trace

from .costs import Usage

DEFAULT_MEMORY_MB = 128  # Lambda's default when neither the function nor Globals sets MemorySize
# Request units of a control-table call (its items are far below 1 KB / 4 KB); reads are strongly
# consistent in every handler, transactions cost two units per item.
CONTROL_READS = {"GetItem": 1.0, "Query": 1.0}
CONTROL_WRITES = {"PutItem": 1.0, "UpdateItem": 1.0, "DeleteItem": 1.0}


def memory_mb(engine: Engine, function: str) -> int:
    """MemorySize of a function as template.yaml declares it (its own, else Globals)."""
    properties = engine.template.resources[function].get("Properties", {})
    return int(
        properties.get("MemorySize", engine.template.globals_function.get("MemorySize", DEFAULT_MEMORY_MB))
    )


class UsageCounter:
    """Counts, on an entered engine, what ddbflow's deployment would be billed for."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.invocations: list[tuple[str, float]] = []  # (function, wall seconds in the handler)
        self.metrics_requested = 0
        self.control_read_units = self.control_write_units = 0.0
        self._control_table = engine.names["ControlTable"]
        invoke = engine.lambdas.invoke

        def timed(name: str, event: Any) -> tuple[int, Any, str | None]:
            started = time.perf_counter()
            try:
                return invoke(name, event)
            finally:
                self.invocations.append((name, time.perf_counter() - started))

        engine.lambdas.invoke = timed  # type: ignore[method-assign]
        # The handlers' clients come from boto3's default session (made after this, on first use).
        assert boto3.DEFAULT_SESSION is not None
        emitter = boto3.DEFAULT_SESSION.events
        emitter.register("before-parameter-build.cloudwatch.GetMetricData", self._get_metric_data)
        emitter.register("before-parameter-build.dynamodb", self._dynamodb_call)

    def _from_handler(self) -> bool:
        return self.engine.lambdas.current_function() is not None

    def _get_metric_data(self, params: dict[str, Any], **_: Any) -> None:
        if self._from_handler():
            self.metrics_requested += sum(1 for q in params.get("MetricDataQueries", []) if "MetricStat" in q)

    def _dynamodb_call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if not self._from_handler():
            return
        operation = model.name
        if params.get("TableName") == self._control_table:
            self.control_read_units += CONTROL_READS.get(operation, 0.0)
            self.control_write_units += CONTROL_WRITES.get(operation, 0.0)
        elif operation == "TransactWriteItems":
            for item in params.get("TransactItems", []):
                (request,) = item.values()
                if request.get("TableName") == self._control_table:
                    self.control_write_units += 2.0

    def collect(self, hours: float) -> dict[str, Usage]:
        """Usage per machine (and the alarms, which belong to none) over a replay of ``hours``."""
        engine = self.engine
        by_function = self._lambda_usage_by_execution_machine()
        usages: dict[str, Usage] = {}
        for machine, arn in engine.machines.items():
            executions = [
                e["executionArn"]
                for page in engine.sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
                for e in page["executions"]
            ]
            if not executions:
                continue
            transitions = sum(billed_transitions(self._history(e)) for e in executions)
            # A Distributed Map's children are executions of their own, billed too (their histories are
            # kept apart from the parent's by the engine).
            transitions += sum(
                child.transitions
                for run_arn, children in engine.usage.map_runs.items()
                if f":mapRun:{arn.rsplit(':', 1)[-1]}/" in run_arn
                for child in children
            )
            requests, gb_seconds = by_function.get(machine, (0, 0.0))
            usages[machine] = Usage(
                hours=hours,
                executions=len(executions),
                transitions=transitions,
                lambda_requests=requests,
                lambda_gb_seconds=gb_seconds,
            )
        alarms = engine.cloudwatch.get_paginator("describe_alarms").paginate()
        periods = [a.get("Period", 60) for page in alarms for a in page["MetricAlarms"]]
        usages["alarms and calls"] = Usage(
            hours=hours,
            alarms=sum(1 for p in periods if p >= 60),
            high_resolution_alarms=sum(1 for p in periods if p < 60),
            metrics_requested=self.metrics_requested,
            control_read_units=self.control_read_units,
            control_write_units=self.control_write_units,
        )
        return usages

    def _history(self, arn: str) -> list[dict[str, Any]]:
        pages = self.engine.sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
        return [event for page in pages for event in page["events"]]

    def _lambda_usage_by_execution_machine(self) -> dict[str, tuple[int, float]]:
        """(requests, GB-seconds) per machine, each function attributed to the machine whose ASL
        references it (a function shared by machines is attributed to the first)."""
        owner = self._function_owners()
        totals: dict[str, tuple[int, float]] = {}
        for function, seconds in self.invocations:
            machine = owner.get(function, "other")
            billed = math.ceil(seconds * 1000) / 1000  # Lambda bills duration per started millisecond
            requests, gb_seconds = totals.get(machine, (0, 0.0))
            totals[machine] = (requests + 1, gb_seconds + billed * memory_mb(self.engine, function) / 1024)
        return totals

    def _function_owners(self) -> dict[str, str]:
        owners: dict[str, str] = {}
        for machine, logical_id in self._machine_logical_ids().items():
            substitutions = self.engine.template.state_machines[logical_id].substitutions
            for value in substitutions.values():
                function = _function_of(value)
                if function:
                    owners.setdefault(function, machine)
        return owners

    def _machine_logical_ids(self) -> dict[str, str]:
        return {key: arn.rsplit(":", 1)[-1] for key, arn in self.engine.machines.items()}


def _function_of(substitution: Any) -> str | None:
    """The function logical id of a ``!GetAtt Function.Arn`` substitution."""
    if isinstance(substitution, dict) and "Fn::GetAtt" in substitution:
        target = substitution["Fn::GetAtt"]
        name = target[0] if isinstance(target, list) else str(target).split(".", 1)[0]
        return str(name)
    return None


class CountedDdbflowPolicy(DdbflowPolicy):
    """The ddbflow policy with its own AWS usage counted while it runs. ``on_engine`` sees the engine at
    the end, before it stops (tests count on it independently)."""

    def __init__(
        self,
        min_capacity: int,
        max_capacity: int,
        update_seconds: float,
        hours: float,
        on_engine: Callable[[Engine], None] | None = None,
    ) -> None:
        super().__init__(min_capacity, max_capacity, update_seconds)
        self.hours, self.on_engine = hours, on_engine
        self.counter: UsageCounter | None = None
        self.usage: dict[str, Usage] = {}

    def begin(self, start: datetime, capacity: int) -> None:
        super().begin(start, capacity)
        self.counter = UsageCounter(self._engine())

    def finish(self) -> Counts:
        engine = self._engine()
        engine.settle()
        assert self.counter is not None
        self.usage = self.counter.collect(self.hours)
        if self.on_engine:
            self.on_engine(engine)
        return super().finish()


def replay(
    trace: Trace,
    policy: str,
    on_minute: Callable[[int], None] | None = None,
    on_engine: Callable[[Engine], None] | None = None,
) -> tuple[Result, dict[str, Usage]]:
    """One policy over the trace; for ddbflow also its own usage per machine."""
    if policy != "ddbflow":
        return simulate(trace, policy, on_minute=on_minute), {}
    made: list[CountedDdbflowPolicy] = []

    def make(setup: Setup) -> Policy:
        made.append(
            CountedDdbflowPolicy(
                setup.min_capacity, setup.max_capacity, setup.update_seconds, trace.minutes / 60, on_engine
            )
        )
        return made[0]

    result = simulate(trace, policy, on_minute=on_minute, make=make)
    return result, made[0].usage
