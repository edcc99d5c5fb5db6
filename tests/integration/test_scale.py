"""Stress on the embedded engine: many executions at once over many tables (issue 14's races), and one
scale-down check over 1,000 tables and 500 GSIs within Step Functions' quotas. The second takes many
minutes of wall time: marked `stress`, it runs with `make stress` (pytest -m stress), not `make test`."""

import sys
import threading
from collections import Counter
from typing import Any

import pytest

from ddbflow.big_world import GSI_NAME, generate, table_name
from ddbflow.engine import Engine, Execution, Flow
from ddbflow.engine.quotas import MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES
from ddbflow.scale_down_check import wrong_decisions
from ddbflow.world import seed
from ddbflow_lambda.core.config import managed_targets
from ddbflow_lambda.core.target import Target
from helpers import TUESDAY_1400, load_event, scale_down_decisions


def test_100_alarms_at_once_across_50_tables_cost_one_update_table_per_table() -> None:
    # GIVEN 50 tables whose reads and writes both run at 96 % of capacity: both alarms of every table
    # go to ALARM in the same minute
    config, world = generate(50, 0)
    world["traffic"] = []
    with Engine(start=TUESDAY_1400) as engine:
        seed(engine, config, world)
        flows = [
            Flow(Target(table_name(i)), dimension, 96.0) for i in range(50) for dimension in ("read", "write")
        ]
        # WHEN two minutes pass (the example config alarms on 2 of 2 one-minute periods)
        started = engine.publish(flows, minutes=2)
        executions = [engine.wait(arn, timeout=1800) for arn in started]
    # THEN 100 executions ran and each table took exactly one UpdateTable, read and write together
    assert len(started) == 100
    assert {e.status for e in executions} == {"SUCCEEDED"}, [e.cause for e in executions if e.cause]
    assert Counter(name for name, _ in engine.dynamodb_model.updates) == {table_name(i): 1 for i in range(50)}
    outcomes = Counter(e.output["outcome"] for e in executions)
    assert outcomes["increased"] == 50, outcomes


def test_take_leases_racing_for_one_table_leave_exactly_one_holder() -> None:
    # GIVEN Take Lease's conditional PutItem, which moto evaluates as read, check, write: two siblings of
    # one Map run (a table and its GSI) that both read "no lease" both wrote one, and the first one's
    # Record Decision found the other's lease at release (ConditionalCheckFailed); the engine's
    # one-request-at-a-time DynamoDB makes the write atomic, as DynamoDB's is
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # thread switches inside a request, where the race was (~40 % of rounds)
    holders: list[list[str]] = []
    try:
        with Engine(start=TUESDAY_1400) as engine:
            for round_ in range(20):
                holders.append(_racing_take_leases(engine, f"race{round_}", takers=8))
    finally:
        sys.setswitchinterval(switch_interval)
    # THEN in every round exactly one taker holds the lease and the others got LeaseHeld
    assert [len(h) for h in holders] == [1] * 20, holders


def _racing_take_leases(engine: Engine, table: str, takers: int) -> list[str]:
    """The owners whose Take Lease on ``table`` succeeded, all started at once."""
    start, won = threading.Barrier(takers), []
    now = TUESDAY_1400.isoformat()

    def take(owner: str) -> None:
        start.wait()
        event = {"table": table, "owner": owner, "now": now, "seconds": 1200}
        _, payload, error = engine.lambdas.invoke("TakeLeaseFunction", event)
        if error is None:
            won.append(owner)
        else:
            assert payload["errorType"] == "LeaseHeld", payload

    threads = [threading.Thread(target=take, args=(f"owner-{i}",)) for i in range(takers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won


def test_every_decision_of_a_scale_down_over_a_generated_world_matches_its_traffic() -> None:
    # GIVEN `ddbflow world --tables 24 --gsis 12`: 6 busy tables, 18 idle ones, 12 idle GSIs
    config, world = generate(24, 12)
    with Engine(start=TUESDAY_1400) as engine:
        seed(engine, config, world)
        # WHEN one scale-down check runs
        execution = engine.run("scale-down", load_event("schedule.json"), timeout=600)
        problems = checked_decisions(engine, execution, config, world)
    # THEN each decision agrees with the seeded traffic: busy tables kept, idle tables and GSIs decreased
    assert execution.output["outcomes"] == {"decreased": 30, "kept": 6}
    assert problems == []


def checked_decisions(
    engine: Engine, execution: Execution, config: dict[str, Any], world: dict[str, Any]
) -> list[str]:
    """What wrong_decisions finds in every decision of the check, from the engine's final state."""
    after = {target: engine.capacity(target) for target in managed_targets(config)}
    changes = Counter(
        Target(table, part) for table, _, parts in engine.dynamodb_model.changes for part in parts
    )
    return wrong_decisions(config, world, scale_down_decisions(engine, execution), after.__getitem__, changes)


def test_waiting_for_a_run_gives_up_only_when_it_makes_no_progress() -> None:
    # GIVEN a scale-down whose List Managed Targets hangs (the engine's fault hook blocks it)
    config, world = generate(2, 0)
    hang = threading.Event()
    with Engine(start=TUESDAY_1400) as engine:
        seed(engine, config, world)
        faults = engine.lambdas.fault

        def hanging(name: str, event: Any) -> bool | None:
            if name == "ListTargetsFunction":
                hang.wait(60)
            return faults(name, event) if faults else None

        engine.lambdas.fault = hanging
        arn = engine.start("scale-down", load_event("schedule.json"))
        # WHEN nothing happens for the timeout THEN waiting gives up, saying so
        with pytest.raises(TimeoutError, match=r"no progress for 0\.5 s wall time"):
            engine.wait(arn, timeout=0.5)
        # AND once the run moves again it is waited for to the end
        hang.set()
        assert engine.wait(arn, timeout=60).status == "SUCCEEDED"


@pytest.mark.stress
def test_one_scale_down_over_1000_tables_and_500_gsis_stays_within_the_quotas() -> None:
    config, world = generate(1000, 500)
    with Engine(start=TUESDAY_1400) as engine:
        seed(engine, config, world)
        execution = engine.run("scale-down", load_event("schedule.json"), timeout=3600)
        decisions = scale_down_decisions(engine, execution)
        capacities = {
            label: engine.capacity(target)
            for label, target in {
                "busy": Target(table_name(0)),
                "idle": Target(table_name(1)),
                "gsi": Target(table_name(499), GSI_NAME),
                "no-gsi": Target(table_name(999)),
            }.items()
        }
        updates = len(engine.dynamodb_model.updates)
        problems = checked_decisions(engine, execution, config, world)
    assert execution.status == "SUCCEEDED", execution.cause
    # 250 busy tables kept; 750 idle tables and 500 idle GSIs decreased, each in one UpdateTable
    assert execution.output["outcomes"] == {"decreased": 1250, "kept": 250}
    assert len(decisions) == 1500 and updates == 1250
    # every decision against the traffic the world seeded (busy kept at ≥ peak / target utilization,
    # idle decreased, one UpdateTable each), not only the counts
    assert not problems, f"{len(problems)} wrong decisions, the first: {problems[:10]}"
    assert (capacities["busy"]["read"], capacities["busy"]["write"]) == (100, 100)
    for label in ("idle", "gsi", "no-gsi"):
        assert (capacities[label]["read"], capacities[label]["write"]) == (5, 5), label
    # the parent's history and payloads do not grow with the number of targets; nor does any child's
    assert len(execution.events) < 100
    assert engine.usage.largest_history[0] < MAX_HISTORY_EVENTS
    assert engine.usage.largest_payload[0] < MAX_PAYLOAD_BYTES
    assert len(str(execution.output)) < 10_000
