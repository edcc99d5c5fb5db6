"""Take Lease: one execution at a time may change a table. The lease expires, so a dead holder cannot
lock the table forever; the same execution may take it again (Retry after a lost response)."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from ..aws import control_table, named_aws_errors, parse_time
from ..core.control_keys import lease_key
from ..core.errors import LeaseHeld
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = parse_time(event["now"])
    lease = {
        **lease_key(event["table"]),
        "owner": event["owner"],
        "expires_at": (now + timedelta(seconds=int(event["seconds"]))).isoformat(),
    }
    try:
        control_table().put_item(
            Item=lease,
            ConditionExpression="attribute_not_exists(pk) OR expires_at < :now OR #owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":now": now.isoformat(), ":owner": event["owner"]},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            with named_aws_errors():
                raise
        holder = exc.response.get("Item", {})
        owner, until = _value(holder, "owner"), _value(holder, "expires_at")
        raise LeaseHeld(f"table {event['table']} is leased by {owner} until {until}") from None
    return {"owner": lease["owner"], "expires_at": lease["expires_at"]}


def _value(item: dict[str, Any], name: str) -> str:
    """ReturnValuesOnConditionCheckFailure gives the item in wire format ({"S": ...})."""
    value = item.get(name, {})
    return str(value.get("S", "?")) if isinstance(value, dict) else str(value)
