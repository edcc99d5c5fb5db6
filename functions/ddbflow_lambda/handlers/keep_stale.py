"""Keep Stale Entry: after a failed rebuild, put the expired value back with a short, growing retry TTL
so readers keep a value and TTL tries the rebuild again; after max_tries, give up (dead-letter queue)."""

import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, load_config, named_aws_errors, parse_time
from ..core.cache import cache_settings, retry_ttl
from ..core.errors import InvalidConfig, UnknownCacheKey
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    entry, now = event["entry"], int(parse_time(event["now"]).timestamp())
    stale = dict(
        entry["stale"]
    )  # the expired item as the stream delivered it (DynamoDB JSON): nothing is lost
    tries = int(stale.get("tries", {}).get("N", "0")) + 1
    try:
        _, _, settings = cache_settings(load_config(), entry["key"])
    except (
        UnknownCacheKey,
        InvalidConfig,
    ) as exc:  # no settings to retry with: straight to the dead-letter queue
        return {"gave_up": True, "tries": tries, "why": str(exc)}
    if tries >= int(settings["max_tries"]):
        return {
            "gave_up": True,
            "tries": tries,
            "why": f"{tries} failed rebuilds (max_tries {settings['max_tries']})",
        }
    retry_at = retry_ttl(now, settings, tries)
    stale |= {os.environ["CACHE_TTL_ATTRIBUTE"]: {"N": str(retry_at)}, "tries": {"N": str(tries)}}
    with named_aws_errors():
        client("dynamodb").put_item(TableName=os.environ["CACHE_TABLE"], Item=stale)
    return {"gave_up": False, "tries": tries, "retry_at": retry_at}
