import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[1] / "events"


def load_event(name: str) -> Any:
    """A sample from events/, the same files users start executions with."""
    return json.loads((EVENTS / name).read_text())
