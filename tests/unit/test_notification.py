"""The SNS message of a decision: quiet outcomes publish nothing; the subject fits SNS's rules (ASCII
printable, no line breaks, under 100 characters) while the body keeps the whole sentence."""

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ddbflow_lambda.core.notification import notification, subject


def scale_up(
    outcome: str, summary: str = "orders WCU 100 → 146: consumed 96/100 for 2 min"
) -> dict[str, Any]:
    return {"outcome": outcome, "table": "orders", "index": "by-customer", "dimension": "write",
            "summary": summary}  # fmt: skip


def test_quiet_outcomes_and_cache_decisions_publish_nothing() -> None:
    for outcome in ("skipped", "unchanged", "kept", "dry-run"):
        assert notification(scale_up(outcome), {}) is None
    assert notification({"outcome": "dead-lettered", "key": "k", "summary": "k sent"}, {}) is None


def test_an_increase_with_a_ride_along_names_both_dimensions() -> None:
    decision = scale_up("increased") | {"alongside": {"dimension": "read", "from": 50, "to": 60}}
    message = notification(decision, {})
    assert message is not None
    assert message["Subject"] == "orders WCU 100 -> 146: consumed 96/100 for 2 min"
    assert message["Message"] == decision["summary"]
    assert message["MessageAttributes"]["dimension"]["StringValue"] == '["write", "read"]'
    assert message["MessageAttributes"]["index"] == {"DataType": "String", "StringValue": "by-customer"}


def test_a_scale_down_failure_before_planning_concerns_both_dimensions() -> None:
    decision = {"outcome": "failed", "table": "t", "index": None, "summary": "t failed: Boom: no"}
    message = notification(decision, {"plan": None})
    assert message is not None
    assert message["MessageAttributes"]["dimension"]["StringValue"] == '["read", "write"]'
    assert "index" not in message["MessageAttributes"]


def test_a_long_sentence_is_cut_in_the_subject_and_whole_in_the_body() -> None:
    sentence = "orders/by-customer RCU 40000 → 39000: " + "ThrottlingException: rate exceeded\nagain " * 10
    message = notification(scale_up("failed", sentence), {})
    assert message is not None
    assert message["Message"] == sentence
    assert len(message["Subject"]) == 99 and message["Subject"].endswith("...")
    assert "\n" not in message["Subject"]


@given(st.text(min_size=1))
def test_any_sentence_gives_a_subject_sns_accepts(sentence: str) -> None:
    text = subject(sentence)
    assert 0 < len(text) < 100
    assert all(" " <= c <= "~" for c in text)
    assert text == text.strip()
