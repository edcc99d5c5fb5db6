"""Property tests: whatever JSON arrives, normalizing it and validating configs end in a result or one of
our named errors — never a stray exception (which would surface as an unnamed States.TaskFailed)."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ddbflow_lambda.alarm_events import parse_alarm_event
from ddbflow_lambda.core.config import validate_config
from ddbflow_lambda.core.errors import DdbflowError
from helpers import json_values, load_event, paths, replaced

SAMPLES = [
    load_event(name)
    for name in ("alarm-eventbridge.json", "alarm-sns.json", "alarm-gsi.json", "manual-scale-up.json")
]


def normalizes_or_names_the_problem(event: Any) -> None:
    try:
        signal = parse_alarm_event(event, "2026-11-23T10:00:00+00:00")
    except DdbflowError as exc:
        assert str(exc)  # says what was wrong
    else:
        assert signal.dimension in ("read", "write") and signal.table


@settings(max_examples=300, deadline=None)
@given(event=json_values)
def test_any_json_event(event: Any) -> None:
    normalizes_or_names_the_problem(event)


@settings(max_examples=300, deadline=None)
@given(sample=st.sampled_from(SAMPLES), data=st.data(), value=json_values)
def test_real_events_with_one_part_replaced(sample: Any, data: st.DataObject, value: Any) -> None:
    path = data.draw(st.sampled_from(paths(sample)))
    normalizes_or_names_the_problem(replaced(sample, path, value))


@settings(max_examples=300, deadline=None)
@given(
    config=json_values | st.fixed_dictionaries({"tables": st.dictionaries(st.text(max_size=8), json_values)})
)
def test_any_config_validates_or_names_the_field(config: Any) -> None:
    try:
        validate_config(config)
    except DdbflowError as exc:
        assert "$" in str(exc)
