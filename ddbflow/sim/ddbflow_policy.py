"""The `ddbflow` policy: our real state machines and handlers on the embedded engine, in virtual time.

Each simulated minute the minute's consumed capacity (Sum) and throttle events are published as
DynamoDB publishes them (no datapoint for a minute without any: ``policy.published``); at the minute's
end the alarms evaluate by their own Period, EvaluationPeriods and DatapointsToAlarm, their state
changes go through the template's EventBridge rule and start scale-up executions, the scale-down
machine starts on the template's ScaleDownSchedule, and every execution runs the real ASL with the
real handlers until it ends, waking from Wait states and Retry intervals in engine time. Nothing here
decides a capacity: what the table ends up with is what the executions did to it.
"""

import gc
from datetime import datetime, timedelta
from typing import Any

from ddbflow.engine import Engine
from ddbflow.engine.schedules import Scheduler
from ddbflow_lambda.core.target import CONSUMED_METRIC, THROTTLE_METRIC, Dimension, Target

from .policy import UPDATE_SECONDS, Counts, Minute, capacity_during, published

TABLE = Target("simulated")  # one provisioned table, no GSI; the trace is its read dimension
DIMENSION: Dimension = "read"
CAPACITY_FIELD = "ReadCapacityUnits"


def shipped_config(min_capacity: int, max_capacity: int) -> dict[str, Any]:
    """The shipped defaults (ddbflow_lambda.core.config.Policy) with the simulation's bounds."""
    return {
        "defaults": {"min_capacity": min_capacity, "max_capacity": max_capacity},
        "tables": {TABLE.table: {}},
    }


class DdbflowPolicy:
    name = "ddbflow"

    def __init__(
        self,
        min_capacity: int,
        max_capacity: int,
        update_seconds: float = UPDATE_SECONDS,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.min_capacity, self.max_capacity = min_capacity, max_capacity
        # The policy config loaded into the engine (`ddbflow tune` replays its candidate); default shipped.
        self.config = config
        self.update_seconds = update_seconds
        self.engine: Engine | None = None
        # (time the table is ACTIVE with it, read capacity), oldest first
        self._timeline: list[tuple[datetime, int]] = []
        self._changes_seen = 0
        self._scheduler: Scheduler | None = None

    # -- Policy --------------------------------------------------------------------------------------

    def begin(self, start: datetime, capacity: int) -> None:
        engine = Engine(start=start, updating_seconds=self.update_seconds, driven=True, log_level="ERROR")
        engine.__enter__()
        self.engine = engine
        engine.create_table(TABLE.table, read=capacity, write=self.min_capacity)
        engine.load_config(self.config or shipped_config(self.min_capacity, self.max_capacity))
        engine.put_alarms()
        self._timeline = [(start, capacity)]
        # The template's schedule rules, first due one period after the start (as after a rule is created).
        self._scheduler = engine.scheduler()
        # The collector rescans every long-lived object (botocore's and moto's models, the imported
        # handlers) on each full collection: ~15 % of a run. Set them aside until finish().
        gc.collect()
        gc.freeze()

    def capacity_at(self, at: datetime) -> float:
        """The read capacity in effect over the minute from ``at``: an update counts once the table is
        ACTIVE again (``update_seconds`` after the UpdateTable call), pro rata in the minute it lands in,
        by the rule every policy is counted by."""
        return capacity_during(self._timeline, at)

    def observe(self, minute: Minute) -> None:
        engine = self._engine()
        end = minute.at + timedelta(minutes=1)
        for metric, units in (
            (CONSUMED_METRIC[DIMENSION], minute.consumed),
            (THROTTLE_METRIC[DIMENSION], minute.throttle_events),
        ):
            if (value := published(units)) is not None:  # no datapoint for a minute without any
                engine.put_metric(TABLE, metric, minute.at, value)
        # Executions still running from earlier minutes run on to the minute's end, then the alarms
        # evaluate and the schedule fires; what they start runs until it ends, but never past the next
        # minute's end, whose metrics do not exist yet.
        engine.run_until(end)
        engine.evaluate_alarms()
        assert self._scheduler is not None
        self._scheduler.fire_due(end)
        engine.run_until(end + timedelta(minutes=1), including=False)
        self._record_changes()

    def finish(self) -> Counts:
        engine = self._engine()
        engine.settle()
        self._record_changes()
        changes = [c for c in engine.dynamodb_model.changes if c[0] == TABLE.table]
        decreases = engine.dynamodb_model.history.get((TABLE.table, None))
        engine.__exit__(None, None, None)
        self.engine = None
        gc.unfreeze()
        return Counts(update_calls=len(changes), decreases=len(decreases.decreases) if decreases else 0)

    # -- helpers -------------------------------------------------------------------------------------

    def _engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("begin() first")
        return self.engine

    def _record_changes(self) -> None:
        """Every capacity change the executions made, with the time it takes effect."""
        changes = self._engine().dynamodb_model.changes
        for table, at, parts in changes[self._changes_seen :]:
            if table == TABLE.table and None in parts:
                active_at = at + timedelta(seconds=self.update_seconds)
                self._timeline.append((active_at, int(parts[None][CAPACITY_FIELD])))
        self._changes_seen = len(changes)
