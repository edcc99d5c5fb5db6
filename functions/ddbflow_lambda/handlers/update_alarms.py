"""Update Alarms: re-set the scale-up alarm thresholds to the new capacity. Shared by both machines."""

import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, named_aws_errors
from ..core.alarms import alarm_definition
from ..core.config import Policy
from ..core.target import Target
from ..observability import logger


def alarm_actions() -> list[str]:
    """SNS topic(s) for deployments whose alarms notify SNS; empty when EventBridge carries state changes."""
    return [arn for arn in os.environ.get("ALARM_ACTIONS", "").split(",") if arn]


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    target, updated = Target.from_dict(event["target"]), {}
    for alarm in event["alarms"]:
        policy = Policy.from_dict(alarm["policy"])
        definition = alarm_definition(
            target, alarm["dimension"], int(alarm["capacity"]), policy, alarm_actions()
        )
        with named_aws_errors():
            client("cloudwatch").put_metric_alarm(**definition)
        updated[definition["AlarmName"]] = definition["Threshold"]
    return {"thresholds": updated}
