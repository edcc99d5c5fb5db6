"""The local world `ddbflow run` and `ddbflow demo` start from: a config, provisioned tables with their
GSIs, their scale-up alarms and some recent traffic — all read from files under config/."""

import json
from pathlib import Path
from typing import Any

from ddbflow_lambda.core.target import Target

from .engine import Engine, Flow
from .engine.engine import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config" / "example.json"
WORLD = PROJECT_ROOT / "config" / "local-world.json"
SCHEDULE = PROJECT_ROOT / "events" / "schedule.json"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def seed(engine: Engine, config: dict[str, Any], world: dict[str, Any], *, traffic: bool = True) -> None:
    engine.load_config(config)
    for name, table in world["tables"].items():
        indexes = {index: (t["read"], t["write"]) for index, t in table.get("indexes", {}).items()}
        engine.create_table(name, table["read"], table["write"], indexes)
    engine.put_alarms()
    for product in world.get("products", []):
        engine.put_item(engine.names["ProductsTable"], product)
    for entry in world.get("cache", []):
        expires_at = int(engine.clock.now().timestamp()) + entry["expires_in_seconds"]
        engine.put_item(
            engine.names["CacheTable"], {"key": entry["key"], "value": [], "expires_at": expires_at}
        )
    if traffic:
        flows = [
            Flow(
                Target(f["table"], f.get("index")),
                f["dimension"],
                f["consumed_per_second"],
                f.get("throttled_per_second", 0.0),
            )
            for f in world["traffic"]
        ]
        engine.publish(flows, minutes=world.get("traffic_minutes", 2), evaluate=False)
