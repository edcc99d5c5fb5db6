"""DynamoDB streams to Lambda, as an event source mapping does it, and the TTL process — both of which
moto lacks. The sweeper deletes expired items in engine time; their REMOVE records then carry the TTL
service's identity, which a user's delete never has. The mapping reads template.yaml: batch size,
filter patterns, retries, and the on-failure queue."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ddbflow_lambda.core.cache import TTL_SERVICE

from .clock import VirtualClock
from .moto_hooks import event_matches, stream_records
from .template import Resolver, Template


@dataclass
class Mapping:
    function: str
    table: str  # logical id of the table whose stream it reads
    batch_size: int
    max_retries: int
    patterns: list[str]
    on_failure_queue: str | None
    position: int = 0  # records of the stream already read


@dataclass
class Delivery:
    """What became of one stream record: filtered out, processed, or dead-lettered."""

    key: Any
    event_name: str
    outcome: str
    result: Any = None

    @classmethod
    def of(cls, record: dict[str, Any], outcome: str, result: Any = None) -> "Delivery":
        """A hand-written event (`ddbflow run`) may lack what a real stream always sends: say what it has."""
        change = record.get("dynamodb")
        key = change.get("Keys") if isinstance(change, dict) else None
        return cls(key, str(record.get("eventName", "?")), outcome, result)


@dataclass
class Streams:
    clock: VirtualClock
    dynamodb: Any
    sqs: Any
    invoke: Callable[[str, Any], tuple[int, Any, str | None]]
    resolve: Resolver
    mappings: list[Mapping] = field(default_factory=list)
    ttl_deleted: set[str] = field(default_factory=set)  # JSON of the keys the sweeper deleted

    @classmethod
    def from_template(cls, template: Template, **services: Any) -> "Streams":
        streams = cls(**services)
        for function in template.functions:
            for event in template.properties(function).get("Events", {}).values():
                if event["Type"] != "DynamoDB":
                    continue
                props = event["Properties"]
                destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                streams.mappings.append(
                    Mapping(
                        function=function,
                        table=props["Stream"]["Fn::GetAtt"][0],
                        batch_size=int(props.get("BatchSize", 100)),
                        max_retries=int(props.get("MaximumRetryAttempts", -1)),
                        patterns=[f["Pattern"] for f in props.get("FilterCriteria", {}).get("Filters", [])],
                        on_failure_queue=destination["Fn::GetAtt"][0] if destination else None,
                    )
                )
        return streams

    def sweep_ttl(self, ttl_attributes: dict[str, str]) -> list[Any]:
        """Delete every item whose TTL (a Number of epoch seconds) has passed; return their keys."""
        now, deleted = self.clock.now().timestamp(), []
        for table, attribute in ttl_attributes.items():
            schema = self.dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]
            for page in self.dynamodb.get_paginator("scan").paginate(TableName=table):
                for item in page["Items"]:
                    ttl = item.get(attribute, {})
                    if (
                        "N" in ttl and float(ttl["N"]) <= now
                    ):  # anything but a Number is ignored, as by DynamoDB
                        key = {k["AttributeName"]: item[k["AttributeName"]] for k in schema}
                        self.ttl_deleted.add(json.dumps(key, sort_keys=True))
                        self.dynamodb.delete_item(TableName=table, Key=key)
                        deleted.append(key)
        return deleted

    def pump(self) -> list[Delivery]:
        """Deliver every new stream record to its mapping's function; return what became of each."""
        return [delivery for mapping in self.mappings for delivery in self._pump(mapping)]

    def _pump(self, mapping: Mapping) -> list[Delivery]:
        stream_arn = self.resolve({"Fn::GetAtt": [mapping.table, "StreamArn"]})
        _, _, _, region, account, resource = stream_arn.split(":", 5)
        records = stream_records(account, region, resource.split("/")[1], mapping.position)
        mapping.position += len(records)
        return self._map(mapping, [self._as_lambda_record(r, stream_arn) for r in records])

    def deliver(self, event: dict[str, Any]) -> list[Delivery]:
        """Hand a stream event (a file from events/) to every mapping, filters and all."""
        return [delivery for mapping in self.mappings for delivery in self._map(mapping, event["Records"])]

    def _map(self, mapping: Mapping, records: list[dict[str, Any]]) -> list[Delivery]:
        """What the event source mapping does with records: filter, then deliver in batches."""
        deliveries, batch = [], []
        for record in records:
            if mapping.patterns and not any(event_matches(p, record) for p in mapping.patterns):
                deliveries.append(Delivery.of(record, "filtered out by the event source mapping"))
            else:
                batch.append(record)
        for start in range(0, len(batch), mapping.batch_size):
            deliveries += self._deliver(mapping, batch[start : start + mapping.batch_size])
        return deliveries

    def _deliver(self, mapping: Mapping, records: list[dict[str, Any]]) -> list[Delivery]:
        """Invoke with partial batch responses; retry what failed up to MaximumRetryAttempts, then send it
        to the on-failure destination."""
        pending, attempts, done = records, 0, []
        while pending:
            _, payload, error = self.invoke(mapping.function, {"Records": pending})
            failed_ids = (
                {_identity(r.get("eventID")) for r in pending}
                if error
                else {
                    _identity(f.get("itemIdentifier")) for f in (payload or {}).get("batchItemFailures", [])
                }
            )
            done += [
                Delivery.of(r, "processed", payload)
                for r in pending
                if _identity(r.get("eventID")) not in failed_ids
            ]
            pending = [r for r in pending if _identity(r.get("eventID")) in failed_ids]
            attempts += 1
            if pending and 0 <= mapping.max_retries < attempts:
                if mapping.on_failure_queue:
                    url = self.resolve({"Ref": mapping.on_failure_queue})
                    self.sqs.send_message(
                        QueueUrl=url, MessageBody=json.dumps({"records": pending}, default=str)
                    )
                done += [Delivery.of(r, "sent to the on-failure queue") for r in pending]
                break
        return done

    def _as_lambda_record(self, record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
        """A stream record in the shape Lambda receives it, in engine time, with the TTL identity where
        it applies."""
        record = json.loads(json.dumps(record, default=_epoch))
        record["dynamodb"]["ApproximateCreationDateTime"] = int(self.clock.now().timestamp())
        record["eventSourceARN"] = stream_arn
        record["awsRegion"] = stream_arn.split(":")[3]
        key = json.dumps(record["dynamodb"]["Keys"], sort_keys=True)
        if record["eventName"] == "REMOVE" and key in self.ttl_deleted:
            self.ttl_deleted.discard(key)
            record["userIdentity"] = dict(TTL_SERVICE)
        return record


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"not JSON serializable: {value!r}")


def _identity(event_id: Any) -> str:
    """A record's eventID as a set key: a hand-written event may carry any JSON there (a list, an
    object), and the function's batchItemFailures echo it back as it was."""
    return json.dumps(event_id, sort_keys=True, default=str)
