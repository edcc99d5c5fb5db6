"""What DynamoDB does that moto does not: a table stays UPDATING for a while after UpdateTable (a second
update meanwhile is refused with ResourceInUseException), and each table and GSI remembers its last
increase and decrease and counts its decreases per UTC day, as DescribeTable reports them."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.dynamodb.models.table import Table

from .clock import VirtualClock
from .moto_hooks import TableInUse, ThroughputHooks

Part = str | None  # None for the table itself, else the GSI name


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

    def is_updating(self, table_name: str) -> bool:
        return self.clock.now() < self.busy_until.get(
            table_name, datetime.min.replace(tzinfo=self.clock.now().tzinfo)
        )

    def before_update(self, table: Table) -> None:
        if self.is_updating(table.name):
            raise TableInUse(
                f"Attempt to change a resource which is still in use: Table is being updated: {table.name}"
            )

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
            if any(new.get(k, 0) > old.get(k, 0) for k in new):
                record.last_increase = now
            if any(new.get(k, 0) < old.get(k, 0) for k in new):
                record.last_decrease = now
                record.decreases.append(now)
        if changed:
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
