"""`ddbflow load-config`: put a validated config into a deployed stack's control table, where every
function reads it (ddbflow_lambda.aws.load_config) — with the caller's own AWS credentials."""

import json
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ddbflow_lambda.core.control_keys import CONFIG_KEY

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
