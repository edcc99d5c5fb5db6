"""An execution's history as the Step Functions console shows it: one row per state visited, with its
type, when it was entered, how long it took, its attempts and its result or error."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.table import Table


@dataclass
class Visit:
    state: str
    kind: str  # Task, Choice, Wait, Pass, Succeed, Fail
    entered: datetime
    exited: datetime | None = None
    attempts: int = 0
    result: str = ""
    errors: list[str] = field(default_factory=list)


def visits(events: list[dict[str, Any]]) -> list[Visit]:
    """Fold the raw history events into state visits. Each event names the event that led to it
    (previousEventId), so the interleaved events of parallel Map iterations land in the right visit."""
    result: list[Visit] = []
    owner: dict[int, tuple[Visit | None, int | None]] = {}  # event id → (its visit, its Map iteration)
    for event in events:
        kind, at = event["type"], _time(event["timestamp"])
        visit, iteration = owner.get(event.get("previousEventId", 0), (None, None))
        if started := event.get("mapIterationStartedEventDetails"):
            iteration = started.get("index")
        if entered := event.get("stateEnteredEventDetails"):
            if visit and visit.kind == "Choice":
                visit.result = f"→ {entered['name']}"
            label = entered["name"] if iteration is None else f"[{iteration}] {entered['name']}"
            visit = Visit(label, kind.removesuffix("StateEntered"), at)
            result.append(visit)
        elif visit is not None:
            _apply(visit, kind, at, event)
        owner[event["id"]] = (visit, iteration)
    return result


def _apply(visit: Visit, kind: str, at: datetime, event: dict[str, Any]) -> None:
    if kind == "LambdaFunctionScheduled":
        visit.attempts += 1
    elif details := event.get("lambdaFunctionSucceededEventDetails"):
        visit.result = _compact(details.get("output", ""))
    elif details := (
        event.get("lambdaFunctionFailedEventDetails") or event.get("executionFailedEventDetails")
    ):
        visit.errors.append(f"{details.get('error')}: {_cause(details.get('cause', ''))}")
    elif exited := event.get("stateExitedEventDetails"):
        visit.exited = at
        if visit.kind in ("Pass", "Succeed") and not visit.result:
            visit.result = _compact(exited.get("output", ""))


def history_table(events: list[dict[str, Any]], width: int = 100) -> Table:
    table = Table(title="Execution history (one row per state)", header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("State", no_wrap=True)
    table.add_column("Type", no_wrap=True)
    table.add_column("Entered", justify="right", no_wrap=True)
    table.add_column("Took", justify="right", no_wrap=True)
    table.add_column("Result", overflow="fold", max_width=width)
    found = visits(events)
    start = found[0].entered if found else None
    for number, visit in enumerate(found, 1):
        took = f"{(visit.exited - visit.entered).total_seconds():.3f} s" if visit.exited else ""
        attempts = f" ({visit.attempts} attempts)" if visit.attempts > 1 else ""
        failed = visit.kind == "Fail" or (visit.errors and visit.attempts <= len(visit.errors))
        text = "; ".join(visit.errors + ([visit.result] if visit.result else []))
        table.add_row(
            str(number),
            visit.state,
            visit.kind + attempts,
            f"+{(visit.entered - start).total_seconds():.3f} s" if start else "",
            took,
            text[: width * 3],
            style="red" if failed else None,
        )
    return table


def _time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _cause(cause: str) -> str:
    try:
        parsed = json.loads(cause)
    except ValueError:
        return cause
    return str(parsed.get("errorMessage", cause)) if isinstance(parsed, dict) else cause


def _compact(text: str) -> str:
    try:
        return json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(text)
