"""CloudWatch's alarm evaluation as documented ("Evaluating an alarm", "Configuring how CloudWatch alarms
treat missing data"): the last EvaluationPeriods datapoints, ALARM when at least DatapointsToAlarm of
them breach; missing datapoints handled per TreatMissingData."""

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
