"""Start From SNS: the original blog's path, an alarm notifies SNS and this starts the scale-up machine
with the SNS event as input, named after the alarm and its state-change time."""

import json
import os
from typing import Any

from aws_lambda_powertools.utilities.data_classes import SNSEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client
from ..core.naming import execution_name
from ..observability import logger


@logger.inject_lambda_context
@event_source(data_class=SNSEvent)
def handler(event: SNSEvent, context: LambdaContext) -> dict[str, Any]:
    sfn = client("stepfunctions")
    try:
        message = json.loads(event.sns_message)
        parts = [str(message.get("AlarmName")), str(message.get("StateChangeTime"))]
    except ValueError:
        parts = [event.record.sns.message_id]  # the machine rejects it as MalformedEvent, visibly
    name = execution_name(*parts)
    try:
        sfn.start_execution(
            stateMachineArn=os.environ["SCALE_UP_STATE_MACHINE_ARN"],
            name=name,
            input=json.dumps(event.raw_event),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("duplicate alarm notification: execution already started", extra={"name": name})
    return {"execution_name": name}
