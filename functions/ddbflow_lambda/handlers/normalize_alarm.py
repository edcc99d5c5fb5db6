"""Normalize Alarm: any alarm shape → {alarm: {table, index, dimension, state, ...}}."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..alarm_events import check_home, parse_alarm_event
from ..core.errors import WrongMachine
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    signal = parse_alarm_event(event["event"], received_at=event["now"])
    region, account = context.invoked_function_arn.split(":")[3:5]
    check_home(signal, region, account)
    if signal.trigger == "low":
        raise WrongMachine(f"{signal.alarm_name!r} is a low-utilization alarm: it starts a scale-down")
    logger.info("alarm normalized", extra=signal.as_dict())
    return {"alarm": signal.as_dict()}
