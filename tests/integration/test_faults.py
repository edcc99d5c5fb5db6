"""Faults injected into the real machines on the embedded engine: AWS errors on the calls the handlers
make, Lambda errors and timeouts, a table deleted mid-run. Every scenario ends with the right capacity,
at most one effective update per decision, a named outcome and the lease released."""

from typing import Any

import pytest

from ddbflow.engine import Engine, Execution, Flow
from ddbflow.engine.faults import Fault
from ddbflow_lambda.core.target import Target
from helpers import TUESDAY_1400, lease_held, load_event, scale_down_decisions, world_engine

ORDERS, SESSIONS = Target("orders"), Target("sessions")
WRITE_ALARM = "ddbflow-orders::write-high"


def scale_up_under(engine: Engine, *faults: str) -> Execution:
    """orders at 100 WCU gets 96 WCU/s + 6 throttled/s for a minute: the throttle alarm starts the one
    execution (demand rule: → 146) before the two-minute utilization alarm could."""
    engine.faults.inject(*faults)
    [started] = engine.publish([Flow(ORDERS, "write", 96, 6)], minutes=1)
    return engine.wait(started)


def effective_updates(engine: Engine) -> int:
    return len(engine.dynamodb_model.updates)


RECOVERED = [
    "dynamodb.DescribeTable=ThrottlingException*2",
    "dynamodb.DescribeTable=InternalServerError",
    "dynamodb.UpdateTable=ThrottlingException*3",
    "dynamodb.UpdateTable=InternalServerError",
    "dynamodb.UpdateTable=ServiceUnavailable",
    "dynamodb.UpdateTable=ResourceInUseException*2",
    "cloudwatch.GetMetricData=Throttling*2",
    "cloudwatch.GetMetricData=InternalServiceError",
    "cloudwatch.PutMetricAlarm=Throttling*2",
    "cloudwatch.PutMetricAlarm=InternalServiceError",
    "dynamodb.TransactWriteItems=InternalServerError",
    "UpdateTableFunction=timeout",  # the update landed but its answer was lost
    "UpdateAlarmsFunction=timeout",
    "RecordDecisionFunction=timeout",
    "TakeLeaseFunction=timeout",
    "ComputeCapacityFunction=timeout",
]


@pytest.mark.parametrize("fault", RECOVERED)
def test_transient_faults_are_retried_to_exactly_one_update(engine: Engine, fault: str) -> None:
    execution = scale_up_under(engine, fault)
    assert engine.faults.fired, f"{fault} never fired"
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["outcome"] == "increased"
    assert engine.capacity(ORDERS)["write"] == 146
    assert engine.alarm(WRITE_ALARM)["Threshold"] == 146 * 60 * 0.7
    assert effective_updates(engine) == 1
    assert not lease_held(engine, "orders")


FAILED_NOTHING_CHANGED = [
    ("dynamodb.DescribeTable=ThrottlingException*6", "ThrottlingException"),  # retries exhausted
    ("dynamodb.UpdateTable=LimitExceededException", "LimitExceededException"),
    ("UpdateTableFunction=error", "InjectedFault"),
    ("ComputeCapacityFunction=error", "InjectedFault"),
]


@pytest.mark.parametrize(("fault", "error"), FAILED_NOTHING_CHANGED)
def test_final_faults_fail_named_and_change_nothing(engine: Engine, fault: str, error: str) -> None:
    threshold = engine.alarm(WRITE_ALARM)["Threshold"]
    execution = scale_up_under(engine, fault)
    assert execution.status == "FAILED"
    assert error in (execution.cause or "")
    assert engine.capacity(ORDERS)["write"] == 100
    assert engine.alarm(WRITE_ALARM)["Threshold"] == threshold
    assert effective_updates(engine) == 0
    assert not lease_held(engine, "orders")


def test_table_deleted_mid_execution_ends_named_and_releases_the_lease(engine: Engine) -> None:
    execution = scale_up_under(engine, "CheckTableStatusFunction=delete-table")
    assert execution.status == "FAILED"
    assert "TableNotFound" in (execution.cause or "")
    assert "Update Alarms" not in execution.states_entered
    assert effective_updates(engine) == 1  # the one update before the table went away
    assert not lease_held(engine, "orders")


def test_a_timed_out_update_retried_after_the_table_is_active_is_not_a_second_update(engine: Engine) -> None:
    execution = scale_up_under(engine, "UpdateTableFunction=timeout")
    update_tasks = [
        e for e in execution.events if e["type"] == "TaskStateEntered" and "Update Table" in str(e)
    ]
    assert len(update_tasks) == 1  # one state, retried inside it
    failures = [e for e in execution.events if e["type"] == "LambdaFunctionFailed"]
    assert {f["lambdaFunctionFailedEventDetails"]["error"] for f in failures} >= {"Sandbox.Timedout"}
    assert effective_updates(engine) == 1


@pytest.mark.parametrize(
    "fault",
    [
        "dynamodb.UpdateTable=ThrottlingException*2",
        "cloudwatch.GetMetricData=Throttling*2",
        "UpdateTableFunction=timeout",
        "PlanScaleDownFunction=timeout",
    ],
)
def test_scale_down_under_faults_spends_one_decrease_per_target(fault: str) -> None:
    with world_engine(TUESDAY_1400) as engine:
        engine.faults.inject(fault)
        execution = engine.run("scale-down", load_event("schedule.json"))
        assert engine.faults.fired
        assert execution.status == "SUCCEEDED", execution.cause
        outcomes = {_name(d): d["outcome"] for d in scale_down_decisions(engine, execution)}
        assert outcomes["sessions"] == "decreased"
        assert engine.capacity(SESSIONS) == {**engine.capacity(SESSIONS), "read": 19, "write": 5}
        decreases = engine.dynamodb_model.history[("sessions", None)].decreases
        assert len(decreases) == 1


def _name(decision: dict[str, Any]) -> str:
    return str(decision["table"]) + (f"/{decision['index']}" if decision["index"] else "")


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("dynamodb.UpdateTable", "WHERE=WHAT"),
        ("dynamodb.UpdateTable=NoSuchError", "not one of"),
        ("UpdateTableFunction=ThrottlingException", "function fault"),
        ("dynamodb.UpdateTable=ThrottlingException*0", "at least 1"),
    ],
)
def test_malformed_fault_specs_are_refused_with_the_reason(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Fault.parse(spec)


def test_a_fault_on_an_unknown_function_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="no function NoSuchFunction"):
        engine.faults.inject("NoSuchFunction=timeout")


def test_faults_do_not_touch_the_engines_own_calls(engine: Engine) -> None:
    engine.faults.inject("dynamodb.DescribeTable=ThrottlingException*100")
    assert engine.capacity(ORDERS)["write"] == 100  # the engine's describe_table is not a handler's
    assert engine.faults.fired == []
