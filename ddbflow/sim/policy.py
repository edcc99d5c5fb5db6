"""The contract between the simulation loop and every scaling policy it compares.

One table, one dimension (the trace is read as consumed capacity units per second). Each simulated
minute the loop asks the policy what capacity is in effect, runs the traffic model on that minute's
demand, then shows the policy the minute's metrics as DynamoDB publishes them (the policy may scale;
a new capacity takes effect ``update_seconds`` after the UpdateTable call, when the table is ACTIVE
again). Decreases are limited by DynamoDB's daily budget (``ddbflow_lambda.core.budget``) for every
policy alike.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

UPDATE_SECONDS = 30.0  # UpdateTable → ACTIVE with the new capacity (assumed equal for every policy)
MINUTE = timedelta(minutes=1)


def capacity_during(timeline: Sequence[tuple[datetime, float]], at: datetime) -> float:
    """The one rule every policy's capacity (and so its capacity-unit-hours and its throttling) is
    counted by: the mean capacity in effect over the minute that starts at ``at``. ``timeline`` holds
    (time the table is ACTIVE with it, capacity), oldest first; a change landing mid-minute counts pro
    rata, for the share of the minute it was in effect."""
    end = at + MINUTE
    index = max(0, bisect_right(timeline, at, key=lambda change: change[0]) - 1)
    since, level, total = at, timeline[index][1], 0.0
    for when, capacity in timeline[index + 1 :]:
        if when >= end:
            break
        total += level * ((when - since) / MINUTE)
        since, level = when, capacity
    return total + level * ((end - since) / MINUTE)


def published(units: float) -> float | None:
    """The minute's datapoint as DynamoDB sends it: "DynamoDB only sends metrics to CloudWatch when they
    have a non-zero value" (CloudWatch User Guide, DynamoDB metrics), so a minute without requests has no
    consumed datapoint and a minute without throttled requests no throttle-events datapoint."""
    return units if units > 0 else None


@dataclass(frozen=True)
class Minute:
    """One simulated minute, as the traffic model computed it."""

    index: int  # minutes since the start of the simulation
    at: datetime  # start of the minute (UTC, virtual time)
    demand: float  # capacity units per second wanted (mean over the minute)
    capacity: float  # provisioned capacity units per second in effect during the minute
    consumed: (
        float  # ConsumedCapacityUnits Sum over the minute: what was served, never above capacity + burst
    )
    throttled: float  # capacity units of demand refused in the minute (units × seconds)
    throttle_events: float  # ThrottledRequests-style Sum for the minute (one request = one unit here)


@dataclass(frozen=True)
class Counts:
    update_calls: int  # UpdateTable calls that changed capacity
    decreases: int  # of which decreases


class Policy(Protocol):
    name: str

    def begin(self, start: datetime, capacity: int) -> None:
        """The table exists at ``start`` with ``capacity`` provisioned."""

    def capacity_at(self, at: datetime) -> float:
        """Provisioned capacity in effect during the minute that starts at ``at``."""

    def observe(self, minute: Minute) -> None:
        """The minute's metrics are published (at ``minute.at`` + 60 s); the policy reacts."""

    def finish(self) -> Counts:
        """End of the simulation (and of whatever the policy runs on)."""
