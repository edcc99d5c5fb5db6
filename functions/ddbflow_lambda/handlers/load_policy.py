"""Load Policy: the validated policy of the alarm's table or index and dimension, from the control table,
with the other dimension's (Compute Capacity raises both in one update when both are above target)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import load_config
from ..core.config import resolve_policy
from ..core.target import OTHER_DIMENSION, Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    alarm, config = event["alarm"], load_config()
    target, dimension = Target.from_dict(alarm), alarm["dimension"]
    other = OTHER_DIMENSION[dimension]
    return resolve_policy(config, target, dimension).as_dict() | {
        "other_dimension": {"dimension": other, **resolve_policy(config, target, other).as_dict()}
    }
