"""A simulated provisioned table for the policies that do not run on the engine: UpdateTable puts it in
UPDATING for ``update_seconds``, after which the new capacity is in effect; updates are refused while it
is UPDATING; decreases follow DynamoDB's daily budget (``ddbflow_lambda.core.budget``)."""

import math
from datetime import datetime, timedelta

from ddbflow_lambda.core import budget

from .policy import UPDATE_SECONDS, Counts, capacity_during


class SimTable:
    def __init__(self, min_capacity: int, max_capacity: int, update_seconds: float = UPDATE_SECONDS) -> None:
        self.min_capacity, self.max_capacity = min_capacity, max_capacity
        self.update_delay = timedelta(seconds=update_seconds)
        self.capacity = min_capacity
        self.pending: tuple[datetime, int] | None = None  # (ACTIVE again at, new capacity)
        self.decreases_today = 0
        self.last_decrease: datetime | None = None
        self.update_calls = 0
        self.decreases = 0
        self.refused = 0

    def begin(self, capacity: int) -> None:
        self.capacity = self.clamp(capacity)

    def clamp(self, capacity: float) -> int:
        return max(self.min_capacity, min(self.max_capacity, math.ceil(round(capacity, 6))))

    def _settle(self, now: datetime) -> None:
        if self.pending and self.pending[0] <= now:
            self.capacity, self.pending = self.pending[1], None

    def updating(self, now: datetime) -> bool:
        self._settle(now)
        return self.pending is not None

    def provisioned(self, now: datetime) -> int:
        """ProvisionedCapacityUnits as DescribeTable reports it at ``now``."""
        self._settle(now)
        return self.capacity

    def capacity_during(self, at: datetime) -> float:
        """Mean capacity in effect over the minute starting at ``at``, by the rule every policy is counted
        by (an update landing mid-minute counts pro rata)."""
        self._settle(at)
        return capacity_during([(at, self.capacity), *([self.pending] if self.pending else [])], at)

    def _decreases_on(self, now: datetime) -> int:
        same_day = self.last_decrease is not None and self.last_decrease.date() == now.date()
        return self.decreases_today if same_day else 0

    def decrease_allowed(self, now: datetime) -> bool:
        return budget.decrease_allowed(self._decreases_on(now), self.last_decrease, now)

    def update(self, now: datetime, wanted: float) -> bool:
        """UpdateTable to ``wanted`` (clamped to min/max, rounded up to whole units). False when nothing
        changed: same capacity, table UPDATING (ResourceInUseException) or decrease budget spent
        (LimitExceededException)."""
        new = self.clamp(wanted)
        if self.updating(now):
            self.refused += 1
            return False
        if new == self.capacity:
            return False
        if new < self.capacity:
            if not self.decrease_allowed(now):
                self.refused += 1
                return False
            self.decreases_today = self._decreases_on(now) + 1
            self.last_decrease = now
            self.decreases += 1
        self.update_calls += 1
        self.pending = (now + self.update_delay, new)
        return True

    def counts(self) -> Counts:
        return Counts(update_calls=self.update_calls, decreases=self.decreases)
