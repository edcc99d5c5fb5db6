"""Describe Table: current capacity and status of the alarm's table or index."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import describe_target
from ..core.target import Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return describe_target(Target.from_dict(event["alarm"]))
