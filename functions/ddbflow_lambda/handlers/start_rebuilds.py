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
from ..core.cache import expired_entry
from ..core.errors import AwsError
from ..core.naming import execution_name
from ..observability import logger

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def start_rebuild(record: DynamoDBRecord) -> str:
    entry, skipped = expired_entry(record.raw_event, os.environ["CACHE_TTL_ATTRIBUTE"])
    if entry is None:
        logger.info(skipped, extra={"event_name": record.raw_event.get("eventName"), "id": record.event_id})
        return skipped
    name = execution_name("cache", entry["key"], str(entry["expired_ttl"]))
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
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        # Only a direct invoke can send this (a mapping always sends a list of records): nothing to retry.
        logger.error('skipped: not a DynamoDB stream event (expected {"Records": [record, ...]})')
        return {"batchItemFailures": []}
    if not records:
        logger.info("skipped: the stream event holds no records: nothing to deliver")
        return {"batchItemFailures": []}
    response = process_partial_response(
        event=event, record_handler=start_rebuild, processor=processor, context=context
    )
    return dict(response)
