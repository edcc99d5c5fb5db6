"""The real cache_rebuild.asl.json, fed by the cache table's stream through the event source mapping and
the starter function, with the engine's TTL process."""

import json
from typing import Any

import pytest

from ddbflow.engine import Engine
from ddbflow_lambda.cache.reader import get_entry
from ddbflow_lambda.core.errors import InvalidTtl
from helpers import load_event

KEY = "top-products#books"


def executions(engine: Engine) -> list[dict[str, Any]]:
    return engine.sfn.list_executions(stateMachineArn=engine.machines["cache-rebuild"])["executions"]


def cache_item(engine: Engine) -> dict[str, Any] | None:
    return engine.get_plain("CacheTable", {"key": KEY})


def expire(engine: Engine) -> None:
    """Run engine time until the seeded entry (TTL now + 120 s) has been swept and rebuilt."""
    for _ in range(3):
        engine.step(60)


def test_ttl_expiry_rebuilds_the_entry_with_a_fresh_ttl(engine: Engine) -> None:
    expire(engine)
    [run] = executions(engine)
    result = engine.wait(run["executionArn"])
    assert result.status == "SUCCEEDED", result.cause
    item = cache_item(engine)
    assert item is not None
    assert [p["product_id"] for p in item["value"]] == ["b-102", "b-101", "b-104"]  # top 3 by sales
    now = int(engine.clock.now().timestamp())
    assert isinstance(item["expires_at"], int)
    assert 900 - 60 - 120 <= item["expires_at"] - now <= 900 + 60  # refresh ± jitter
    assert result.output["expires_at"] == item["expires_at"]


def test_the_entry_keeps_refreshing_itself(engine: Engine) -> None:
    for _ in range(50):  # 50 minutes, refresh every 900 ± 60 s
        engine.step(60)
    runs = [engine.wait(e["executionArn"]) for e in executions(engine)]
    assert len(runs) >= 3
    assert all(r.output["outcome"] == "rebuilt" for r in runs)


def test_user_delete_does_not_rebuild(engine: Engine) -> None:
    engine.dynamodb.delete_item(TableName="CacheTable", Key={"key": {"S": KEY}})
    deliveries = engine.step(60)
    assert [d.outcome for d in deliveries if d.event_name == "REMOVE"] == [
        "filtered out by the event source mapping"
    ]
    assert executions(engine) == []


def test_the_same_record_twice_rebuilds_once(engine: Engine) -> None:
    event = load_event("ttl-remove.json")
    engine.streams.deliver(event)
    engine.streams.deliver(event)
    assert len(executions(engine)) == 1


def test_starter_skips_what_the_filter_should_have_stopped(engine: Engine) -> None:
    # GIVEN a mapping whose filter was lost WHEN a user's delete reaches the starter THEN nothing starts
    _, payload, error = engine.lambdas.invoke("StartRebuildsFunction", load_event("user-remove.json"))
    assert (error, payload) == (None, {"batchItemFailures": []})
    assert executions(engine) == []


def failing_builder(times: int) -> Any:
    calls = {"n": 0}

    def fault(function: str, event: Any) -> None:
        if function == "RebuildEntryFunction" and calls["n"] < times:
            calls["n"] += 1
            raise ConnectionError("products source unavailable")

    return fault


def test_failing_source_is_retried_later_through_a_short_ttl_and_finally_rebuilt(engine: Engine) -> None:
    engine.lambdas.fault = failing_builder(times=4)  # one execution tries 4 times (1 + 3 retries)
    engine.step(120)  # the seeded entry expires: the first rebuild fails every try
    [first] = [engine.wait(e["executionArn"]) for e in executions(engine)]
    assert (first.status, first.error) == ("FAILED", "ConnectionError")
    assert first.states_entered[-5:] == [
        "Keep Stale Entry",
        "Gave Up?",
        "Record Outcome",
        "Did It Fail?",
        "Rebuild Failed",
    ]
    stale = cache_item(engine)
    assert stale is not None and stale["tries"] == 1
    assert stale["value"] == []  # the stale value is back for readers
    assert stale["expires_at"] - int(engine.clock.now().timestamp()) <= 30  # retry_seconds × 2^0
    for _ in range(2):
        engine.step(60)
    outcomes = [engine.wait(e["executionArn"]).output for e in executions(engine)]
    assert [o["outcome"] for o in outcomes if o] == ["rebuilt"]
    assert cache_item(engine)["tries"] == 0  # type: ignore[index]


def test_poison_entry_goes_to_the_dead_letter_queue_after_max_tries(engine: Engine) -> None:
    engine.lambdas.fault = failing_builder(times=10_000)
    for _ in range(30):  # retries at 30, 60, 120 s … bounded by max_tries = 4
        engine.step(60)
    runs = [engine.wait(e["executionArn"]) for e in executions(engine)]
    assert len(runs) == 4
    assert all(r.status == "FAILED" for r in runs)
    url = engine.names["RebuildDeadLetterQueue"]
    messages = engine.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body["state"]["entry"]["key"] == KEY
    assert body["state"]["entry"]["stale"]["value"]  # nothing is lost: the stale item travels with it
    assert cache_item(engine) is None  # no endless loop: nothing left to expire


def test_reader_helper_sees_expired_but_present_items_as_stale(engine: Engine) -> None:
    now = int(engine.clock.now().timestamp())
    assert get_entry(KEY, now=now).stale is False
    late = get_entry(KEY, now=now + 3600, rebuild_if_stale=True)  # TTL deletion lags: still there, but stale
    assert late.stale is True and late.value == []
    assert len(executions(engine)) == 1


def test_non_number_ttl_is_a_clear_error_in_data_and_in_config(
    engine: Engine, config: dict[str, Any]
) -> None:
    engine.put_item("CacheTable", {"key": "top-products#games", "value": [], "expires_at": "1795422540"})
    with pytest.raises(InvalidTtl, match="'expires_at' is str"):
        get_entry("top-products#games", now=int(engine.clock.now().timestamp()))
    engine.step(3600 * 24)  # DynamoDB never expires it, and neither does the engine
    assert engine.get_plain("CacheTable", {"key": "top-products#games"}) is not None
    config["caches"]["top-products"]["refresh_seconds"] = "900"
    with pytest.raises(Exception, match=r"\$.caches\['top-products'\].refresh_seconds"):
        engine.load_config(config)
