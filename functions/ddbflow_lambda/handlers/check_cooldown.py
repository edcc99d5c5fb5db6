"""Check Cooldown: did this target and dimension increase less than cooldown_seconds ago?"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import control_table, named_aws_errors, parse_time
from ..core.control_keys import last_change_key
from ..core.cooldown import cooldown_state
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with named_aws_errors():
        item = control_table().get_item(Key=last_change_key(event["alarm"]), ConsistentRead=True).get("Item")
    last_increase = item.get("increased_at") if item else None
    return cooldown_state(last_increase, int(event["cooldown_seconds"]), parse_time(event["now"]))
