"""Property tests on the other entry points, as tests/unit/test_input_properties.py does for alarms:
whatever arrives at the stream starter, the SNS starter, the scale-down machine's List Managed Targets
or the stream's event source mapping ends in a result, a recorded skip or one of our named errors —
never an unhandled exception."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddbflow.engine import Engine
from ddbflow.world import CONFIG, WORLD, read_json, seed
from ddbflow_lambda.core.cache import expired_entry
from helpers import FIXED_START, json_values, load_event, paths, replaced

STREAM_SAMPLES = [load_event("ttl-remove.json"), load_event("user-remove.json")]
RECORDS = [record for event in STREAM_SAMPLES for record in event["Records"]]
SCHEDULES = [load_event("schedule.json"), {"tables": ["orders"]}, {"tables": ["orders", "sessions"]}]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def world() -> Iterator[Engine]:
    """One engine for every example: the handlers run in-process, each example in milliseconds."""
    with Engine(start=FIXED_START) as engine:
        seed(engine, read_json(CONFIG), read_json(WORLD), traffic=False)
        yield engine


def sns_carrying(message: str) -> Any:
    event = load_event("alarm-sns.json")
    event["Records"][0]["Sns"]["Message"] = message
    return event


@st.composite
def mutated(draw: st.DrawFn, samples: list[Any]) -> Any:
    """A real sample with one part (anything from one leaf to the whole) replaced by any JSON."""
    sample = draw(st.sampled_from(samples))
    return replaced(sample, draw(st.sampled_from(paths(sample))), draw(json_values))


@SETTINGS
@given(record=json_values | mutated(RECORDS))
def test_any_stream_record_is_an_entry_to_rebuild_or_a_sentence(record: Any) -> None:
    entry, skipped = expired_entry(record, "expires_at")
    if entry is None:
        assert skipped.startswith("skipped: ") and len(skipped) > len("skipped: ")
    else:
        assert (skipped, type(entry["key"]), type(entry["expired_ttl"])) == ("", str, int)
        json.dumps(entry)  # it becomes the execution's input


@SETTINGS
@given(
    event=json_values | mutated(STREAM_SAMPLES) | st.fixed_dictionaries({"Records": st.lists(json_values)})
)
def test_the_stream_starter_answers_any_event_without_an_unhandled_error(world: Engine, event: Any) -> None:
    _, payload, error = world.lambdas.invoke("StartRebuildsFunction", event)
    assert error is None, payload
    assert isinstance(payload["batchItemFailures"], list)


@SETTINGS
@given(event=mutated(STREAM_SAMPLES))
def test_the_event_source_mapping_delivers_any_hand_written_stream_event(world: Engine, event: Any) -> None:
    records = event.get("Records") if isinstance(event, dict) else None
    if not (isinstance(records, list) and all(isinstance(r, dict) for r in records)):
        return  # `ddbflow run` hands only a list of records to the mapping
    for delivery in world.streams.deliver(event):
        assert delivery.outcome and isinstance(delivery.event_name, str)


@SETTINGS
@given(event=json_values | mutated(SCHEDULES))
def test_any_scale_down_input_lists_targets_or_names_the_problem(world: Engine, event: Any) -> None:
    # The machine hands the handler its input and its execution's name (the target list's S3 key).
    request = {"event": event, "execution": "property-test"}
    _, payload, error = world.lambdas.invoke("ListTargetsFunction", request)
    if error is None:
        listed = world.s3.get_object(Bucket=payload["bucket"], Key=payload["key"])["Body"].read()
        targets = json.loads(listed)
        assert len(targets) == payload["count"]
        assert all(target["table"] in read_json(CONFIG)["tables"] for target in targets)
    else:
        assert payload["errorType"] in ("MalformedEvent", "TableNotManaged"), payload
        assert payload["errorMessage"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    event=st.builds(sns_carrying, st.builds(json.dumps, json_values) | st.text(max_size=30))
    | json_values
    | mutated([load_event("alarm-sns.json")])
)
def test_the_sns_starter_starts_an_execution_that_rejects_what_is_not_an_alarm(
    world: Engine, event: Any
) -> None:
    _, payload, error = world.lambdas.invoke("StartFromSnsFunction", event)
    assert error is None, payload
    arn = f"{world.machines['scale-up'].replace(':stateMachine:', ':execution:')}:{payload['execution_name']}"
    execution = world.wait(arn)
    assert execution.status in ("SUCCEEDED", "FAILED")
    if execution.status == "FAILED":
        assert execution.states_entered[-1].startswith("Reject"), execution.states_entered
        assert execution.error in ("MalformedEvent", "UnsupportedMetric", "ForeignAlarm", "TableNotManaged")
