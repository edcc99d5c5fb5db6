"""Start Rebuilds: the cache table's stream → one cache-rebuild execution per TTL expiry.

Powertools batch processing reports partial batch failures, so one bad record never makes the stream
retry the whole batch. Only TTL deletions start a rebuild (the event source mapping filters on the TTL
service's identity; this checks again). Execution names come from key + expired TTL, so a redelivered
record finds its execution already started and counts as done.
"""

import json
import os
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, named_aws_errors
from ..core.cache import ttl_seconds
from ..core.errors import AwsError, InvalidTtl
from ..core.naming import execution_name
from ..observability import logger

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
TTL_SERVICE = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def start_rebuild(record: DynamoDBRecord) -> str:
    event_name = record.raw_event.get("eventName")
    if event_name != "REMOVE" or record.raw_event.get("userIdentity") != TTL_SERVICE:
        logger.info("skipped: not a TTL deletion", extra={"event_name": event_name, "id": record.event_id})
        return "skipped: not a TTL deletion"
    image = record.dynamodb.old_image if record.dynamodb else {}
    raw_image = record.raw_event["dynamodb"].get("OldImage", {})
    key = image.get("key")
    try:
        expired = ttl_seconds(image, os.environ["CACHE_TTL_ATTRIBUTE"])
    except InvalidTtl as exc:
        logger.error("skipped: cache item with an invalid TTL", extra={"key": key, "error": str(exc)})
        return f"skipped: {exc}"
    name = execution_name("cache", str(key), str(expired))
    entry = {"key": key, "expired_ttl": expired, "stale": raw_image}
    try:
        with named_aws_errors():
            client("stepfunctions").start_execution(
                stateMachineArn=os.environ["CACHE_REBUILD_STATE_MACHINE_ARN"],
                name=name,
                input=json.dumps({"entry": entry}),
            )
    except AwsError as exc:
        if type(exc).__name__ != "ExecutionAlreadyExists":
            raise  # reported as a batch item failure: the stream retries this record, bounded by the mapping
        logger.info("duplicate delivery: rebuild already started", extra={"name": name})
    return name


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=start_rebuild, processor=processor, context=context
    )
    return dict(response)
