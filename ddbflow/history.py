"""An execution's history as the Step Functions console shows it: one row per state visited, with its
type, when it was entered, how long it took, its attempts and its result or error."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.table import Table


@dataclass
class Visit:
    state: str  # the label shown: "[2] Update Table" inside Map iteration 2
    kind: str  # Task, Choice, Wait, Pass, Succeed, Fail, Map
    entered: datetime
    exited: datetime | None = None
    attempts: int = 0
    result: str = ""
    errors: list[str] = field(default_factory=list)
    name: str = ""  # the state's name in the ASL
    iteration: int | None = None  # the Map iteration it ran in (None at the top level)
    input: str = ""
    output: str = ""
    event_ids: list[int] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """A Fail state, or a Task whose every attempt failed (whether or not a Catch took over)."""
        return self.kind == "Fail" or bool(self.errors and self.attempts <= len(self.errors))


def visits(events: list[dict[str, Any]]) -> list[Visit]:
    """Fold the raw history events into state visits. Each event names the event that led to it
    (previousEventId), so the interleaved events of parallel Map iterations land in the right visit."""
    result: list[Visit] = []
    owner: dict[int, tuple[Visit | None, int | None]] = {}  # event id → (its visit, its Map iteration)
    maps: list[Visit] = []  # Map states entered and not yet exited, innermost last
    for event in events:
        kind, at = event["type"], _time(event["timestamp"])
        visit, iteration = owner.get(event.get("previousEventId", 0), (None, None))
        if (outer := _map_of(event, maps)) is not None:
            visit, iteration = outer, outer.iteration
        if started := event.get("mapIterationStartedEventDetails"):
            iteration = started.get("index")
        if entered := event.get("stateEnteredEventDetails"):
            if visit and visit.kind == "Choice":
                visit.result = f"→ {entered['name']}"
            name = entered["name"]
            label = name if iteration is None else f"[{iteration}] {name}"
            visit = Visit(label, kind.removesuffix("StateEntered"), at, name=name, iteration=iteration)
            visit.input = _compact(entered.get("input", ""))
            result.append(visit)
            if visit.kind == "Map":
                maps.append(visit)
        elif visit is not None:
            _apply(visit, kind, at, event)
        if visit is not None:
            visit.event_ids.append(event["id"])
        owner[event["id"]] = (visit, iteration)
    return result


def _map_of(event: dict[str, Any], maps: list[Visit]) -> Visit | None:
    """The Map visit a Map event belongs to. MapIteration* and MapState{Succeeded,Failed,Exited} name
    the last event of an iteration as their previous event, not the Map's own; without this the Map's
    exit would land on a state inside its last iteration."""
    kind = event["type"]
    if not maps or not kind.startswith("Map") or kind == "MapStateEntered":
        return None
    named = [d["name"] for k, d in event.items() if k.endswith("EventDetails") and "name" in d]
    found = next((m for m in reversed(maps) if not named or m.name == named[0]), None)
    if found is not None and kind in ("MapStateExited", "MapStateFailed", "MapStateAborted"):
        maps.remove(found)
    return found


def _apply(visit: Visit, kind: str, at: datetime, event: dict[str, Any]) -> None:
    if kind == "LambdaFunctionScheduled":
        visit.attempts += 1
    elif details := event.get("lambdaFunctionSucceededEventDetails"):
        visit.result = _compact(details.get("output", ""))
    elif details := (
        event.get("lambdaFunctionFailedEventDetails") or event.get("executionFailedEventDetails")
    ):
        visit.errors.append(f"{details.get('error')}: {cause_message(details.get('cause', ''))}")
    elif exited := event.get("stateExitedEventDetails"):
        visit.exited = at
        visit.output = _compact(exited.get("output", ""))
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
        text = "; ".join(visit.errors + ([visit.result] if visit.result else []))
        table.add_row(
            str(number),
            visit.state,
            visit.kind + attempts,
            f"+{(visit.entered - start).total_seconds():.3f} s" if start else "",
            took,
            text[: width * 3],
            style="red" if visit.failed else None,
        )
    return table


def events_table(events: list[dict[str, Any]], width: int = 90) -> Table:
    """The console's event view: every history event with its state, time since the execution started
    and a short input, output or error."""
    state_of = {event_id: visit.state for visit in visits(events) for event_id in visit.event_ids}
    start = _time(events[0]["timestamp"]) if events else None
    table = Table(title="Execution history (events)", header_style="bold")
    table.add_column("ID", justify="right")
    table.add_column("Type", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("Elapsed", justify="right", no_wrap=True)
    table.add_column("Input / output / error", overflow="ellipsis", no_wrap=True, max_width=width)
    for event in events:
        elapsed = (_time(event["timestamp"]) - start).total_seconds() if start else 0.0
        failed = event["type"].endswith(("Failed", "TimedOut", "Aborted"))
        table.add_row(
            str(event["id"]),
            event["type"],
            state_of.get(event["id"], ""),
            f"{elapsed * 1000:,.0f} ms",
            _event_detail(event)[:width],
            style="red" if failed else None,
        )
    return table


def _event_detail(event: dict[str, Any]) -> str:
    details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
    if "error" in details or "cause" in details:
        return f"error {details.get('error', '')}: {cause_message(details.get('cause', ''))}"
    for key in ("output", "input"):
        if key in details:
            return f"{key} {_compact(details[key])}"
    return ", ".join(f"{k}={v}" for k, v in details.items() if isinstance(v, str | int) and k != "name")


def _time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def cause_message(cause: str) -> str:
    """The message in a cause: a Lambda error's JSON carries it in errorMessage."""
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
