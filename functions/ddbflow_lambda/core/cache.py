"""TTL-driven cache refresh: key prefixes, the next TTL (Number, epoch seconds, with jitter, never more
than 5 years ahead — DynamoDB ignores TTLs further out), the growing retry TTL after a failed rebuild,
and staleness for readers (TTL deletion can lag by days)."""

import hashlib
from decimal import Decimal
from typing import Any

from .errors import InvalidTtl, UnknownCacheKey

FIVE_YEARS = 5 * 365 * 24 * 3600
KEY_SEPARATOR = "#"
TTL_SERVICE = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def cache_settings(config: dict[str, Any], key: str) -> tuple[str, str, dict[str, Any]]:
    """(prefix, rest of the key, the prefix's settings) for a cache key like 'top-products#books'."""
    prefix, _, rest = key.partition(KEY_SEPARATOR)
    caches = config.get("caches", {})
    if not rest or prefix not in caches:
        known = ", ".join(sorted(caches)) or "none configured"
        raise UnknownCacheKey(f"cache key {key!r} has no configured prefix (known: {known})")
    return prefix, rest, caches[prefix]


def _unit_interval(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts: jitter that replays identically."""
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def next_ttl(now: int, settings: dict[str, Any], key: str) -> int:
    """now + refresh ± jitter, in epoch seconds; at least a minute ahead, at most 5 years."""
    jitter = int(settings.get("jitter_seconds", 0))
    offset = round((2 * _unit_interval(key, now) - 1) * jitter)
    return min(now + FIVE_YEARS, max(now + 60, now + int(settings["refresh_seconds"]) + offset))


def retry_ttl(now: int, settings: dict[str, Any], tries: int) -> int:
    """After the n-th failed rebuild, try again in retry_seconds × 2^(n-1), never later than a refresh."""
    delay = int(settings["retry_seconds"]) * 2 ** max(0, tries - 1)
    return now + min(delay, int(settings["refresh_seconds"]))


def ttl_seconds(item: dict[str, Any], attribute: str) -> int:
    """The TTL of a cache item as DynamoDB sees it; InvalidTtl when DynamoDB would silently ignore it."""
    value = item.get(attribute)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        kind = type(value).__name__ if value is not None else "missing"
        raise InvalidTtl(
            f"TTL attribute {attribute!r} is {kind} ({value!r}); "
            "DynamoDB TTL only expires a Number of epoch seconds"
        )
    return int(value)


def is_stale(item: dict[str, Any], attribute: str, now: int) -> bool:
    return ttl_seconds(item, attribute) <= now


def expired_entry(record: Any, ttl_attribute: str) -> tuple[dict[str, Any] | None, str]:
    """A stream record, as Lambda receives it → (the cache-rebuild input, "") when it is the TTL
    deletion of a cache item, else (None, the sentence saying why it starts nothing). Never raises: the
    stream starter and `ddbflow run` both answer a foreign or malformed record with that sentence."""
    if not isinstance(record, dict):
        return None, f"skipped: a stream record is an object, not {type(record).__name__}"
    if record.get("eventName") != "REMOVE" or record.get("userIdentity") != TTL_SERVICE:
        return None, "skipped: not a TTL deletion"
    change = record.get("dynamodb")
    if not (isinstance(change, dict) and isinstance(change.get("Keys"), dict)):
        return None, "skipped: the record has no dynamodb.Keys, which every stream record carries"
    image = change.get("OldImage")
    if not isinstance(image, dict):
        return None, "skipped: the TTL deletion has no dynamodb.OldImage, which the stream must carry"
    key = image.get("key")
    if not (isinstance(key, dict) and isinstance(key.get("S"), str) and key["S"]):
        return None, "skipped: the expired item has no string 'key' in its OldImage"
    try:
        expired = ttl_seconds({ttl_attribute: _typed_value(image.get(ttl_attribute))}, ttl_attribute)
    except InvalidTtl as exc:
        return None, f"skipped: {exc}"
    return {"key": key["S"], "expired_ttl": expired, "stale": image}, ""


def _typed_value(typed: Any) -> Any:
    """A DynamoDB-JSON attribute ({"N": "17"}, {"S": "x"}) as a plain value, as far as a TTL needs."""
    if not isinstance(typed, dict) or len(typed) != 1:
        return typed
    kind, value = next(iter(typed.items()))
    if kind != "N" or not isinstance(value, str):
        return value
    try:
        number = Decimal(value)
    except ArithmeticError:
        return value
    return number if number.is_finite() else value
