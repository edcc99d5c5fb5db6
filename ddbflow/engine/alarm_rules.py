"""CloudWatch's alarm evaluation as documented ("Evaluating an alarm", "How alarm state is evaluated when
data is missing") — the one implementation behind the engine's alarms and the simulator's baselines:

- CloudWatch looks at an *evaluation range* wider than EvaluationPeriods (5 datapoints for 3 in the docs'
  tables; here EvaluationPeriods + 2);
- with at least EvaluationPeriods real datapoints in the range, the most recent EvaluationPeriods of them
  are evaluated and TreatMissingData is not used;
- with fewer, the missing ones are filled per TreatMissingData, as few as possible, then M out of N
  (``alarm_state``), with the documented partial-data cases of ``missing`` and ``ignore``.
"""

import operator
from collections.abc import Callable, Sequence

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}


def alarm_state(
    values: Sequence[float | None],
    threshold: float,
    comparison: str,
    datapoints_to_alarm: int,
    treat_missing: str,
    current_state: str,
) -> str:
    """New state from the datapoints of the evaluation range, oldest first (None = missing)."""
    breaches = COMPARISONS[comparison]
    present = [v for v in values if v is not None]
    missing = len(values) - len(present)
    if not present and treat_missing in ("missing", "ignore"):
        return "INSUFFICIENT_DATA" if treat_missing == "missing" else current_state
    breaching = sum(1 for v in present if breaches(v, threshold))
    if treat_missing == "breaching":
        breaching += missing
    return "ALARM" if breaching >= datapoints_to_alarm else "OK"


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
