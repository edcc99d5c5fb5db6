"""CloudWatch metric alarms for the baseline policies, evaluated as the CloudWatch docs describe
("Evaluating an alarm", "How alarm state is evaluated when data is missing"):

- each Period's datapoint is the Sum of the minutes in it (no datapoint when none was published);
- CloudWatch looks at an *evaluation range* wider than EvaluationPeriods (5 datapoints for 3 in the docs'
  tables; here EvaluationPeriods + 2);
- with at least EvaluationPeriods real datapoints in the range, the most recent EvaluationPeriods of them
  are evaluated and TreatMissingData is not used;
- with fewer, the missing ones are filled per TreatMissingData, as few as possible, then M out of N.

The M-out-of-N rule itself is the engine's (``ddbflow.engine.alarm_rules.alarm_state``); this module adds
the evaluation range and the documented partial-data cases of ``missing`` and ``ignore``.
"""

from collections import deque
from dataclasses import dataclass, field

from ddbflow.engine.alarm_rules import COMPARISONS, alarm_state

EXTRA_DATAPOINTS = 2  # the docs' examples retrieve 5 datapoints for EvaluationPeriods = 3


def evaluate_range(
    datapoints: list[float | None],
    evaluation_periods: int,
    datapoints_to_alarm: int,
    threshold: float,
    comparison: str,
    treat_missing: str,
    current_state: str,
) -> str:
    """The alarm state from the evaluation range (oldest first, None = missing)."""
    present = [v for v in datapoints if v is not None]
    if len(present) >= evaluation_periods:
        return alarm_state(
            present[-evaluation_periods:],
            threshold,
            comparison,
            datapoints_to_alarm,
            treat_missing,
            current_state,
        )
    window: list[float | None] = [None] * (evaluation_periods - len(present)) + present
    if not present or treat_missing in ("breaching", "notBreaching"):
        return alarm_state(window, threshold, comparison, datapoints_to_alarm, treat_missing, current_state)
    # missing / ignore with some real datapoints: the real breaches alone may already be enough …
    real_breaches = alarm_state(
        window, threshold, comparison, datapoints_to_alarm, "notBreaching", current_state
    )
    if real_breaches == "ALARM":
        return "ALARM"
    # … a real non-breaching datapoint makes it OK (the docs' "0 - - - -" and "0 - X - -" rows) …
    if any(not COMPARISONS[comparison](v, threshold) for v in present):
        return "OK"
    # … and only breaching ones: ignore keeps the state; missing goes to ALARM when the oldest datapoint
    # of the range is real and breaching ("X - - - -"), else to INSUFFICIENT_DATA ("- - - - X").
    if treat_missing == "ignore":
        return current_state
    return "ALARM" if datapoints[0] is not None else "INSUFFICIENT_DATA"


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
