"""The one-line answer every execution ends with: what was decided about which target, and why."""

import json
from typing import Any

from .target import UNIT_LABEL


def decide(state: dict[str, Any]) -> dict[str, Any]:
    """Outcome of a scale-up execution from its state data, checked in the order the machine runs."""
    alarm = state["alarm"]
    label = alarm["label"]
    plan = state.get("plan") or {}
    outcome, reason = _outcome(state, alarm, plan)
    result = {
        "outcome": outcome,
        "table": alarm["table"],
        "index": alarm.get("index"),
        "dimension": alarm["dimension"],
        "from": plan.get("current"),
        "to": plan.get("new") if outcome == "increased" else plan.get("current"),
        "reason": reason,
    }
    alongside = plan.get("alongside")
    if outcome == "increased" and alongside:
        result["alongside"] = {
            "dimension": alongside["dimension"],
            "from": alongside["current"],
            "to": alongside["new"],
        }
        other = f"{UNIT_LABEL[alongside['dimension']]} {alongside['current']} → {alongside['new']}"
        reason = f"{reason}; {other} in the same update: {alongside['reason']}"
        result["reason"] = reason
    if outcome == "increased":
        result["summary"] = f"{label} {plan['current']} → {plan['new']}: {reason}"
    elif outcome == "unchanged":
        result["summary"] = f"{label} kept at {plan['current']}: {reason}"
    else:
        result["summary"] = f"{label} {outcome}: {reason}"
    return result


def _outcome(state: dict[str, Any], alarm: dict[str, Any], plan: dict[str, Any]) -> tuple[str, str]:
    error = state.get("error")
    if error:
        if error.get("Error") == "LeaseHeld":
            return "skipped", f"another execution is scaling this table ({error_message(error)})"
        return "failed", f"{error.get('Error')}: {error_message(error)}"
    if alarm["state"] != "ALARM":
        return "skipped", f"alarm {alarm['alarm_name']} is {alarm['state']}, not ALARM"
    cooldown = state.get("cooldown") or {}
    if cooldown.get("active") and not plan:
        return "skipped", f"in cooldown until {cooldown['until']} (last increase {cooldown['last_increase']})"
    waited = f"waited out the cooldown until {cooldown['until']}; " if cooldown.get("active") else ""
    why = f"{fired(alarm)}; {waited}"
    if plan.get("action") != "increase":
        return "unchanged", why + plan.get("reason", "no plan")
    if (state.get("update") or {}).get("dry_run"):
        return "dry-run", f"would increase {plan['current']} → {plan['new']}: {why}{plan['reason']}"
    return "increased", why + plan["reason"]


def fired(alarm: dict[str, Any]) -> str:
    """Which rule started the execution: a short burst carried by burst credit fires only the
    utilization alarm (after its periods), one far above capacity the burst alarm in its minute, and
    refused requests the throttle alarm in their minute."""
    name = alarm["alarm_name"]
    sentences = {
        "throttle": f"throttle alarm {name} (requests refused)",
        "utilization": f"utilization alarm {name} (consumed above target)",
        "burst": f"burst alarm {name} (consumed far above capacity: burst credit running out)",
        "manual": "manual request",
    }
    # An execution normalized by an older release (no trigger) still gets its sentence.
    return sentences.get(alarm.get("trigger", ""), f"alarm {name}")


def error_message(error: dict[str, Any]) -> str:
    """The human part of a Catch's Cause: Lambda wraps it as JSON with an errorMessage."""
    cause = error.get("Cause") or ""
    try:
        parsed = json.loads(cause)
    except ValueError:
        return cause
    return str(parsed.get("errorMessage", cause)) if isinstance(parsed, dict) else cause


def decide_scale_down(state: dict[str, Any]) -> dict[str, Any]:
    """Outcome of one table or GSI in a scale-down check."""
    target, plan = state["target"], state.get("plan") or {}
    label = f"{target['table']}/{target['index']}" if target.get("index") else target["table"]
    error = state.get("error")
    result = {
        "table": target["table"],
        "index": target.get("index"),
        "throughput": plan.get("throughput"),
        # Wait For Budget? routes on waits_for, Wait For Budget waits until retry_at: present on every
        # path, as a Choice rule's Variable must be
        "retry_at": None,
        "waits_for": NO_WAIT,
        "settles": False,  # what the previous definition's Choice reads, for its executions still running
    }
    if error:
        name = error.get("Error")
        if name in ("LimitExceededException", "LeaseHeld"):
            why = (
                "decrease budget spent"
                if name == "LimitExceededException"
                else "another execution holds the lease"
            )
            return result | {
                "outcome": "skipped",
                "summary": f"{label} skipped: {why} ({error_message(error)})",
            }
        return result | {"outcome": "failed", "summary": f"{label} failed: {name}: {error_message(error)}"}
    outcome = plan["outcome"]  # named once, by the planner (core/scale_down.py)
    if (state.get("update") or {}).get("dry_run"):
        outcome = "dry-run"
    saved = plan.get("saves_unit_hours", 0) if outcome == "decreased" else 0
    summary, (retry_at, waits_for) = plan["summary"], check_again_at(state, outcome)
    if retry_at:
        summary += "; " + WAIT_SENTENCE[waits_for].format(at=retry_at[11:16])
    return result | {
        "outcome": outcome,
        "summary": summary,
        "saves_unit_hours": saved,
        "retry_at": retry_at,
        "waits_for": waits_for,
        "settles": waits_for == "settle",
    }


NO_WAIT = "none"
WAIT_SENTENCE = {
    "settle": "waits until {at} UTC for the peak to leave the look-back, then decides",
    "raise": "waits until {at} UTC for the look-back to hold only minutes since the raise, then checks again",
    "budget": "waits for the budget until {at} UTC, then checks again",
}
# the state key Wait For Budget? sets (a Note … Wait Pass state) once it has waited for each
WAITED_KEY = {"settle": "settled", "raise": "raise_waited", "budget": "budget_waited"}


def check_again_at(state: dict[str, Any], outcome: str) -> tuple[str | None, str]:
    """When a skipped check waits and checks again, and for what (``plan_target``'s ``held_for``), each
    at most once: for a fading peak to leave the look-back, and for the look-back to hold only minutes
    since the last raise, whatever started the check (the check after the first decides without waiting
    for the peak again); for the next decrease the day's budget allows only when a low alarm asked for
    the check, as the alarm stays in ALARM and would not ask again, while the schedule's own next check
    may be up to an hour away. (None, NO_WAIT): the check ends."""
    plan = state.get("plan") or {}
    held_for, at = plan.get("held_for"), plan.get("decrease_allowed_at")
    if outcome != "skipped" or not at or held_for not in WAITED_KEY or state.get(WAITED_KEY[held_for]):
        return None, NO_WAIT
    if held_for == "budget" and not state.get("cause"):
        return None, NO_WAIT
    return at, held_for


def decide_cache(state: dict[str, Any]) -> dict[str, Any]:
    """Outcome of one cache-rebuild execution."""
    entry = state["entry"]
    result = {"key": entry["key"], "expired_ttl": entry["expired_ttl"]}
    error = state.get("error")
    if error is None:
        written = state["written"]
        fresh, ttl = written["fresh_for_seconds"], written["expires_at"]
        summary = f"{entry['key']} rebuilt, fresh for {fresh} s (TTL {ttl})"
        return result | {"outcome": "rebuilt", "expires_at": written["expires_at"], "summary": summary}
    kept = state.get("kept") or {}
    why, tries = f"{error.get('Error')}: {error_message(error)}", kept.get("tries", "?")
    if kept.get("gave_up") or "kept_error" in state:
        summary = f"{entry['key']} sent to the dead-letter queue after {tries} tries ({why})"
        return result | {"outcome": "dead-lettered", "tries": kept.get("tries"), "summary": summary}
    summary = (
        f"{entry['key']} rebuild failed (try {tries}), stale value kept until {kept.get('retry_at')}: {why}"
    )
    return result | {
        "outcome": "retry-later",
        "tries": kept.get("tries"),
        "retry_at": kept.get("retry_at"),
        "summary": summary,
    }
