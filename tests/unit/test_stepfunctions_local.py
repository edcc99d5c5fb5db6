"""The Step Functions Local path (local/): the compose file and credentials file agree with the script, and
the script turns the very ASL files and substitutions of template.yaml into definitions that name only
functions the template defines — no Docker engine needed."""

import json
import re
import runpy
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from ddbflow.engine.template import Template
from ddbflow.stepfunctions_local import (
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    LocalMachine,
    create_state_machines,
    local_machines,
    local_resolver,
)

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "local"
TEMPLATE = Template.load(ROOT)
MACHINES = local_machines(TEMPLATE, local_resolver(TEMPLATE))
LAMBDA_ARN = re.compile(rf"^arn:aws:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT}:function:(?P<name>[A-Za-z0-9]+)$")


def env_file() -> dict[str, str]:
    lines = (LOCAL / "aws-stepfunctions-local-credentials.txt").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def task_resources(states: dict[str, Any]) -> list[str]:
    """Resource of every Task state, Map item processors included."""
    found = []
    for state in states.values():
        if state["Type"] == "Task":
            found.append(state["Resource"])
        if state["Type"] == "Map":
            found += task_resources((state.get("ItemProcessor") or state["Iterator"])["States"])
        for branch in state.get("Branches", []):
            found += task_resources(branch["States"])
    return found


def test_compose_runs_a_pinned_step_functions_local_on_8083_with_the_credentials_file() -> None:
    # GIVEN the compose file as Docker Compose would read it
    compose = yaml.safe_load((LOCAL / "docker-compose.yml").read_text())
    service = compose["services"]["stepfunctions"]
    # THEN the image is pinned to a release, port 8083 is published, the env file exists beside it
    assert re.fullmatch(r"amazon/aws-stepfunctions-local:\d+\.\d+\.\d+", service["image"])
    assert any(str(port).endswith(":8083:8083") or str(port) == "8083:8083" for port in service["ports"])
    assert all((LOCAL / name).is_file() for name in service["env_file"])
    assert "host.docker.internal:host-gateway" in service["extra_hosts"]


def test_credentials_file_points_lambda_at_sam_local_and_matches_the_script_account() -> None:
    env = env_file()
    # Lambda tasks go to `sam local start-lambda` on the host, port 3001.
    assert env["LAMBDA_ENDPOINT"] == "http://host.docker.internal:3001"
    # The ARNs the script substitutes must be in the account and region Step Functions Local runs as.
    assert (env["AWS_ACCOUNT_ID"], env["AWS_DEFAULT_REGION"]) == (LOCAL_ACCOUNT, LOCAL_REGION)


def test_every_template_machine_gets_a_definition() -> None:
    assert {m.name for m in MACHINES} == set(TEMPLATE.state_machines)
    assert {m.key for m in MACHINES} == {"scale-up", "scale-down", "cache-rebuild"}


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.key)
def test_definition_has_no_placeholder_left_and_names_only_template_functions(machine: LocalMachine) -> None:
    # GIVEN the ASL file after the script's substitution
    assert "${" not in machine.definition
    resources = task_resources(json.loads(machine.definition)["States"])
    # THEN every Lambda resource names a function of template.yaml (the name sam local serves it by)
    lambdas = [LAMBDA_ARN.match(resource) for resource in resources if ":lambda:" in resource]
    assert lambdas and all(lambdas), resources
    assert {m["name"] for m in lambdas if m} <= set(TEMPLATE.functions)
    # AND every other resource is an optimized service integration in the aws partition
    others = [r for r in resources if ":lambda:" not in r]
    assert all(r.startswith("arn:aws:states:::") for r in others), others


def test_cache_rebuild_sends_to_the_dead_letter_queue_url_of_its_template_queue() -> None:
    (rebuild,) = [m for m in MACHINES if m.key == "cache-rebuild"]
    expected = f"https://sqs.{LOCAL_REGION}.amazonaws.com/{LOCAL_ACCOUNT}/RebuildDeadLetterQueue"
    assert expected in rebuild.definition


@mock_aws
def test_script_creates_the_three_machines_and_updates_them_when_run_again() -> None:
    # GIVEN an empty Step Functions endpoint (moto standing in for Step Functions Local)
    sfn = boto3.client("stepfunctions", region_name=LOCAL_REGION)
    # WHEN the script's calls create the machines
    arns = create_state_machines(sfn, MACHINES)
    # THEN each one holds exactly the resolved definition
    assert set(arns) == {"scale-up", "scale-down", "cache-rebuild"}
    for machine in MACHINES:
        described = sfn.describe_state_machine(stateMachineArn=arns[machine.key])
        assert described["name"] == machine.name
        assert json.loads(described["definition"]) == json.loads(machine.definition)
    # WHEN it runs again after an ASL edit, it updates in place instead of failing or duplicating
    edited = [LocalMachine(m.key, m.name, m.definition.replace('"StartAt"', '"Comment": "v2", "StartAt"', 1))
              for m in MACHINES]  # fmt: skip
    assert create_state_machines(sfn, edited) == arns
    assert len(sfn.list_state_machines()["stateMachines"]) == 3
    described = sfn.describe_state_machine(stateMachineArn=arns["scale-up"])
    assert json.loads(described["definition"])["Comment"] == "v2"


@mock_aws
def test_the_script_prints_each_machine_arn(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    # GIVEN the script pointed at an endpoint moto answers (Step Functions Local's would be localhost:8083)
    endpoint = f"https://states.{LOCAL_REGION}.amazonaws.com"
    monkeypatch.setattr("sys.argv", ["create_state_machines.py", "--endpoint-url", endpoint])
    # WHEN it runs as a script
    runpy.run_path(str(LOCAL / "create_state_machines.py"), run_name="__main__")
    # THEN it prints one line per machine with the ARN Step Functions gave it
    printed = dict(line.split() for line in capsys.readouterr().out.splitlines())
    sfn = boto3.client("stepfunctions", region_name=LOCAL_REGION)
    created = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    assert printed == {m.key: created[m.name] for m in MACHINES}
