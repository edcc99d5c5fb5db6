import json
from typing import Any

from ddbflow_lambda.core.decision import decide

ALARM = {
    "table": "orders",
    "index": None,
    "dimension": "write",
    "state": "ALARM",
    "alarm_name": "ddbflow-orders::write-throttled",
    "label": "orders WCU",
    "trigger": "throttle",
}
PLAN = {"action": "increase", "current": 100, "new": 150, "reason": "consumed 96/100 per s"}


def outcome(**state: Any) -> dict[str, Any]:
    return decide({"alarm": ALARM} | state)


def test_increase_summary_reads_like_the_console_should() -> None:
    result = outcome(plan=PLAN, update={"applied": True})
    assert result["outcome"] == "increased"
    assert result["summary"] == (
        "orders WCU 100 → 150: throttle alarm ddbflow-orders::write-throttled (requests refused); "
        "consumed 96/100 per s"
    )
    assert (result["from"], result["to"]) == (100, 150)


def test_the_sentence_names_the_rule_that_fired() -> None:
    utilization = ALARM | {"alarm_name": "ddbflow-orders::write-high", "trigger": "utilization"}
    assert decide({"alarm": utilization, "plan": PLAN})["reason"].startswith(
        "utilization alarm ddbflow-orders::write-high (consumed above target); "
    )
    manual = ALARM | {"alarm_name": "manual", "trigger": "manual"}
    assert decide({"alarm": manual, "plan": PLAN})["reason"].startswith("manual request; ")
    older = {k: v for k, v in ALARM.items() if k != "trigger"}  # normalized before triggers existed
    assert decide({"alarm": older, "plan": PLAN})["reason"].startswith(
        "alarm ddbflow-orders::write-throttled; "
    )


def test_skips_say_why() -> None:
    assert "is OK, not ALARM" in decide({"alarm": ALARM | {"state": "OK"}})["summary"]
    cooldown = {
        "active": True,
        "until": "2026-11-23T10:05:00+00:00",
        "last_increase": "2026-11-23T10:03:00+00:00",
    }
    assert "in cooldown until 2026-11-23T10:05:00" in outcome(cooldown=cooldown)["reason"]
    lease = {"Error": "LeaseHeld", "Cause": json.dumps({"errorMessage": "table orders is leased by x"})}
    assert (
        outcome(error=lease)["reason"]
        == "another execution is scaling this table (table orders is leased by x)"
    )


def test_unchanged_dry_run_and_failed() -> None:
    assert outcome(plan=PLAN | {"action": "none", "new": 100, "reason": "at max"})["outcome"] == "unchanged"
    dry = outcome(plan=PLAN, update={"applied": False, "dry_run": True})
    assert (dry["outcome"], dry["to"]) == ("dry-run", 100)
    failed = outcome(plan=PLAN, error={"Error": "TableNotFound", "Cause": "not json"})
    assert (failed["outcome"], failed["reason"]) == ("failed", "TableNotFound: not json")
