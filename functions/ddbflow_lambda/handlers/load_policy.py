"""Load Policy: the validated policy of the alarm's table or index and dimension, from the control table."""

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import control_table, named_aws_errors
from ..core.config import CONFIG_KEY, resolve_policy, validate_config
from ..core.errors import InvalidConfig
from ..core.target import Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    alarm = event["alarm"]
    with named_aws_errors():
        item = control_table().get_item(Key=CONFIG_KEY, ConsistentRead=True).get("Item")
    if item is None:
        raise InvalidConfig("no config loaded: the control table has no CONFIG item (ddbflow config load)")
    try:
        document = json.loads(item["document"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidConfig(f"the stored config is not JSON: {exc}") from None
    return resolve_policy(validate_config(document), Target.from_dict(alarm), alarm["dimension"]).as_dict()
