"""The ASL files, template.yaml and the handlers agree with each other."""

import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
from botocore.loaders import Loader

from ddbflow.engine.template import Template
from ddbflow_lambda.core import errors

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Template.load(ROOT)
MACHINES = list(TEMPLATE.state_machines.values())

STATES_ERRORS = {
    "States.ALL", "States.Runtime", "States.Timeout", "States.TaskFailed", "States.Permissions",
    "States.DataLimitExceeded", "States.HeartbeatTimeout", "States.IntrinsicFailure", "States.BranchFailed",
    "States.NoChoiceMatched", "States.ParameterPathFailure", "States.ResultPathMatchFailure",
    "States.ExceedToleratedFailureThreshold", "States.ItemReaderFailed", "States.ResultWriterFailed",
    "States.QueryEvaluationError",
}  # fmt: skip
LAMBDA_ERRORS = {
    "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException", "Lambda.Unknown",
}  # fmt: skip


def aws_error_codes(*services: str) -> set[str]:
    """Error shape names of the AWS APIs the handlers call, from botocore's own service models."""
    loader = Loader()
    codes = set()
    for service in services:
        shapes = loader.load_service_model(service, "service-2")["shapes"]
        # The code on the wire, e.g. CloudWatch's InternalServiceFault answers "InternalServiceError".
        codes |= {
            shape.get("error", {}).get("code", name)
            for name, shape in shapes.items()
            if shape.get("exception")
        }
    return codes


OUR_ERRORS = {name for name, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, Exception)}
KNOWN_ERRORS = STATES_ERRORS | LAMBDA_ERRORS | OUR_ERRORS | aws_error_codes("dynamodb", "cloudwatch")
# the "Common Errors" every AWS API reference lists, and the error a Pass state of the machine raises
KNOWN_ERRORS |= {
    "ServiceUnavailable", "ThrottlingException", "Throttling", "InternalFailure", "TableNotActiveInTime",
}  # fmt: skip
# What Lambda answers when a function times out (Step Functions names the error after its errorType).
KNOWN_ERRORS |= {"Sandbox.Timedout"}


def definition(machine: Any) -> dict[str, Any]:
    return dict(json.loads(machine.definition_path.read_text()))


def all_states(states: dict[str, Any]) -> dict[str, Any]:
    found = dict(states)
    for state in states.values():
        for nested in [state.get("Iterator"), state.get("ItemProcessor"), *state.get("Branches", [])]:
            if nested:
                found |= all_states(nested["States"])
    return found


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.logical_id)
def test_every_error_name_is_real(machine: Any) -> None:
    states = all_states(definition(machine)["States"])
    names = {
        name
        for state in states.values()
        for rule in state.get("Retry", []) + state.get("Catch", [])
        for name in rule["ErrorEquals"]
    }
    assert names - KNOWN_ERRORS == set()


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.logical_id)
def test_every_transition_exists_and_every_state_is_reachable(machine: Any) -> None:
    asl = definition(machine)
    states = asl["States"]
    edges: dict[str, set[str]] = {}
    for name, state in states.items():
        targets = {state.get("Next"), state.get("Default")}
        targets |= {choice["Next"] for choice in state.get("Choices", [])}
        targets |= {catch["Next"] for catch in state.get("Catch", [])}
        edges[name] = {t for t in targets if t}
        assert edges[name] <= states.keys(), f"{name} goes to a missing state"
        terminal = state["Type"] in ("Succeed", "Fail") or state.get("End") or state["Type"] == "Choice"
        assert terminal or state.get("Next"), f"{name} has neither Next nor End"
    seen, frontier = set(), [asl["StartAt"]]
    while frontier:
        name = frontier.pop()
        if name not in seen:
            seen.add(name)
            frontier.extend(edges[name])
    assert seen == set(states), f"unreachable: {set(states) - seen}"


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.logical_id)
def test_placeholders_match_the_definition_substitutions(machine: Any) -> None:
    used = set(re.findall(r"\$\{(\w+)\}", machine.definition_path.read_text()))
    assert used == set(machine.substitutions)


def test_every_function_handler_imports_and_every_task_names_a_function() -> None:
    for function in TEMPLATE.functions.values():
        module, attribute = function.handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), attribute))
    for machine in MACHINES:
        for name, value in machine.substitutions.items():
            if name.endswith("FunctionArn"):
                assert value["Fn::GetAtt"][0] in TEMPLATE.functions


def test_state_names_read_like_sentences() -> None:
    for machine in MACHINES:
        for name, state in definition(machine)["States"].items():
            assert name[0].isupper(), name
            assert name.endswith("?") == (state["Type"] == "Choice"), f"{name}: a Choice is a question"
