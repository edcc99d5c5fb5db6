"""Decisions reach people: with NotificationTopicArn set, every increase, decrease and failure publishes
the decision sentence to the topic (here an SQS queue subscribed to it), with filterable attributes;
skips and holds publish nothing, and neither does a stack deployed without a topic."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from ddbflow.engine import Engine, Flow
from ddbflow.engine.engine import ACCOUNT
from ddbflow_lambda.core.target import Target
from helpers import TUESDAY_1400, load_event, scale_down_decisions, world_engine

TOPIC_NAME = "ddbflow-decisions"
TOPIC = f"arn:aws:sns:ap-northeast-1:{ACCOUNT}:{TOPIC_NAME}"


def subscribe(engine: Engine) -> str:
    """The operator's topic (created outside the stack) with an SQS queue subscribed; the queue's URL."""

    sns = boto3.client("sns", region_name=engine.region)
    arn = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
    assert arn == TOPIC
    url = engine.sqs.create_queue(QueueName="operators")["QueueUrl"]
    queue_arn = engine.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(TopicArn=TOPIC, Protocol="sqs", Endpoint=queue_arn["QueueArn"])
    return url


def received(engine: Engine, url: str) -> list[dict[str, Any]]:
    """Every notification in the queue: the SNS envelope (Subject, Message, MessageAttributes)."""
    messages = []
    while batch := engine.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        messages += [json.loads(m["Body"]) for m in batch]
        for m in batch:
            engine.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return messages


def attributes(message: dict[str, Any]) -> dict[str, Any]:
    return {name: a["Value"] for name, a in message["MessageAttributes"].items()}


@pytest.fixture
def notifying() -> Iterator[tuple[Engine, str]]:
    with world_engine(TUESDAY_1400, parameters={"NotificationTopicArn": TOPIC}) as engine:
        yield engine, subscribe(engine)


def scale_up_orders_writes(engine: Engine) -> Any:
    # above target for two minutes, nothing refused: the write utilization alarm starts the one write run
    started = engine.publish([Flow(Target("orders"), "write", 96)], minutes=2)
    # The world's seeded read traffic lies in the read alarms' evaluation range too (EvaluationPeriods + 2
    # periods, as CloudWatch evaluates), so they start runs of their own; those end unchanged (quiet).
    executions = {arn: engine.wait(arn) for arn in started}
    [write] = [arn for arn in started if ":ddbflow-orders-write-high-" in arn]
    return executions[write]


def test_an_increase_publishes_its_sentence_with_filterable_attributes(notifying: tuple[Engine, str]) -> None:
    engine, queue = notifying
    # GIVEN a topic WHEN an alarm raises orders' WCU
    execution = scale_up_orders_writes(engine)
    assert execution.output["outcome"] == "increased", execution.cause
    # THEN one message: the sentence as body, its ASCII form (cut to SNS's limit) as subject
    [message] = received(engine, queue)
    sentence = execution.output["summary"]
    assert message["Message"] == sentence
    assert message["Subject"].startswith("orders WCU 100 -> ")
    assert len(message["Subject"]) <= 99 and message["Subject"].isascii()
    # AND attributes to filter on; a table-level decision has no index attribute
    assert attributes(message) == {"table": "orders", "dimension": '["write"]', "outcome": "increased"}
    assert message["MessageAttributes"]["dimension"]["Type"] == "String.Array"


def test_skips_publish_nothing(notifying: tuple[Engine, str]) -> None:
    engine, queue = notifying
    execution = engine.run("scale-up", load_event("alarm-ok.json"))
    assert execution.output["outcome"] == "skipped"
    assert received(engine, queue) == []


def test_a_failure_publishes_what_went_wrong(notifying: tuple[Engine, str]) -> None:
    engine, queue = notifying
    engine.faults.inject("dynamodb.UpdateTable=LimitExceededException")
    execution = scale_up_orders_writes(engine)
    assert execution.status == "FAILED"
    [message] = received(engine, queue)
    assert attributes(message)["outcome"] == "failed"
    assert "LimitExceededException" in message["Message"]


def test_a_scale_down_publishes_one_message_per_changed_target(notifying: tuple[Engine, str]) -> None:
    engine, queue = notifying
    execution = engine.run("scale-down", load_event("schedule.json"))
    changed = {
        (d["table"], d["index"]): d
        for d in scale_down_decisions(engine, execution)
        if d["outcome"] == "decreased"
    }
    assert set(changed) == {("sessions", None), ("orders", "by-customer")}  # orders kept, archive skipped
    messages = {(attributes(m)["table"], attributes(m).get("index")): m for m in received(engine, queue)}
    assert set(messages) == set(changed)
    assert messages["orders", "by-customer"]["Message"] == changed["orders", "by-customer"]["summary"]
    assert attributes(messages["orders", "by-customer"])["dimension"] == '["write"]'
    assert attributes(messages["sessions", None])["dimension"] == '["read", "write"]'


def test_a_publish_failure_loses_neither_the_decision_nor_the_execution(
    notifying: tuple[Engine, str],
) -> None:
    engine, queue = notifying
    engine.faults.inject("sns.Publish=InternalServerError")
    execution = scale_up_orders_writes(engine)
    assert engine.faults.fired
    assert execution.status == "SUCCEEDED" and execution.output["outcome"] == "increased"
    log = engine.dynamodb.query(
        TableName="ControlTable",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :d)",
        ExpressionAttributeValues={":pk": {"S": "TABLE#orders"}, ":d": {"S": "DECISION#"}},
    )["Items"]
    # (the read alarms' runs, started by the world's seeded traffic, log "unchanged")
    assert [item["outcome"]["S"] for item in log if item["outcome"]["S"] != "unchanged"] == ["increased"]
    assert received(engine, queue) == []


def test_without_a_topic_nothing_is_published() -> None:
    # GIVEN the default deploy (NotificationTopicArn "") and a topic someone subscribed to anyway
    with world_engine(TUESDAY_1400) as engine:
        queue = subscribe(engine)
        assert scale_up_orders_writes(engine).output["outcome"] == "increased"
        assert received(engine, queue) == []
