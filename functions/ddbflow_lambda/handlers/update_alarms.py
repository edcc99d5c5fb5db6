"""Update Alarms: re-set the target's scale-up alarm threshold to the new capacity."""

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
    alarm = event["alarm"]
    definition = alarm_definition(
        Target.from_dict(alarm),
        alarm["dimension"],
        int(event["capacity"]),
        Policy.from_dict(event["policy"]),
        alarm_actions(),
    )
    with named_aws_errors():
        client("cloudwatch").put_metric_alarm(**definition)
    return {"alarm_name": definition["AlarmName"], "threshold": definition["Threshold"]}
