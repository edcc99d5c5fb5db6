"""The baseline policies, each on a simulated table (``table.py``): AWS target tracking, Dynamic DynamoDB
with its defaults, and the original blog's alarm policy. ddbflow itself runs the real state machines
(``ddbflow_policy.py``); the oracle is in ``oracle.py``."""

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from .alarm import MetricAlarm
from .policy import UPDATE_SECONDS, Counts, Minute, published
from .table import SimTable

MINUTE = timedelta(minutes=1)


class TablePolicy:
    """A policy that calls UpdateTable on a simulated table when the minute's metrics are published."""

    name = "table"

    def __init__(self, min_capacity: int, max_capacity: int, update_seconds: float = UPDATE_SECONDS) -> None:
        self.table = SimTable(min_capacity, max_capacity, update_seconds)
        self.start = datetime.min

    def begin(self, start: datetime, capacity: int) -> None:
        self.start = start
        self.table.begin(capacity)

    def capacity_at(self, at: datetime) -> float:
        return self.table.capacity_during(at)

    def observe(self, minute: Minute) -> None:
        self.react(minute, minute.at + MINUTE)

    def react(self, minute: Minute, now: datetime) -> None:
        raise NotImplementedError

    def finish(self) -> Counts:
        return self.table.counts()


class TargetTracking(TablePolicy):
    """Application Auto Scaling target tracking as documented for DynamoDB: a high alarm when 2
    consecutive one-minute Sums of consumed units exceed target × capacity × 60, a low alarm after 15
    consecutive below (target − 20 points) × capacity × 60; on either, new capacity =
    ⌈consumed per second / target⌉. Alarm thresholds follow the capacity in effect."""

    name = "target-tracking"

    def __init__(
        self,
        min_capacity: int,
        max_capacity: int,
        update_seconds: float = UPDATE_SECONDS,
        target: float = 0.70,
    ) -> None:
        super().__init__(min_capacity, max_capacity, update_seconds)
        self.target = target
        self.high = MetricAlarm(0.0, "GreaterThanThreshold", evaluation_periods=2, datapoints_to_alarm=2)
        self.low = MetricAlarm(0.0, "LessThanThreshold", evaluation_periods=15, datapoints_to_alarm=15)

    def react(self, minute: Minute, now: datetime) -> None:
        capacity = self.table.provisioned(now)
        self.high.threshold = self.target * capacity * 60
        self.low.threshold = (self.target - 0.20) * capacity * 60
        value = published(minute.consumed)
        high, low = self.high.publish(value), self.low.publish(value)
        latest = self.high.latest()
        if latest is None or not (high or low):
            return
        wanted = self.table.clamp(latest / 60 / self.target)
        if (high and wanted > capacity) or (low and wanted < capacity):
            self.table.update(now, wanted)


@dataclass(frozen=True)
class DynamicDynamoDBSettings:
    """dynamic-dynamodb's defaults (docs/configuration_options.rst, dynamic_dynamodb/statistics)."""

    check_minutes: int = 5  # check-interval 300
    lookback_start: int = 15  # lookback_window_start
    lookback_period: int = 5  # lookback_period
    upper: float = 90.0  # reads-upper-threshold
    lower: float = 30.0  # reads-lower-threshold
    increase_percent: float = 50.0  # increase-reads-with
    decrease_percent: float = 50.0  # decrease-reads-with


class DynamicDynamoDB(TablePolicy):
    """sebdah/dynamic-dynamodb with its defaults: a check every 300 s; consumed percent over a 5-minute
    look-back period starting 15 minutes back; +50 % at ≥ 90 %, −50 % at ≤ 30 % (never on 0 %)."""

    name = "dynamic-dynamodb"

    def __init__(
        self,
        min_capacity: int,
        max_capacity: int,
        update_seconds: float = UPDATE_SECONDS,
        settings: DynamicDynamoDBSettings | None = None,
    ) -> None:
        super().__init__(min_capacity, max_capacity, update_seconds)
        self.settings = settings or DynamicDynamoDBSettings()
        self.history: deque[float] = deque(maxlen=self.settings.lookback_start)

    def react(self, minute: Minute, now: datetime) -> None:
        settings = self.settings
        self.history.append(minute.consumed)
        if (minute.index + 1) % settings.check_minutes or len(self.history) < settings.lookback_start:
            return
        window = list(self.history)[: settings.lookback_period]
        capacity = self.table.provisioned(now)
        percent = sum(window) / (settings.lookback_period * 60) / capacity * 100
        if percent >= settings.upper:
            self.table.update(now, capacity * (1 + settings.increase_percent / 100))
        elif 0 < percent <= settings.lower:
            self.table.update(now, capacity * (1 - settings.decrease_percent / 100))


class Blog(TablePolicy):
    """The original AWS blog's policy as we read it: a CloudWatch alarm on consumed capacity above 50 %
    (one one-minute datapoint) notifies a Lambda that grows the table by 50 % (⌈current × 1.5⌉) and
    re-creates the alarm for the new capacity; decreases only from an hourly check, to what the past
    hour's busiest minute needs at 50 %."""

    name = "blog"

    utilization = 0.50  # the alarm's threshold, and what the hourly check sizes to
    step = 0.50  # growth per alarm

    def __init__(self, min_capacity: int, max_capacity: int, update_seconds: float = UPDATE_SECONDS) -> None:
        super().__init__(min_capacity, max_capacity, update_seconds)
        self.alarm = self._new_alarm(0)
        self.hour: deque[float] = deque(maxlen=60)

    def _new_alarm(self, capacity: int) -> MetricAlarm:
        return MetricAlarm(
            self.utilization * capacity * 60,
            "GreaterThanThreshold",
            evaluation_periods=1,
            datapoints_to_alarm=1,
        )

    def react(self, minute: Minute, now: datetime) -> None:
        capacity = self.table.provisioned(now)
        self.hour.append(minute.consumed)
        before = self.alarm.state
        self.alarm.threshold = self.utilization * capacity * 60
        if self.alarm.publish(published(minute.consumed)) and before != "ALARM":
            if self.table.update(now, math.ceil(capacity * (1 + self.step))):
                self.alarm = self._new_alarm(self.table.clamp(capacity * (1 + self.step)))
            return
        if (minute.index + 1) % 60 == 0:
            needed = max(self.hour) / 60 / self.utilization
            if needed < capacity:
                self.table.update(now, needed)
