"""Write Back: the rebuilt entry with a fresh TTL (Number, epoch seconds, with jitter)."""

import json
import os
from decimal import Decimal
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import dynamodb_table, named_aws_errors, parse_time
from ..core.cache import next_ttl
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    key, now = event["entry"]["key"], int(parse_time(event["now"]).timestamp())
    expires_at = next_ttl(now, event["rebuilt"]["settings"], key)
    item = {
        "key": key,
        # DynamoDB wants Decimal, not float
        "value": json.loads(json.dumps(event["rebuilt"]["value"]), parse_float=Decimal),
        os.environ["CACHE_TTL_ATTRIBUTE"]: expires_at,
        "built_at": now,
        "tries": 0,
    }
    with named_aws_errors():
        dynamodb_table(os.environ["CACHE_TABLE"]).put_item(Item=item)
    return {"expires_at": expires_at, "fresh_for_seconds": expires_at - now}
