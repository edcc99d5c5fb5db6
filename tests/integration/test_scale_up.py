"""The real scale_up.asl.json with the real handlers on the embedded engine."""

import logging
from datetime import timedelta
from typing import Any

import pytest

from ddbflow.engine import Engine, Execution, Flow
from ddbflow_lambda.core.target import Target
from helpers import lease_held, load_event, logged_decisions, put_control_item

ORDERS, BY_CUSTOMER, SESSIONS = Target("orders"), Target("orders", "by-customer"), Target("sessions")
WRITE_ALARM = "ddbflow-orders::write-high"


def updates(engine: Engine) -> int:
    """UpdateTable calls DynamoDB accepted."""
    return len(engine.dynamodb_model.updates)


def busy_orders_writes(engine: Engine, per_second: float = 96, throttled: float = 6) -> list[str]:
    return engine.publish([Flow(ORDERS, "write", per_second, throttled)], minutes=2)


def one_throttled_minute(engine: Engine) -> list[str]:
    """Only the throttle alarm fires (the utilization alarm needs two minutes): no second execution
    waits the cooldown out, so the engine stops inside it."""
    return engine.publish([Flow(ORDERS, "write", 96, 6)], minutes=1)


def the_increase(engine: Engine, started: list[str]) -> Execution:
    """Throttled requests fire the throttle alarm as well as the utilization alarm: of the executions
    they start, exactly one raises the table; the others find the raise done (cooldown, demand met)."""
    finished = [engine.wait(arn) for arn in started]
    increased = [e for e in finished if e.output and e.output.get("outcome") == "increased"]
    assert len(increased) == 1, [e.output for e in finished]
    return increased[0]


def test_alarm_raises_capacity_and_resets_the_threshold(engine: Engine) -> None:
    # GIVEN orders at 100 WCU with its alarm at 70 % WHEN 96 WCU/s + 6 throttled/s arrive for 2 minutes
    threshold_before = engine.alarm(WRITE_ALARM)["Threshold"]
    started = busy_orders_writes(engine)
    # THEN one execution sizes to demand: ceil(102 / 0.7) = 146
    execution = the_increase(engine, started)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["outcome"] == "increased"
    assert (execution.output["from"], execution.output["to"]) == (100, 146)
    assert engine.capacity(ORDERS)["write"] == 146
    assert engine.capacity(ORDERS)["read"] == 50
    assert threshold_before == 100 * 60 * 0.7
    assert engine.alarm(WRITE_ALARM)["Threshold"] == 146 * 60 * 0.7
    # AND it waited until ACTIVE before re-setting the alarm
    entered = execution.states_entered
    assert entered.index("Check Table Status") < entered.index("Update Alarms")
    assert "Wait For Table" in entered
    assert engine.capacity(ORDERS)["table_status"] == "ACTIVE"
    # AND the decision is recorded and the lease released
    # (the other alarm's execution, if it ran, found the raise done and changed nothing)
    outcomes = sorted(d["outcome"] for d in logged_decisions(engine, "orders"))
    assert outcomes in (["increased"], ["increased", "unchanged"], ["increased", "skipped"])
    assert not lease_held(engine, "orders")


def test_a_minute_far_above_capacity_fires_the_burst_alarm_at_once(engine: Engine) -> None:
    # GIVEN orders at 100 WCU WHEN one minute consumes 250/s (burst credit serves it: nothing refused)
    [started] = engine.publish([Flow(ORDERS, "write", 250, 0)], minutes=1)
    execution = engine.wait(started)
    # THEN the burst alarm starts the scale-up after that one minute, sized to the demand: ceil(250 / 0.7)
    assert execution.output["outcome"] == "increased", execution.output
    assert execution.output["reason"].startswith("burst alarm ddbflow-orders::write-burst")
    assert engine.capacity(ORDERS)["write"] == 358
    assert engine.alarm("ddbflow-orders::write-burst")["Threshold"] == 358 * 60 * 2


def test_ok_state_is_a_recorded_skip_that_changes_nothing(engine: Engine) -> None:
    execution = engine.run("scale-up", load_event("alarm-ok.json"))
    assert execution.status == "SUCCEEDED"
    assert execution.output["outcome"] == "skipped"
    assert "is OK, not ALARM" in execution.output["reason"]
    assert updates(engine) == 0
    assert engine.capacity(ORDERS)["write"] == 100
    assert [d["outcome"] for d in logged_decisions(engine, "orders")] == ["skipped"]


def test_second_alarm_inside_cooldown_is_skipped(engine: Engine) -> None:
    first = the_increase(engine, one_throttled_minute(engine))
    assert first.output["outcome"] == "increased"
    second = engine.run("scale-up", {"table": "orders", "dimension": "write"})
    assert second.status == "SUCCEEDED"
    assert second.output["outcome"] == "skipped"
    assert "in cooldown until" in second.output["reason"]
    assert updates(engine) == 1
    assert engine.capacity(ORDERS)["write"] == 146
    assert not lease_held(engine, "orders")


def test_cooldown_is_per_dimension(engine: Engine) -> None:
    engine.wait(busy_orders_writes(engine)[0])
    engine.publish([Flow(ORDERS, "read", 48)], minutes=2, evaluate=False)
    read = engine.run("scale-up", {"table": "orders", "dimension": "read"})
    assert read.output["outcome"] == "increased"


def test_resource_in_use_during_the_update_is_retried_and_ends_right(engine: Engine) -> None:
    engine.publish([Flow(ORDERS, "write", 96, 6)], minutes=2, evaluate=False)
    # GIVEN someone else's update leaves orders UPDATING for 20 s of engine time
    engine.dynamodb.update_table(
        TableName="orders", ProvisionedThroughput={"ReadCapacityUnits": 60, "WriteCapacityUnits": 100}
    )
    assert engine.capacity(ORDERS)["table_status"] == "UPDATING"
    execution = engine.run("scale-up", {"table": "orders", "dimension": "write"})
    assert execution.status == "SUCCEEDED", execution.cause
    failures = [i for i in engine.lambdas.invocations if i.function == "UpdateTableFunction" and i.error]
    assert failures and {i.error for i in failures} == {"ResourceInUseException"}
    assert updates(engine) == 2  # theirs and ours
    assert (engine.capacity(ORDERS)["read"], engine.capacity(ORDERS)["write"]) == (60, 146)


def test_max_capacity_caps_the_result(engine: Engine) -> None:
    # orders' max_capacity is 400: demand 900/s would want 1286
    engine.publish([Flow(ORDERS, "write", 300, 600)], minutes=2, evaluate=False)
    execution = engine.run("scale-up", {"table": "orders", "dimension": "write"})
    assert execution.output["to"] == 400
    assert "capped by max_capacity 400" in execution.output["reason"]
    assert engine.capacity(ORDERS)["write"] == 400


def test_gsi_alarm_scales_the_index_not_the_table(engine: Engine) -> None:
    engine.publish([Flow(BY_CUSTOMER, "read", 19, 4)], minutes=2, evaluate=False)
    execution = engine.run("scale-up", load_event("alarm-gsi.json"))
    assert execution.output["outcome"] == "increased"
    assert engine.capacity(BY_CUSTOMER)["read"] == 33  # ceil(23 / 0.7)
    assert (engine.capacity(ORDERS)["read"], engine.capacity(ORDERS)["write"]) == (50, 100)
    assert engine.alarm("ddbflow-orders:by-customer:read-high")["Threshold"] == 33 * 60 * 0.7


def test_sns_wrapped_alarm_scales_like_the_eventbridge_one(engine: Engine) -> None:
    engine.publish([Flow(ORDERS, "read", 48, 3)], minutes=2, evaluate=False)
    execution = engine.run("scale-up", load_event("alarm-sns.json"))
    assert (execution.output["outcome"], execution.output["to"]) == ("increased", 73)


def test_step_rule_is_the_original_blogs(engine: Engine) -> None:
    # sessions uses rule "step" with scale_up_step 0.5: 100 → 150 whatever the demand
    execution = engine.run("scale-up", {"table": "sessions", "dimension": "write"})
    assert (execution.output["from"], execution.output["to"]) == (100, 150)


def test_dry_run_decides_but_changes_nothing(engine: Engine, config: dict[str, Any]) -> None:
    config["tables"]["orders"]["dry_run"] = True
    engine.load_config(config)
    engine.publish([Flow(ORDERS, "write", 96, 6)], minutes=2, evaluate=False)
    execution = engine.run("scale-up", {"table": "orders", "dimension": "write"})
    assert execution.output["outcome"] == "dry-run"
    assert "would increase 100 → 146" in execution.output["reason"]
    assert updates(engine) == 0
    assert engine.capacity(ORDERS)["write"] == 100


@pytest.mark.parametrize(
    ("payload", "error", "fail_state"),
    [
        ({"table": "payments", "dimension": "write"}, "TableNotManaged", "Reject Unmanaged Table"),
        ({"hello": "world"}, "MalformedEvent", "Reject Malformed Event"),
        ({"table": "orders", "dimension": "up"}, "MalformedEvent", "Reject Malformed Event"),
    ],
)
def test_unmanaged_or_malformed_ends_in_a_named_failure_and_changes_nothing(
    engine: Engine, payload: dict[str, Any], error: str, fail_state: str
) -> None:
    execution = engine.run("scale-up", payload)
    assert execution.status == "FAILED"
    assert execution.error == error
    assert execution.states_entered[-1] == fail_state
    assert execution.cause  # says what was wrong
    assert updates(engine) == 0
    assert engine.capacity(ORDERS)["write"] == 100


def test_managed_but_missing_table_fails_named_and_releases_the_lease(
    engine: Engine, config: dict[str, Any]
) -> None:
    config["tables"]["ghost"] = {}
    engine.load_config(config)
    execution = engine.run("scale-up", {"table": "ghost", "dimension": "read"})
    assert (execution.status, execution.error) == ("FAILED", "TableNotFound")
    assert execution.states_entered[-1] == "Table Not Found"
    assert "'ghost' does not exist" in (execution.cause or "")
    assert not lease_held(engine, "ghost")
    assert [d["outcome"] for d in logged_decisions(engine, "ghost")] == ["failed"]


def test_invalid_stored_config_is_a_named_failure(engine: Engine) -> None:
    put_control_item(engine, "CONFIG", "CURRENT", document='{"tables": {"orders": {"max_capacity": 0}}}')
    execution = engine.run("scale-up", {"table": "orders", "dimension": "write"})
    assert (execution.status, execution.error) == ("FAILED", "InvalidConfig")
    assert "$.tables.orders.max_capacity" in (execution.cause or "")


def test_concurrent_duplicate_alarms_update_once(engine: Engine) -> None:
    engine.publish([Flow(ORDERS, "write", 96, 6)], minutes=2, evaluate=False)
    event = load_event("alarm-eventbridge.json")
    arns = [engine.start("scale-up", event, name=f"duplicate-{n}") for n in range(5)]
    results: list[Execution] = [engine.wait(arn) for arn in arns]
    assert all(r.status == "SUCCEEDED" for r in results), [r.cause for r in results]
    outcomes = sorted(r.output["outcome"] for r in results)
    # the others wait for the lease, then find the table in cooldown or the demand already met
    assert outcomes[0] == "increased" and set(outcomes[1:]) <= {"skipped", "unchanged"}
    assert updates(engine) == 1
    assert engine.capacity(ORDERS)["write"] == 146
    assert not lease_held(engine, "orders")


def test_sns_starter_starts_one_execution_per_alarm_state_change(engine: Engine) -> None:
    # GIVEN the original blog's path: the alarm notifies SNS, whose subscriber starts the machine
    engine.publish([Flow(ORDERS, "read", 48, 3)], minutes=2, evaluate=False)
    sns_event = load_event("alarm-sns.json")
    # WHEN SNS delivers the same notification twice
    first = engine.lambdas.invoke("StartFromSnsFunction", sns_event)
    second = engine.lambdas.invoke("StartFromSnsFunction", sns_event)
    # THEN both name the same execution, and only one runs
    assert first[1]["execution_name"] == second[1]["execution_name"]
    executions = engine.sfn.list_executions(stateMachineArn=engine.machines["scale-up"])["executions"]
    assert [e["name"] for e in executions] == [first[1]["execution_name"]]
    result = engine.wait(executions[0]["executionArn"])
    assert (result.output["outcome"], result.output["to"]) == ("increased", 73)


def test_ten_duplicate_deliveries_at_once_update_once(engine: Engine) -> None:
    engine.publish([Flow(ORDERS, "write", 96, 6)], minutes=2, evaluate=False)
    event = load_event("alarm-eventbridge.json")
    arns = [engine.start("scale-up", event, name=f"delivery-{n}") for n in range(10)]
    results = [engine.wait(arn) for arn in arns]
    assert all(r.status == "SUCCEEDED" for r in results), [r.cause for r in results]
    assert [r.output["outcome"] for r in results].count("increased") == 1
    assert updates(engine) == 1
    assert not lease_held(engine, "orders")


def test_read_and_write_alarms_together_ten_deliveries_update_once(engine: Engine) -> None:
    # GIVEN orders busy on both dimensions: 48 RCU/s of 50 and 96 WCU/s of 100, plus throttling
    engine.publish([Flow(ORDERS, "read", 48, 3), Flow(ORDERS, "write", 96, 6)], minutes=2, evaluate=False)
    changes = [
        e
        for e in engine.alarms.evaluate()
        if e["detail"]["state"]["value"] == "ALARM" and e["detail"]["alarmName"].endswith("-high")
    ]
    assert sorted(e["detail"]["alarmName"] for e in changes) == [
        "ddbflow-orders::read-high",
        "ddbflow-orders::write-high",
    ]
    # WHEN each state change is delivered five times, all ten at once
    arns = [
        engine.start("scale-up", event, name=f"both-{n}-{i}")
        for n, event in enumerate(changes)
        for i in range(5)
    ]
    results = [engine.wait(arn) for arn in arns]
    assert all(r.status == "SUCCEEDED" for r in results), [r.cause for r in results]
    # THEN one execution raises both dimensions in a single UpdateTable; the nine others change nothing
    [winner] = [r.output for r in results if r.output["outcome"] == "increased"]
    assert updates(engine) == 1
    assert engine.capacity(ORDERS)["read"] == 73 and engine.capacity(ORDERS)["write"] == 146
    assert "in the same update" in winner["summary"]
    assert engine.alarm("ddbflow-orders::read-high")["Threshold"] == 73 * 60 * 0.7
    assert engine.alarm(WRITE_ALARM)["Threshold"] == 146 * 60 * 0.7
    assert not lease_held(engine, "orders")


def test_a_dead_holders_lease_expires(engine: Engine) -> None:
    # GIVEN an execution that took the lease and died (never released it)
    put_control_item(engine, "TABLE#orders", "LEASE", owner="dead", expires_at=engine.clock.now().isoformat())
    engine.clock.advance(1)
    engine.publish([Flow(ORDERS, "write", 96, 6)], minutes=2, evaluate=False)
    # WHEN the next alarm comes THEN it takes the expired lease and scales
    execution = engine.run("scale-up", {"table": "orders", "dimension": "write"})
    assert execution.output["outcome"] == "increased"
    assert not lease_held(engine, "orders")


def test_a_lease_that_expires_while_waiting_is_taken_then(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a dead holder's lease that expires 100 s from now
    engine.publish([Flow(ORDERS, "write", 96, 6)], minutes=2, evaluate=False)
    until = engine.clock.now() + timedelta(seconds=100)
    put_control_item(engine, "TABLE#orders", "LEASE", owner="dead", expires_at=until.isoformat())
    # WHEN the alarm comes THEN it waits, and the attempt after the expiry (judged at its own time, not
    # at the first attempt's) takes the lease and scales
    execution = engine.run("scale-up", {"table": "orders", "dimension": "write"})
    assert execution.output["outcome"] == "increased", execution.output
    assert "Wait Out Lease" in execution.states_entered
    assert not lease_held(engine, "orders")
    # AND the first wait's absent counter (IsPresent: false) puts no moto ERROR line on the console
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_live_lease_makes_others_wait_then_skip(engine: Engine) -> None:
    # GIVEN a lease that outlives every retry of Take Lease
    put_control_item(engine, "TABLE#orders", "LEASE", owner="busy", expires_at="2999-01-01T00:00:00+00:00")
    execution = engine.run("scale-up", {"table": "orders", "dimension": "write"})
    assert execution.output["outcome"] == "skipped"
    assert "another execution is scaling this table" in execution.output["reason"]
    assert updates(engine) == 0


def test_demand_still_above_the_new_capacity_fires_the_alarm_again(engine: Engine) -> None:
    # GIVEN an increase 100 → 146 that re-armed the alarm (OK) at its new threshold
    first = the_increase(engine, busy_orders_writes(engine))
    assert first.output["to"] == 146
    assert engine.alarm(WRITE_ALARM)["StateValue"] == "OK"
    # WHEN demand keeps growing past the new capacity
    started = engine.publish([Flow(ORDERS, "write", 140, 40)], minutes=2)
    # THEN the alarms fire again and the table grows again: ceil(180 / 0.7) = 258
    second = the_increase(engine, started)
    assert second.output["outcome"] == "increased", second.output
    assert engine.capacity(ORDERS)["write"] == 258
    assert updates(engine) == 2


def test_an_alarm_inside_the_cooldown_waits_it_out_then_judges_fresh_metrics(engine: Engine) -> None:
    # GIVEN an increase just now (cooldown 120 s) WHEN the write alarm's state change arrives again
    the_increase(engine, one_throttled_minute(engine))
    late = {**load_event("alarm-eventbridge.json"), "id": "late-delivery"}
    late["detail"]["state"]["timestamp"] = engine.clock.now().isoformat()
    execution = engine.run("scale-up", late)
    # THEN it waits until the cooldown ends, re-measures, and finds the demand already met
    assert execution.status == "SUCCEEDED", execution.cause
    assert "Wait Out Cooldown" in execution.states_entered
    assert execution.output["outcome"] == "unchanged"
    assert "waited out the cooldown until" in execution.output["reason"]
    assert updates(engine) == 1
