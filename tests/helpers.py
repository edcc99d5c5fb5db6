import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from ddbflow.engine import Engine, Execution
from ddbflow.scale_down_results import decisions
from ddbflow.sim.ddbflow_policy import TABLE, DdbflowPolicy
from ddbflow.sim.policy import Counts, Minute
from ddbflow.sim.traffic import TrafficModel
from ddbflow.world import CONFIG, WORLD, read_json, seed

EVENTS = Path(__file__).resolve().parents[1] / "events"
TUESDAY_1400 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
MONDAY_0830 = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
# Every engine in the tests starts at a fixed instant, so results do not depend on the hour they run
# (config/example.json's weekday pre-warm window, the UTC day's decrease budget). AT is the same for the CLI.
FIXED_START = TUESDAY_1400
AT = "2026-11-24T14:00:00Z"


def load_event(name: str) -> Any:
    """A sample from events/, the same files users start executions with."""
    return json.loads((EVENTS / name).read_text())


@contextmanager
def world_engine(
    start: datetime, *, parameters: dict[str, str] | None = None, **config_changes: Any
) -> Iterator[Engine]:
    """orders busy (RCU 50, WCU 100) with an idle-for-writes GSI, sessions idle at 100/100, and archive
    idle at 50/50 whose decreases for today are already spent."""
    config = read_json(CONFIG)
    config["tables"]["archive"] = {}
    config["defaults"].update(config_changes)
    world = read_json(WORLD)
    world["tables"]["archive"] = {"read": 50, "write": 50}
    world["traffic"].append({"table": "archive", "dimension": "read", "consumed_per_second": 1})
    with Engine(start=start, parameters=parameters) as engine:
        seed(engine, config, world)
        recent = engine.clock.now() - timedelta(minutes=10)
        spent = [recent - timedelta(hours=h) for h in (3, 2, 1, 0)]
        engine.dynamodb_model.record_decreases("archive", None, spent)
        yield engine


def scale_down_decisions(engine: Engine, execution: Execution) -> list[dict[str, Any]]:
    """Every per-target decision of a scale-down check, from its map run's result files (the output only
    counts them); a child execution that failed is a decision with outcome "failed"."""
    assert execution.status == "SUCCEEDED", execution.cause
    done, failed = decisions(engine.s3, execution.output)
    return done + failed


# Any JSON, for property tests of every entry point.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def logged_decisions(engine: Engine, table: str) -> list[dict[str, Any]]:
    """The control table's decision log of a table and its GSIs, oldest first."""
    items = engine.dynamodb.query(
        TableName="ControlTable",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :d)",
        ExpressionAttributeValues={":pk": {"S": f"TABLE#{table}"}, ":d": {"S": "DECISION#"}},
    )["Items"]
    return [{k: v["S"] for k, v in item.items()} for item in items]


def put_control_item(engine: Engine, pk: str, sk: str, **strings: str) -> None:
    item = {"pk": pk, "sk": sk, **strings}
    engine.dynamodb.put_item(TableName="ControlTable", Item={k: {"S": v} for k, v in item.items()})


def lease_held(engine: Engine, table: str) -> bool:
    key = {"pk": {"S": f"TABLE#{table}"}, "sk": {"S": "LEASE"}}
    return "Item" in engine.dynamodb.get_item(TableName="ControlTable", Key=key)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    document = copy.deepcopy(document)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


@dataclass
class Replay:
    capacities: list[float]  # read capacity in effect, minute by minute
    counts: Counts
    changes: list[tuple[datetime, int]]  # (UpdateTable time, new read capacity)
    decisions: list[dict[str, Any]]  # the decision log (logged_decisions), oldest first


def replay_minutes(
    demand: list[float],
    capacity: int,
    *,
    start: datetime,
    bounds: tuple[int, int],
    config: dict[str, Any] | None = None,
    traffic: TrafficModel | None = None,
) -> Replay:
    """The `ddbflow` policy (real machines, driven engine) fed by a minimal stand-alone loop: served =
    min(demand, capacity), the rest throttled, no burst credit — or, given ``traffic``, the simulator's
    traffic model with its burst credit."""
    policy = DdbflowPolicy(*bounds, config=config)
    policy.begin(start, capacity)
    capacities = []
    for index, wanted in enumerate(demand):
        at = start + timedelta(minutes=index)
        provisioned = policy.capacity_at(at)
        if traffic is not None:
            policy.observe(traffic.minute(index, at, wanted, provisioned))
        else:
            served = min(wanted, provisioned)
            throttled = (wanted - served) * 60
            policy.observe(Minute(index, at, wanted, provisioned, served * 60, throttled, throttled))
        capacities.append(provisioned)
    assert policy.engine is not None
    changes = [
        (at, int(parts[None]["ReadCapacityUnits"]))
        for table, at, parts in policy.engine.dynamodb_model.changes
        if table == TABLE.table
    ]
    decisions = logged_decisions(policy.engine, TABLE.table)
    return Replay(capacities, policy.finish(), changes, decisions)
