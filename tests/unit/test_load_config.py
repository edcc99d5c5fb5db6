"""`ddbflow load-config` against a control table (moto): a valid config lands where the functions read it;
an invalid one, or a missing table, writes nothing and says why."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from ddbflow.cli import app
from ddbflow_lambda.aws import dynamodb_table
from ddbflow_lambda.aws import load_config as lambda_load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "example.json"
TABLE = "ddbflow-ControlTable-TEST"
runner = CliRunner()


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An empty control table shaped as template.yaml declares it (pk, sk)."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )
        dynamodb_table.cache_clear()
        yield client
    dynamodb_table.cache_clear()


def load(*args: str) -> Any:
    return runner.invoke(app, ["load-config", *args], env={"COLUMNS": "300"})


def create_world_tables(dynamodb: Any) -> None:
    """The provisioned tables of config/local-world.json (orders with GSI by-customer, sessions)."""
    world = json.loads((ROOT / "config" / "local-world.json").read_text())
    for name, table in world["tables"].items():
        indexes = [
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": "gsi", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {
                    "ReadCapacityUnits": gsi["read"],
                    "WriteCapacityUnits": gsi["write"],
                },
            }
            for index, gsi in table.get("indexes", {}).items()
        ]
        dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "gsi")[: 1 + bool(indexes)]
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            ProvisionedThroughput={"ReadCapacityUnits": table["read"], "WriteCapacityUnits": table["write"]},
            **({"GlobalSecondaryIndexes": indexes} if indexes else {}),
        )


def test_a_valid_config_is_stored_where_the_functions_read_it(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WHEN the example config is loaded into the control table
    result = load("--config", str(EXAMPLE), "--table", TABLE, "--no-alarms")
    # THEN the command says so
    assert result.exit_code == 0, result.output
    assert f"loaded into {TABLE}" in result.output
    # AND the deployed functions' own reader returns exactly that config
    monkeypatch.setenv("CONTROL_TABLE", TABLE)
    assert lambda_load_config() == json.loads(EXAMPLE.read_text())


def test_a_warm_function_validates_one_stored_config_once(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ddbflow_lambda.aws as handler_aws

    # GIVEN a stored config AND a count of schema validations
    assert load("--config", str(EXAMPLE), "--table", TABLE, "--no-alarms").exit_code == 0
    monkeypatch.setenv("CONTROL_TABLE", TABLE)
    handler_aws._config_problems.cache_clear()
    calls = []
    monkeypatch.setattr(handler_aws, "validate_config", lambda c: calls.append(c) or c)
    # WHEN three invocations load it
    loaded = [lambda_load_config() for _ in range(3)]
    # THEN each gets the config, and the schema ran once
    assert loaded == [json.loads(EXAMPLE.read_text())] * 3 and len(calls) == 1
    handler_aws._config_problems.cache_clear()


def test_loading_again_replaces_the_config(dynamodb: Any, tmp_path: Path) -> None:
    changed = json.loads(EXAMPLE.read_text())
    changed["tables"]["orders"]["max_capacity"] = 300
    second = tmp_path / "changed.json"
    second.write_text(json.dumps(changed))
    assert load("--config", str(EXAMPLE), "--table", TABLE, "--no-alarms").exit_code == 0
    assert load("--config", str(second), "--table", TABLE, "--no-alarms").exit_code == 0
    items = dynamodb.scan(TableName=TABLE)["Items"]
    assert len(items) == 1
    assert json.loads(items[0]["document"]["S"])["tables"]["orders"]["max_capacity"] == 300


def test_an_invalid_config_writes_nothing_and_names_the_field(dynamodb: Any, tmp_path: Path) -> None:
    bad = json.loads(EXAMPLE.read_text())
    bad["tables"]["orders"]["max_capacity"] = "lots"
    config = tmp_path / "bad.json"
    config.write_text(json.dumps(bad))
    result = load("--config", str(config), "--table", TABLE)
    assert result.exit_code == 1
    assert "$.tables.orders.max_capacity" in result.output
    assert f"nothing written to {TABLE}" in result.output
    assert dynamodb.scan(TableName=TABLE)["Items"] == []


def test_a_table_outside_the_deployed_prefix_is_refused_before_writing(dynamodb: Any) -> None:
    result = load("--config", str(EXAMPLE), "--table", TABLE, "--prefix", "prod-")
    assert result.exit_code == 1
    assert "not covered by ManagedTableNamePrefix 'prod-'" in result.output
    assert dynamodb.scan(TableName=TABLE)["Items"] == []


def test_a_missing_control_table_is_a_clear_error(dynamodb: Any) -> None:
    result = load("--config", str(EXAMPLE), "--table", "no-such-table")
    assert result.exit_code == 1
    assert "no-such-table: ResourceNotFoundException" in result.output


def test_each_managed_table_and_gsi_gets_its_alarms_at_current_capacity(dynamodb: Any) -> None:
    # GIVEN the managed tables exist, provisioned (orders WCU 100)
    create_world_tables(dynamodb)
    # WHEN the config is loaded, with the SNS transport's topic as the alarm action
    topic = "arn:aws:sns:eu-west-1:123456789012:ddbflow-AlarmTopic"
    result = load("--config", str(EXAMPLE), "--table", TABLE, "--alarm-topic-arn", topic)
    assert result.exit_code == 0, result.output
    # THEN every table and GSI has a utilization, a burst, a throttle and a low alarm per dimension, named
    # as the EventBridge rules expect
    alarms = {a["AlarmName"]: a for a in boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    assert set(alarms) == {
        f"ddbflow-{target}:{dimension}-{kind}"
        for target in ("orders:", "orders:by-customer", "sessions:")
        for dimension in ("read", "write")
        for kind in ("high", "burst", "throttled", "low")
    }
    # AND each threshold follows the table's current capacity: 100 WCU × 60 s × 0.7 target utilization
    assert alarms["ddbflow-orders::write-high"]["Threshold"] == 100 * 60 * 0.7
    assert alarms["ddbflow-orders::write-high"]["AlarmActions"] == [topic]
    assert "orders/by-customer: ddbflow-orders:by-customer:read-high" in result.output


def test_a_managed_table_that_does_not_exist_is_reported_and_the_command_fails(dynamodb: Any) -> None:
    result = load("--config", str(EXAMPLE), "--table", TABLE)
    assert result.exit_code == 1
    assert "✗ orders: ResourceNotFoundException" in result.output
    # the config itself was stored: the alarms can be armed again once the tables exist
    assert len(dynamodb.scan(TableName=TABLE)["Items"]) == 1
