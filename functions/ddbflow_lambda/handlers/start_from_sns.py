"""Start From SNS: the original blog's path, an alarm notifies SNS and this starts the scale-up machine
with the SNS event as input, named after the alarm and its state-change time.

Whatever arrives starts the machine, whose Normalize Alarm rejects anything that is not an alarm
(MalformedEvent, with the sentence saying why) — visibly, in the console, instead of a Lambda error
in a log nobody reads. A malformed envelope is named after its content, so a redelivery still finds
its execution already there."""

import json
import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client
from ..core.naming import execution_name
from ..observability import logger


def name_parts(event: Any) -> list[str]:
    """Alarm name + state-change time for an SNS-delivered alarm; else the message id, else a digest
    of the whole event (execution_name hashes its parts)."""
    records = event.get("Records") if isinstance(event, dict) else None
    sns = (
        records[0].get("Sns")
        if isinstance(records, list) and records and isinstance(records[0], dict)
        else None
    )
    if not isinstance(sns, dict):
        return ["malformed-sns-event", json.dumps(event, sort_keys=True, default=str)]
    try:
        message = json.loads(sns.get("Message") or "")
    except (TypeError, ValueError):
        message = None
    if isinstance(message, dict) and message.get("AlarmName"):
        return [str(message.get("AlarmName")), str(message.get("StateChangeTime"))]
    return [str(sns.get("MessageId") or json.dumps(sns, sort_keys=True, default=str))]


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sfn = client("stepfunctions")
    name = execution_name(*name_parts(event))
    try:
        sfn.start_execution(
            stateMachineArn=os.environ["SCALE_UP_STATE_MACHINE_ARN"],
            name=name,
            input=json.dumps(event, default=str),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("duplicate alarm notification: execution already started", extra={"name": name})
    return {"execution_name": name}
