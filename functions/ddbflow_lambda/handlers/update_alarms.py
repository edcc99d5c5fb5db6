"""Update Alarms: re-set the scale-up alarm thresholds to the new capacity, and re-arm each alarm (state
OK), so demand still above the new threshold fires it again. CloudWatch leaves an updated alarm's state
as it was: an alarm left in ALARM would never change state again, and never start another execution.
Shared by both machines."""

import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, named_aws_errors
from ..core.alarms import dimension_alarms
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
        capacity = int(alarm["capacity"])
        for definition in dimension_alarms(target, alarm["dimension"], capacity, policy, alarm_actions()):
            with named_aws_errors():
                client("cloudwatch").put_metric_alarm(**definition)
                client("cloudwatch").set_alarm_state(
                    AlarmName=definition["AlarmName"],
                    StateValue="OK",
                    StateReason=f"ddbflow re-armed the alarm at capacity {capacity}",
                )
            updated[definition["AlarmName"]] = definition["Threshold"]
    return {"thresholds": updated}
