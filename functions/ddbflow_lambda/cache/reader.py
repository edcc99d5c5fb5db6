"""For applications that read the cache: TTL deletion can lag by days, so an item past its TTL is stale
even while it is still in the table. Optionally starts its rebuild (idempotently, like the stream does)."""

import json
import os
import time
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from ..aws import client
from ..core.cache import is_stale, ttl_seconds
from ..core.naming import execution_name

_deserialize = TypeDeserializer().deserialize


@dataclass(frozen=True)
class CacheEntry:
    key: str
    value: Any  # None when the entry is missing
    expires_at: int | None
    stale: bool  # past its TTL (or missing): use with care, a rebuild is due


def get_entry(key: str, *, now: int | None = None, rebuild_if_stale: bool = False) -> CacheEntry:
    """Read a cache entry. Raises InvalidTtl for an item whose TTL is not a Number of epoch seconds."""
    now = int(time.time()) if now is None else now
    attribute = os.environ["CACHE_TTL_ATTRIBUTE"]
    raw = (
        client("dynamodb").get_item(TableName=os.environ["CACHE_TABLE"], Key={"key": {"S": key}}).get("Item")
    )
    if raw is None:
        return CacheEntry(key, None, None, stale=True)
    item = {name: _deserialize(value) for name, value in raw.items()}
    stale = is_stale(item, attribute, now)
    if stale and rebuild_if_stale:
        expired = ttl_seconds(item, attribute)
        entry = {"key": key, "expired_ttl": expired, "stale": raw}
        try:
            client("stepfunctions").start_execution(
                stateMachineArn=os.environ["CACHE_REBUILD_STATE_MACHINE_ARN"],
                name=execution_name("cache", key, str(expired)),
                input=json.dumps({"entry": entry}),
            )
        except client("stepfunctions").exceptions.ExecutionAlreadyExists:
            pass  # the TTL process or another reader got there first
    return CacheEntry(key, item.get("value"), ttl_seconds(item, attribute), stale)
