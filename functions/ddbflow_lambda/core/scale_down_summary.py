"""The scale-down check's own output: outcomes counted over every table and GSI, the largest savings and
every failure — a few KB however many targets were checked (each decision is in the decision log and
in the Distributed Map's result files, which the output points to)."""

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from .decision import error_message

LARGEST_SAVINGS = 5
# Listed failures; beyond that the output counts them and the result files hold them all. At ~300 bytes
# each the output stays far below Step Functions' 256 KiB.
LISTED_FAILURES = 100


def target_label(target: dict[str, Any]) -> str:
    return f"{target['table']}/{target['index']}" if target.get("index") else str(target["table"])


def child_failure(child_input: dict[str, Any], error: str | None, cause: str | None) -> dict[str, Any]:
    """A child execution that failed (no decision recorded): its target and Step Functions' error."""
    target = child_input.get("target") or {}
    label = target_label(target) if "table" in target else "?"
    message = error_message({"Cause": cause}) if cause else ""
    return {
        "target": label,
        "outcome": "failed",
        "summary": f"{label} failed: {error}: {message}".rstrip(": "),
    }


def map_run_outcomes(
    manifest: dict[str, Any], read_json: Callable[[str], Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(decisions, failed children) from a ResultWriter manifest; ``read_json(key)`` reads a result file."""
    decisions: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for status, files in manifest.get("ResultFiles", {}).items():
        for file in files:
            for child in read_json(file["Key"]):
                if status == "SUCCEEDED":
                    decisions.append(json.loads(child["Output"]))
                else:
                    child_input = json.loads(child.get("Input") or "{}")
                    error, cause = child.get("Error") or status, child.get("Cause")
                    failed.append(child_failure(child_input, error, cause))
    return decisions, failed


def summarize(decisions: list[dict[str, Any]], failed_children: list[dict[str, Any]]) -> dict[str, Any]:
    """``decisions``: Record Decision's result of each child that succeeded; ``failed_children``: each
    child that failed, as ``child_failure`` describes it."""
    outcomes = Counter(str(d.get("outcome")) for d in decisions)
    outcomes.update(["failed"] * len(failed_children))
    failures = [
        {"target": target_label(d), "summary": d.get("summary", "")}
        for d in decisions
        if d.get("outcome") == "failed"
    ] + [{"target": f["target"], "summary": f["summary"]} for f in failed_children]
    savers = sorted(
        (d for d in decisions if d.get("saves_unit_hours")),
        key=lambda d: (-float(d["saves_unit_hours"]), target_label(d)),
    )
    checked = len(decisions) + len(failed_children)
    counts = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
    return {
        "checked": checked,
        "outcomes": dict(sorted(outcomes.items())),
        "largest_savings": [
            {"target": target_label(d), "saves_unit_hours": d["saves_unit_hours"], "summary": d["summary"]}
            for d in savers[:LARGEST_SAVINGS]
        ],
        "failures": failures[:LISTED_FAILURES],
        "failures_not_listed": max(0, len(failures) - LISTED_FAILURES),
        "summary": f"{checked} targets checked: {counts}" if checked else "no managed targets",
    }
