"""`ddbflow load-config`: put a validated config into a deployed stack's control table, where every
function reads it (ddbflow_lambda.aws.load_config), and arm the scale-up alarms of the tables it manages —
with the caller's own AWS credentials."""

import json
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ddbflow_lambda.core.alarms import target_alarms
from ddbflow_lambda.core.config import managed_targets
from ddbflow_lambda.core.control_keys import CONFIG_KEY
from ddbflow_lambda.core.errors import TableNotFound, TableNotProvisioned
from ddbflow_lambda.core.table import throughput_state

from .engine.template import Template
from .validate import config_problems


class LoadFailed(Exception):
    """The config was not written; the message says why."""


def load_config(
    config_file: Path, table: str, template: Template, prefix: str | None, region: str | None = None
) -> Any:
    """Validate config_file against the schema and the template, then store it as the control table's
    CONFIG item (JSON text, as the functions expect). Returns the config; writes nothing if invalid."""
    problems = config_problems(config_file, template, prefix)
    if problems:
        raise LoadFailed("; ".join(problems))
    config = json.loads(config_file.read_text())
    item = {key: {"S": value} for key, value in CONFIG_KEY.items()}
    item["document"] = {"S": json.dumps(config, separators=(",", ":"))}
    try:
        boto3.client("dynamodb", region_name=region).put_item(TableName=table, Item=item)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise LoadFailed(f"{table}: {error.get('Code')}: {error.get('Message')}") from None
    except BotoCoreError as exc:  # no credentials, no region, endpoint unreachable
        raise LoadFailed(str(exc)) from None
    return config


def arm_alarms(config: dict[str, Any], actions: list[str], region: str | None = None) -> list[str]:
    """Create (or re-set) the scale-up alarm of every managed table and GSI at its current capacity, as
    Update Alarms does after each change: a fresh stack has no alarm until this runs. Returns one line per
    target: the alarms set, or why none could be."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    cloudwatch = boto3.client("cloudwatch", region_name=region)
    report = []
    for target in managed_targets(config):
        try:
            description = dynamodb.describe_table(TableName=target.table)["Table"]
            names = []
            for definition in target_alarms(config, target, throughput_state(description, target), actions):
                cloudwatch.put_metric_alarm(**definition)
                names.append(definition["AlarmName"])
        except ClientError as exc:
            error = exc.response.get("Error", {})
            report.append(f"✗ {target.label}: {error.get('Code')}: {error.get('Message')}")
        except (TableNotFound, TableNotProvisioned) as exc:
            report.append(f"✗ {target.label}: {exc}")
        else:
            report.append(f"✓ {target.label}: {', '.join(names)}")
    return report
