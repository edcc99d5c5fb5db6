"""Check Table Status: is the table (and the index being scaled) ACTIVE again, and is the deadline past?"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import describe_target, parse_time
from ..core.table import is_active
from ..core.target import Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    state = describe_target(Target.from_dict(event["alarm"]))
    return {
        "active": is_active(state),
        "past_deadline": parse_time(event["now"]) > parse_time(event["deadline"]),
        "status": state["status"],
        "table_status": state["table_status"],
    }
