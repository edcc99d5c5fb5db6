"""A Lambda handler for the quota tests: returns a result just over Step Functions' 256 KiB."""

from typing import Any

from ddbflow.engine.quotas import MAX_PAYLOAD_BYTES


def big_result(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"blob": "x" * MAX_PAYLOAD_BYTES}
