"""The one alarm evaluation (the engine's alarms and the simulator's baselines) against CloudWatch's
documented examples ("Evaluating an alarm": M out of N datapoints; "How alarm state is evaluated when
data is missing": 5 most recent datapoints retrieved; 0 = not breaching, X = breaching, - = missing)."""

import pytest

from ddbflow.engine.alarm_rules import alarm_state, evaluate_range

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


VALUE = {"0": 0.0, "X": 10.0, "-": None}  # threshold 5, GreaterThanThreshold
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
KEEP = "keep"  # "Retain current state"

THREE_OF_THREE = [
    ("0 - X - X", ("OK", "OK", "OK", "OK")),
    ("0 - - - -", ("OK", "OK", "OK", "OK")),
    ("- - - - -", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
    ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - - - X", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
    ("X - - - -", ("ALARM", KEEP, "ALARM", "OK")),
]
TWO_OF_THREE = [
    ("0 - X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 0 X 0 X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 - X - -", ("OK", "OK", "ALARM", "OK")),
    ("- - - - 0", ("OK", "OK", "ALARM", "OK")),
    ("- - - - X", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
]


def cases(m: int, table: list[tuple[str, tuple[str, ...]]]) -> list[tuple[int, str, str, str]]:
    return [
        (m, row, treat, state)
        for row, states in table
        for treat, state in zip(TREATMENTS, states, strict=True)
    ]


@pytest.mark.parametrize(("m", "row", "treat", "expected"), cases(3, THREE_OF_THREE) + cases(2, TWO_OF_THREE))
@pytest.mark.parametrize("current", ["OK", "ALARM"])
def test_the_documented_tables(m: int, row: str, treat: str, expected: str, current: str) -> None:
    datapoints = [VALUE[c] for c in row.split()]
    state = evaluate_range(datapoints, 3, m, 5.0, "GreaterThanThreshold", treat, current)
    assert state == (current if expected == KEEP else expected)
