"""What DynamoDB does that moto does not: a table stays UPDATING for a while after UpdateTable (a second
update meanwhile is refused with ResourceInUseException); each table and GSI remembers its last increase
and decrease and counts its decreases per UTC day, as DescribeTable reports them, and a decrease beyond
the daily budget is refused with LimitExceededException. Other failures are injected with
engine.faults (faults.py), the one fault mechanism."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.dynamodb.models.table import Table

from ddbflow_lambda.core.budget import decrease_allowed, next_decrease_at

from .clock import VirtualClock
from .moto_hooks import Refusal, ThroughputHooks

Part = str | None  # None for the table itself, else the GSI name
LIMIT_MESSAGE = (
    "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. "
    "After the first 4 decreases, each subsequent decrease in the same UTC day can be performed at most once "
    "every 60 minutes. Number of decreases today: {count}. "
    "Next decrease can be made at {at:%Y-%m-%d %H:%M:%S} UTC"
)

UNCHANGED_MESSAGE = (
    "The provisioned throughput for {what} will not change. The requested value equals the current value. "
    "Current ReadCapacityUnits provisioned for {what}: {ReadCapacityUnits}. "
    "Requested ReadCapacityUnits: {ReadCapacityUnits}. "
    "Current WriteCapacityUnits provisioned for {what}: {WriteCapacityUnits}. "
    "Requested WriteCapacityUnits: {WriteCapacityUnits}. "
    "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
)


@dataclass
class PartHistory:
    last_increase: datetime | None = None
    last_decrease: datetime | None = None
    decreases: list[datetime] = field(default_factory=list)

    def decreases_on(self, day: datetime) -> int:
        return sum(1 for t in self.decreases if t.date() == day.date())


@dataclass
class DynamoDBModel(ThroughputHooks):
    clock: VirtualClock
    updating_seconds: float = 20.0
    busy_until: dict[str, datetime] = field(default_factory=dict)
    busy_parts: dict[str, set[Part]] = field(default_factory=dict)
    history: dict[tuple[str, Part], PartHistory] = field(default_factory=dict)
    updates: list[tuple[str, datetime]] = field(default_factory=list)  # every accepted UpdateTable
    # every UpdateTable that changed capacity: (table, time, {part: provisioned throughput after})
    changes: list[tuple[str, datetime, dict[Part, dict[str, int]]]] = field(default_factory=list)

    def record_decreases(self, table_name: str, part: Part, times: list[datetime]) -> None:
        """Pretend these decreases happened (a table whose budget was spent before the engine started)."""
        record = self.history.setdefault((table_name, part), PartHistory())
        record.decreases.extend(times)
        record.last_decrease = max([*record.decreases])

    def is_updating(self, table_name: str) -> bool:
        return self.clock.now() < self.busy_until.get(
            table_name, datetime.min.replace(tzinfo=self.clock.now().tzinfo)
        )

    def before_update(self, table: Table, request: dict[str, Any]) -> None:
        if self.is_updating(table.name):
            raise Refusal(
                "ResourceInUseException",
                f"Attempt to change a resource which is still in use: Table is being updated: {table.name}",
            )
        now = self.clock.now()
        changes = _requested_changes(table, request)
        if changes and all(_same(old, new) for _, old, new in changes):
            part, old, _ = changes[0]
            raise Refusal("ValidationException", UNCHANGED_MESSAGE.format(what=_label(part), **old))
        for part, old, new in changes:
            record = self.history.get((table.name, part), PartHistory())
            count = record.decreases_on(now)
            if _decreases(old, new) and not decrease_allowed(count, record.last_decrease, now):
                at = next_decrease_at(count, record.last_decrease, now)
                raise Refusal("LimitExceededException", LIMIT_MESSAGE.format(count=count, at=at))

    def after_update(self, table: Table, before: dict[Part, Any]) -> None:
        now = self.clock.now()
        self.updates.append((table.name, now))
        after: dict[Part, Any] = {
            None: table.throughput,
            **{gsi.name: gsi.throughput for gsi in table.global_indexes},
        }
        changed = {part for part, throughput in after.items() if before.get(part) != throughput}
        for part in changed:
            record = self.history.setdefault((table.name, part), PartHistory())
            old, new = before.get(part) or {}, after[part]
            if _increases(old, new):
                record.last_increase = now
            if _decreases(old, new):
                record.last_decrease = now
                record.decreases.append(now)
        if changed:
            self.changes.append((table.name, now, {part: dict(after[part]) for part in changed}))
            self.busy_until[table.name] = now + timedelta(seconds=self.updating_seconds)
            self.busy_parts[table.name] = changed

    def decorate(self, table: Table, description: dict[str, Any]) -> None:
        updating = self.is_updating(table.name)
        if updating:
            description["TableStatus"] = "UPDATING"
        description["ProvisionedThroughput"] = self._throughput(
            table.name, None, description.get("ProvisionedThroughput")
        )
        for gsi in description.get("GlobalSecondaryIndexes", []):
            if updating and gsi["IndexName"] in self.busy_parts.get(table.name, set()):
                gsi["IndexStatus"] = "UPDATING"
            gsi["ProvisionedThroughput"] = self._throughput(
                table.name, gsi["IndexName"], gsi.get("ProvisionedThroughput")
            )

    def _throughput(self, table_name: str, part: Part, throughput: dict[str, Any] | None) -> dict[str, Any]:
        result = dict(throughput or {})
        record = self.history.get((table_name, part), PartHistory())
        if record.last_increase:
            result["LastIncreaseDateTime"] = record.last_increase.timestamp()
        if record.last_decrease:
            result["LastDecreaseDateTime"] = record.last_decrease.timestamp()
        result["NumberOfDecreasesToday"] = record.decreases_on(self.clock.now())
        return result


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return all(new.get(k) == old.get(k) for k in new)


def _label(part: Part) -> str:
    return "the table" if part is None else f"the index {part}"


def _increases(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return any(new.get(k, 0) > old.get(k, 0) for k in new)


def _decreases(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return any(new.get(k, 0) < old.get(k, 0) for k in new)


def _requested_changes(
    table: Table, request: dict[str, Any]
) -> list[tuple[Part, dict[str, Any], dict[str, Any]]]:
    """(part, current throughput, requested throughput) for the table and each GSI an UpdateTable touches."""
    changes: list[tuple[Part, dict[str, Any], dict[str, Any]]] = []
    if request.get("throughput"):
        changes.append((None, dict(table.throughput), request["throughput"]))
    indexes = {gsi.name: gsi for gsi in table.global_indexes}
    for update in request.get("global_index") or []:
        spec = update.get("Update")
        if spec and spec["IndexName"] in indexes and spec.get("ProvisionedThroughput"):
            changes.append(
                (
                    spec["IndexName"],
                    dict(indexes[spec["IndexName"]].throughput),
                    spec["ProvisionedThroughput"],
                )
            )
    return changes
