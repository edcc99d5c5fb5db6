"""Every file under tests/bad_inputs/ ends in the named outcome tests/bad_inputs/expected.json gives it —
a Fail state with a specific error or a recorded skip — and changes nothing."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ddbflow.cli import app
from ddbflow.engine import Engine
from ddbflow_lambda.core.config import validate_config
from ddbflow_lambda.core.errors import InvalidConfig
from helpers import AT

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())


def cases(machine: str) -> list[str]:
    return sorted(p for p, e in EXPECTED.items() if p.startswith(f"{machine}/") and "invalid_json" not in e)


def stream_cases() -> list[str]:
    """Stream events, judged by the executions the stream would start."""
    return [case for case in cases("cache-rebuild") if "executions" in EXPECTED[case]]


def machine_cases() -> list[str]:
    """Inputs started on a machine directly."""
    return [case for case in cases("scale-up") + cases("scale-down") + cases("cache-rebuild")
            if case not in stream_cases()]  # fmt: skip


def thresholds(engine: Engine) -> dict[str, float]:
    alarms = engine.cloudwatch.describe_alarms()["MetricAlarms"]
    return {a["AlarmName"]: a["Threshold"] for a in alarms}


def test_the_corpus_is_big_and_every_file_has_an_expectation() -> None:
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*.json")}
    assert files == set(EXPECTED)
    assert len(files) >= 30


@pytest.mark.parametrize("case", machine_cases())
def test_machine_input_ends_in_its_named_outcome_and_changes_nothing(engine: Engine, case: str) -> None:
    machine, expected = case.split("/")[0], EXPECTED[case]
    before = thresholds(engine)
    execution = engine.run(machine, json.loads((CORPUS / case).read_text()))
    assert execution.status == expected["status"], execution.cause
    if expected["status"] == "FAILED":
        assert execution.error == expected["error"]
        assert execution.states_entered[-1].startswith("Reject"), execution.states_entered[-1]
        assert execution.cause  # says what was wrong
    else:
        assert execution.output["outcome"] == expected["outcome"]
    assert engine.dynamodb_model.updates == []
    assert thresholds(engine) == before


@pytest.mark.parametrize("case", stream_cases())
def test_stream_records_start_only_what_they_should(engine: Engine, case: str) -> None:
    expected = EXPECTED[case]
    before = engine.execution_arns()
    engine.streams.deliver(json.loads((CORPUS / case).read_text()))
    runs = [engine.wait(arn) for arn in engine.execution_arns() - before]
    assert len(runs) == expected["executions"]
    for run in runs:
        assert (run.status, run.error) == (expected["status"], expected["error"])


@pytest.mark.parametrize("case", cases("configs"))
def test_invalid_config_names_the_field(case: str) -> None:
    with pytest.raises(InvalidConfig) as raised:
        validate_config(json.loads((CORPUS / case).read_text()))
    assert EXPECTED[case]["invalid_config"] in str(raised.value)


@pytest.mark.parametrize("case", sorted(p for p, e in EXPECTED.items() if "invalid_json" in e))
def test_invalid_json_is_refused_before_anything_starts(case: str) -> None:
    result = CliRunner().invoke(app, ["run", case.split("/")[0], "--input", str(CORPUS / case), "--at", AT])
    assert result.exit_code == 2
    assert "is not valid JSON" in result.output
