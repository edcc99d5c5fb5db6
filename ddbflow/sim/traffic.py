"""The traffic model, one minute at a time: provisioned capacity, burst credit, throttling, and the
metrics DynamoDB publishes for the minute.

Burst credit: DynamoDB keeps up to 300 seconds of unused capacity and spends it when demand exceeds
capacity. Demand beyond capacity + available credit is throttled. ConsumedCapacityUnits (Sum per minute)
counts only what was served, so it never exceeds capacity × 60 + the credit spent. A throttle event is
one refused request of one unit.
"""

from datetime import datetime

from .policy import Minute

BURST_SECONDS = 300.0
SECONDS = 60.0


class TrafficModel:
    def __init__(self, burst_credit: float = 0.0) -> None:
        self.burst_credit = burst_credit  # unit-seconds of unused capacity banked

    def minute(self, index: int, at: datetime, demand: float, capacity: float) -> Minute:
        # The bank never holds more than 300 s of the capacity now in effect.
        self.burst_credit = min(self.burst_credit, BURST_SECONDS * capacity)
        wanted = demand * SECONDS
        allowance = capacity * SECONDS
        if wanted <= allowance:
            served = wanted
            self.burst_credit = min(self.burst_credit + allowance - wanted, BURST_SECONDS * capacity)
        else:
            spent = min(self.burst_credit, wanted - allowance)
            self.burst_credit -= spent
            served = allowance + spent
        throttled = wanted - served
        return Minute(
            index=index,
            at=at,
            demand=demand,
            capacity=capacity,
            consumed=served,
            throttled=throttled,
            throttle_events=throttled,
        )
