"""Step Functions' and DynamoDB's quotas on the embedded engine: a local run fails where AWS would, with
AWS's error (ddbflow/engine/quotas.py)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ddbflow.engine import Engine, Execution
from ddbflow.engine.engine import ACCOUNT
from ddbflow.engine.quotas import HISTORY_FULL, MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES
from ddbflow.engine.template import Function
from helpers import TUESDAY_1400

BIG = "x" * (MAX_PAYLOAD_BYTES + 1)


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(start=TUESDAY_1400) as running:
        yield running


def run(engine: Engine, name: str, definition: dict[str, Any], payload: Any = None) -> Execution:
    """A state machine of the test's own, created and run on the engine like the template's."""
    arn = engine.sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/test"
    )["stateMachineArn"]
    engine.machines[name] = arn
    return engine.run(name, payload or {})


def big_result_task(engine: Engine, catch: list[dict[str, Any]]) -> dict[str, Any]:
    """A Lambda task whose result is over the quota (tests/quota_handlers.py): inside the reach of the
    state's Catch."""
    engine.lambdas.functions["BigResultFunction"] = Function(
        "BigResultFunction", "quota_handlers.big_result", Path(__file__).resolve().parents[1], {}
    )
    engine.attributes[("BigResultFunction", "Arn")] = (
        f"arn:aws:lambda:{engine.region}:{ACCOUNT}:function:BigResultFunction"
    )
    return {
        "StartAt": "Return Too Much",
        "States": {
            "Return Too Much": {
                "Type": "Task",
                "Resource": engine.attributes[("BigResultFunction", "Arn")],
                "Catch": catch,
                "End": True,
            },
            "Handled": {"Type": "Succeed"},
            "Re-raise": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
        },
    }


def test_a_state_input_over_256_kib_fails_the_execution_with_data_limit_exceeded(engine: Engine) -> None:
    definition = {"StartAt": "Take Input", "States": {"Take Input": {"Type": "Pass", "End": True}}}
    execution = run(engine, "big-input", definition, {"blob": BIG})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert "Take Input" in (execution.cause or "") and "input" in (execution.cause or "")


def test_a_state_output_over_256_kib_fails_the_execution(engine: Engine) -> None:
    definition = {"StartAt": "Grow", "States": {"Grow": {"Type": "Pass", "Result": BIG, "End": True}}}
    execution = run(engine, "big-output", definition)
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")


def test_states_all_does_not_catch_data_limit_exceeded(engine: Engine) -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}]
    execution = run(engine, "catch-all", big_result_task(engine, catch))
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert "Handled" not in execution.states_entered


def test_a_fail_state_reraises_data_limit_exceeded_under_its_own_name(engine: Engine) -> None:
    # GIVEN a Catch naming the error and a Fail state whose ErrorPath re-raises it (moto refused that
    # name: "Custom Error Names MUST NOT begin with 'States.'", and the run ended States.Runtime)
    catch = [{"ErrorEquals": ["States.DataLimitExceeded"], "ResultPath": "$.error", "Next": "Re-raise"}]
    execution = run(engine, "re-raise", big_result_task(engine, catch))
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert execution.states_entered[-1] == "Re-raise"
    assert "Custom Error Names" not in (execution.cause or "")


def test_the_25000th_event_fails_an_execution_that_is_not_done(engine: Engine) -> None:
    # GIVEN a loop of 4 events per turn (PassStateEntered/Exited, ChoiceStateEntered/Exited) that would
    # run 7,000 turns: 28,000 events
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": {
                "Type": "Pass",
                "Parameters": {"n.$": "States.MathAdd($.n, 1)"},
                "Next": "Done Counting?",
            },
            "Done Counting?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 7000, "Next": "Done"}],
                "Default": "Count",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    execution = run(engine, "long-loop", definition, {"n": 0})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert HISTORY_FULL in (execution.cause or "")
    assert len(execution.events) == MAX_HISTORY_EVENTS
    assert execution.events[-1]["type"] == "ExecutionFailed"


def test_an_execution_that_ends_within_25000_events_succeeds(engine: Engine) -> None:
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Enough?"},
            "Enough?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 100, "Next": "Done"}],
                "Default": "Count",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    assert run(engine, "short-loop", definition, {"n": 0}).status == "SUCCEEDED"


def _puts(count: int, value_bytes: int) -> list[dict[str, Any]]:
    return [
        {
            "Put": {
                "TableName": "ControlTable",
                "Item": {"pk": {"S": f"T#{i}"}, "sk": {"S": "X"}, "blob": {"S": "v" * value_bytes}},
            }
        }
        for i in range(count)
    ]


def test_a_transaction_of_more_than_100_items_is_a_validation_exception(engine: Engine) -> None:
    with pytest.raises(ClientError) as refused:
        engine.dynamodb.transact_write_items(TransactItems=_puts(101, 10))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "less than or equal to 100" in refused.value.response["Error"]["Message"]


def test_a_transaction_of_more_than_4_mb_is_a_validation_exception_and_writes_nothing(engine: Engine) -> None:
    # 100 items of 42 KB each: every item under DynamoDB's 400 KB, together over 4 MB
    with pytest.raises(ClientError) as refused:
        engine.dynamodb.transact_write_items(TransactItems=_puts(100, 42_000))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "4 MB" in refused.value.response["Error"]["Message"]
    assert engine.get_plain("ControlTable", {"pk": "T#0", "sk": "X"}) is None
    engine.dynamodb.transact_write_items(TransactItems=_puts(100, 40_000))  # 4.0 MB: accepted
    assert engine.get_plain("ControlTable", {"pk": "T#0", "sk": "X"}) is not None
