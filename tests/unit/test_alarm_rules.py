"""The engine's alarm evaluation against CloudWatch's documented examples ("Evaluating an alarm":
M out of N datapoints, and the TreatMissingData table)."""

import pytest

from ddbflow.engine.alarm_rules import alarm_state

HIGH, LOW, MISSING = 10.0, 0.0, None  # breaching, not breaching, missing (threshold 5, GreaterThanThreshold)


@pytest.mark.parametrize(
    ("values", "m", "treat", "expected"),
    [
        ([HIGH, HIGH], 2, "notBreaching", "ALARM"),
        ([LOW, HIGH], 2, "notBreaching", "OK"),
        ([LOW, HIGH, HIGH], 2, "notBreaching", "ALARM"),  # 2 out of 3
        ([HIGH, LOW, LOW, LOW, HIGH], 3, "notBreaching", "OK"),
        # TreatMissingData table from the CloudWatch docs, 3 out of 3 (here with some missing)
        ([LOW, MISSING, HIGH], 3, "missing", "OK"),
        ([HIGH, MISSING, HIGH], 2, "missing", "ALARM"),
        ([HIGH, MISSING, HIGH], 3, "breaching", "ALARM"),
        ([HIGH, MISSING, HIGH], 3, "notBreaching", "OK"),
        ([MISSING, MISSING, MISSING], 3, "missing", "INSUFFICIENT_DATA"),
        ([MISSING, MISSING, MISSING], 3, "notBreaching", "OK"),
        ([MISSING, MISSING, MISSING], 3, "breaching", "ALARM"),
        ([MISSING, MISSING, MISSING], 3, "ignore", "ALARM"),  # ignore keeps the current state
    ],
)
def test_m_out_of_n_and_missing_data(values: list[float | None], m: int, treat: str, expected: str) -> None:
    assert alarm_state(values, 5.0, "GreaterThanThreshold", m, treat, current_state="ALARM") == expected


def test_threshold_itself_is_not_greater() -> None:
    assert alarm_state([5.0], 5.0, "GreaterThanThreshold", 1, "missing", "OK") == "OK"
    assert alarm_state([5.0], 5.0, "GreaterThanOrEqualToThreshold", 1, "missing", "OK") == "ALARM"
