"""Load Policy: the validated policy of the alarm's table or index and dimension, from the control table."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import load_config
from ..core.config import resolve_policy
from ..core.target import Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    alarm = event["alarm"]
    return resolve_policy(load_config(), Target.from_dict(alarm), alarm["dimension"]).as_dict()
