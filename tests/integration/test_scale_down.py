"""The real scale_down.asl.json on the embedded engine: a Map over every managed table and GSI."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ddbflow.engine import Engine, Execution, Flow
from ddbflow_lambda.core.target import Target
from helpers import (
    MONDAY_0830,
    TUESDAY_1400,
    lease_held,
    load_event,
    logged_decisions,
    put_control_item,
    scale_down_decisions,
    world_engine,
)


@pytest.fixture
def afternoon() -> Iterator[Engine]:
    with world_engine(TUESDAY_1400) as engine:
        yield engine


def by_target(engine: Engine, execution: Execution) -> dict[str, dict[str, Any]]:
    decisions = scale_down_decisions(engine, execution)
    return {d["table"] + (f"/{d['index']}" if d.get("index") else ""): d for d in decisions}


def test_one_run_decreases_the_idle_keeps_the_busy_and_skips_the_spent(afternoon: Engine) -> None:
    decisions = by_target(afternoon, afternoon.run("scale-down", load_event("schedule.json")))
    assert {name: d["outcome"] for name, d in decisions.items()} == {
        "orders": "kept",
        "orders/by-customer": "decreased",
        "sessions": "decreased",
        "archive": "skipped",
    }
    # sessions: peak 12 RCU/s, 3 WCU/s → ceil(12 / 0.7 × 1.1) = 19 and 5, in one UpdateTable
    assert afternoon.capacity(Target("sessions"))["read"] == 19
    assert afternoon.capacity(Target("sessions"))["write"] == 5
    assert afternoon.capacity(Target("orders", "by-customer"))["write"] == 5
    assert afternoon.capacity(Target("orders", "by-customer"))["read"] == 20  # 23/s of demand: kept
    assert (afternoon.capacity(Target("orders"))["read"], afternoon.capacity(Target("orders"))["write"]) == (
        50,
        100,
    )
    assert afternoon.capacity(Target("archive"))["read"] == 50
    assert (
        "decrease budget spent (4 today), next allowed 2026-11-24 14:52 UTC"
        in decisions["archive"]["summary"]
    )
    assert "sessions decreased: RCU 100 → 19" in decisions["sessions"]["summary"]
    assert "WCU 100 → 5" in decisions["sessions"]["summary"]
    assert len(afternoon.dynamodb_model.updates) == 2
    # the alarms follow the new capacity: 19 × 60 × 0.7
    assert afternoon.alarm("ddbflow-sessions::read-high")["Threshold"] == 798.0
    assert afternoon.capacity(Target("sessions"))["decreases_today"] == 1


def test_a_sibling_waits_for_the_lease_and_decides_once_it_expires(afternoon: Engine) -> None:
    # GIVEN sessions leased by a dead holder until 2 minutes from now
    until = afternoon.clock.now() + timedelta(minutes=2)
    put_control_item(afternoon, "TABLE#sessions", "LEASE", owner="dead", expires_at=until.isoformat())
    # WHEN the scale-down runs THEN sessions waits out the lease, then decreases as it would have
    decisions = by_target(afternoon, afternoon.run("scale-down", load_event("schedule.json")))
    assert decisions["sessions"]["outcome"] == "decreased", decisions["sessions"]
    assert afternoon.capacity(Target("sessions"))["read"] == 19
    assert not lease_held(afternoon, "sessions")


def low_alarm_runs(engine: Engine, flows: list[Flow], minutes: int) -> list[Execution]:
    """Publish ``flows`` for ``minutes``; the finished scale-downs the alarms started (the world's seeded
    minutes of busy orders also start its scale-ups). A low alarm starts only a scale-down."""
    runs = [engine.wait(arn) for arn in engine.publish(flows, minutes=minutes)]
    down = [r for r in runs if r.machine_arn.endswith(":ScaleDownStateMachine")]
    assert all(r.input["detail"]["alarmName"].endswith("-low") for r in down)
    assert not [r for r in runs if r not in down and r.input["detail"]["alarmName"].endswith("-low")]
    return down


def test_a_low_alarm_starts_a_scale_down_of_its_one_target_which_spends_a_decrease() -> None:
    with world_engine(TUESDAY_1400, look_back_minutes=15) as engine:
        # GIVEN sessions at 100/100 serving 12 RCU/s and 3 WCU/s (2 minutes of it seeded)
        assert engine.alarm("ddbflow-sessions::read-low")["StateValue"] == "INSUFFICIENT_DATA"
        # WHEN 13 more such minutes make 15 low ones (the look-back); nothing else publishes
        sessions = [Flow(Target("sessions"), "read", 12), Flow(Target("sessions"), "write", 3)]
        runs = low_alarm_runs(engine, sessions, minutes=13)
        # THEN both low alarms started a scale-down of sessions alone, no scale-up; one of them decreased
        # both dimensions in one update, the other found nothing left to pay and kept
        assert sorted(r.input["detail"]["alarmName"] for r in runs) == [
            "ddbflow-sessions::read-low",
            "ddbflow-sessions::write-low",
        ]
        decisions = [d for r in runs for d in scale_down_decisions(engine, r)]
        assert {d["table"] for d in decisions} == {"sessions"} and len(decisions) == 2
        assert sorted(d["outcome"] for d in decisions) == ["decreased", "kept"]
        for run in runs:  # each sentence names the alarm that asked for the check
            [decision] = scale_down_decisions(engine, run)
            assert decision["summary"].endswith(f"checked on low alarm {run.input['detail']['alarmName']}")
        sessions_now = engine.capacity(Target("sessions"))
        assert (sessions_now["read"], sessions_now["write"]) == (19, 5)  # ceil(12 / 0.7 × 1.1); min 5
        assert sessions_now["decreases_today"] == 1
        assert [table for table, _ in engine.dynamodb_model.updates].count("sessions") == 1
        assert not lease_held(engine, "sessions")
        # AND the low alarm now watches the new capacity, re-armed: 12/s is not low for 19 units
        low = engine.alarm("ddbflow-sessions::read-low")
        assert low["Threshold"] == round(15 * 0.7 / 1.1 * 60, 3)  # floor(19 × 0.8) = 15 units of room
        engine.publish(sessions, minutes=15)
        assert engine.alarm("ddbflow-sessions::read-low")["StateValue"] == "OK"


def test_a_low_alarm_whose_decrease_the_budget_refuses_records_the_skip_then_waits_for_the_budget() -> None:
    with world_engine(TUESDAY_1400, look_back_minutes=15) as engine:
        # GIVEN archive at 50/50 serving 1 RCU/s, its 4 decreases of today spent, the last at 13:52
        [run] = low_alarm_runs(engine, [Flow(Target("archive"), "read", 1)], minutes=13)
        # THEN the check its low alarm started records a skip that says why and until when …
        skipped, decreased = logged_decisions(engine, "archive")
        assert skipped["outcome"] == "skipped"
        assert "decrease budget spent (4 today), next allowed 2026-11-24 14:52 UTC" in skipped["summary"]
        assert skipped["summary"].endswith(
            "checked on low alarm ddbflow-archive::read-low; "
            "waits for the budget until 14:52 UTC, then checks again"
        )
        # … and, the lease released meanwhile, checks again at 14:52 and spends the decrease allowed then
        assert decreased["outcome"] == "decreased"
        assert decreased["sk"].startswith("DECISION#2026-11-24T14:52:")
        [decision] = scale_down_decisions(engine, run)
        assert decision["outcome"] == "decreased" and decision["retry_at"] is None
        archive = engine.capacity(Target("archive"))
        assert (archive["read"], archive["write"], archive["decreases_today"]) == (5, 5, 5)
        assert not lease_held(engine, "archive")


def test_pre_warm_window_raises_min() -> None:
    with world_engine(MONDAY_0830) as engine:
        decisions = by_target(engine, engine.run("scale-down", load_event("schedule.json")))
        assert decisions["orders"]["outcome"] == "increased"
        assert "WCU 100 → 300 (window 'weekday pre-warm' requires ≥ 300)" in decisions["orders"]["summary"]
        assert engine.capacity(Target("orders"))["write"] == 300


def test_limit_exceeded_is_a_recorded_skip_never_a_retry(afternoon: Engine) -> None:
    afternoon.faults.inject("dynamodb.UpdateTable=LimitExceededException")  # the one fault mechanism
    decisions = by_target(afternoon, afternoon.run("scale-down", {"tables": ["sessions"]}))
    assert decisions["sessions"]["outcome"] == "skipped"
    assert (
        "decrease budget spent (LimitExceededException injected by the engine)"
        in (decisions["sessions"]["summary"])
    )
    attempts = [i for i in afternoon.lambdas.invocations if i.function == "UpdateTableFunction"]
    assert [i.error for i in attempts] == ["LimitExceededException"]
    assert afternoon.capacity(Target("sessions"))["read"] == 100
    lease = {"pk": {"S": "TABLE#sessions"}, "sk": {"S": "LEASE"}}
    assert "Item" not in afternoon.dynamodb.get_item(TableName="ControlTable", Key=lease)


def test_hysteresis_waits_for_consecutive_low_checks_across_executions() -> None:
    with world_engine(TUESDAY_1400, decrease_after_low_checks=2) as engine:
        first = by_target(engine, engine.run("scale-down", {"tables": ["sessions"]}))["sessions"]
        assert first["outcome"] == "kept"
        assert "low for 1 of 2 checks" in first["summary"]
        engine.clock.advance(15 * 60)
        second = by_target(engine, engine.run("scale-down", {"tables": ["sessions"]}))["sessions"]
        assert second["outcome"] == "decreased"


@pytest.mark.parametrize(
    ("payload", "error", "state"),
    [
        ({"hello": "world"}, "MalformedEvent", "Reject Malformed Event"),
        ({"tables": "orders"}, "MalformedEvent", "Reject Malformed Event"),
        ({"tables": ["payments"]}, "TableNotManaged", "Reject Unmanaged Table"),
    ],
)
def test_bad_input_is_a_named_failure(afternoon: Engine, payload: Any, error: str, state: str) -> None:
    execution = afternoon.run("scale-down", payload)
    assert (execution.status, execution.error, execution.states_entered[-1]) == ("FAILED", error, state)
    assert afternoon.dynamodb_model.updates == []


def test_engine_refuses_decreases_exactly_when_aws_would(engine: Engine) -> None:
    def decrease(to: int, index: str | None = None) -> None:
        throughput = {"ReadCapacityUnits": to, "WriteCapacityUnits": to}
        if index:
            update = {"Update": {"IndexName": index, "ProvisionedThroughput": throughput}}
            engine.dynamodb.update_table(TableName="orders", GlobalSecondaryIndexUpdates=[update])
        else:
            engine.dynamodb.update_table(TableName="orders", ProvisionedThroughput=throughput)
        engine.clock.advance(60)  # past UPDATING

    for capacity in (45, 40, 35, 30):
        decrease(capacity)
    with pytest.raises(ClientError, match="LimitExceededException") as refused:
        decrease(25)
    assert "Number of decreases today: 4" in str(refused.value)
    decrease(19, index="by-customer")  # each GSI has a budget of its own
    engine.clock.advance(3600)
    decrease(25)  # an hour after the last one
    with pytest.raises(ClientError, match="LimitExceededException"):
        decrease(20)
    assert engine.capacity(Target("orders"))["decreases_today"] == 5
