"""CloudWatch metric alarms for the baseline policies: each Period's datapoint is the Sum of the minutes
in it (no datapoint when none was published), kept over the evaluation range. The evaluation itself is
the engine's, ``ddbflow.engine.alarm_rules.evaluate_range``: one implementation for the simulator's
baselines and the engine's alarms."""

from collections import deque
from dataclasses import dataclass, field

from ddbflow.engine.alarm_rules import EXTRA_DATAPOINTS, evaluate_range


@dataclass
class MetricAlarm:
    threshold: float
    comparison: str
    evaluation_periods: int
    datapoints_to_alarm: int
    period_minutes: int = 1
    # AWS/DynamoDB metrics: alarms keep their state through missing data whatever the setting.
    treat_missing: str = "ignore"
    state: str = "INSUFFICIENT_DATA"
    datapoints: deque[float | None] = field(default_factory=deque)
    _period: list[float | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A new alarm's evaluation range is all missing until datapoints arrive.
        self.datapoints.extend([None] * (self.evaluation_periods + EXTRA_DATAPOINTS))

    def publish(self, value: float | None) -> bool:
        """One minute's Sum (None when nothing was published). At the end of each Period the alarm is
        evaluated; returns True when it is in ALARM after that evaluation."""
        self._period.append(value)
        if len(self._period) < self.period_minutes:
            return False
        real = [v for v in self._period if v is not None]
        self._period = []
        self.datapoints.append(sum(real) if real else None)
        while len(self.datapoints) > self.evaluation_periods + EXTRA_DATAPOINTS:
            self.datapoints.popleft()
        self.state = evaluate_range(
            list(self.datapoints),
            self.evaluation_periods,
            self.datapoints_to_alarm,
            self.threshold,
            self.comparison,
            self.treat_missing,
            self.state,
        )
        return self.state == "ALARM"

    def latest(self) -> float | None:
        return next((v for v in reversed(self.datapoints) if v is not None), None)
