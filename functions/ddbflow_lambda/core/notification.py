"""The SNS message that tells people about a capacity decision: the decision sentence as subject and body,
with attributes subscribers can filter on (table, index, dimension, outcome)."""

import json
import unicodedata
from typing import Any

from .target import DIMENSIONS

# Outcomes that change nothing: no message (skips, holds, dry runs). Every other capacity outcome —
# increases, decreases, failures, and any outcome added later — is published.
QUIET_OUTCOMES = frozenset({"skipped", "unchanged", "kept", "dry-run"})
# SNS Subject: ASCII, no line breaks or control characters, under 100 characters.
SUBJECT_LIMIT = 99
ASCII_FOR = {"→": "->", "≥": ">=", "≤": "<=", "×": "x", "…": "...", "–": "-", "—": "-"}


def notification(decision: dict[str, Any], state: dict[str, Any]) -> dict[str, Any] | None:
    """``sns.publish`` arguments (without TopicArn) for a capacity decision, or None when it is quiet or
    not about capacity (cache rebuilds)."""
    if "table" not in decision or decision["outcome"] in QUIET_OUTCOMES:
        return None
    sentence = decision["summary"]
    attributes = {
        "table": {"DataType": "String", "StringValue": decision["table"]},
        "dimension": {"DataType": "String.Array", "StringValue": json.dumps(dimensions(decision, state))},
        "outcome": {"DataType": "String", "StringValue": decision["outcome"]},
    }
    # SNS refuses an empty attribute value: a table-level decision has no index attribute at all.
    if decision.get("index"):
        attributes["index"] = {"DataType": "String", "StringValue": decision["index"]}
    return {"Subject": subject(sentence), "Message": sentence, "MessageAttributes": attributes}


def dimensions(decision: dict[str, Any], state: dict[str, Any]) -> list[str]:
    """The dimensions the decision is about: the alarm's (and the one raised alongside it) for scale-up;
    those whose capacity the plan changes for scale-down, or both when it failed before planning."""
    if "dimension" in decision:
        alongside = decision.get("alongside") or {}
        return [decision["dimension"]] + ([alongside["dimension"]] if alongside else [])
    planned = (state.get("plan") or {}).get("dimensions") or {}
    changed = [str(d) for d in DIMENSIONS if d in planned and planned[d]["new"] != planned[d]["current"]]
    return changed or [str(d) for d in DIMENSIONS]


def subject(sentence: str) -> str:
    """The sentence as an SNS Subject: ASCII look-alikes for arrows and signs, other non-ASCII dropped,
    whitespace runs as one space, cut with "..." to fit."""
    text = "".join(ASCII_FOR.get(char, char) for char in sentence)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if len(text) > SUBJECT_LIMIT:
        text = text[: SUBJECT_LIMIT - 3].rstrip() + "..."
    return text or "ddbflow decision"
