"""ddbflow's own bill, counted from a replay through the real state machines, against a count made here
independently from the same engine's executions."""

from pathlib import Path

import pytest

from ddbflow.advise.costs import HOURS_PER_MONTH, own_bill, total_usage
from ddbflow.advise.prices import load_prices
from ddbflow.advise.replay import replay
from ddbflow.engine import Engine
from ddbflow.sim.bench import run_bench
from ddbflow.sim.trace import Trace

MINUTES = 180  # three hours: three scheduled scale-down checks (hourly), and the ×3 step starts a scale-up


def _count_independently(engine: Engine, into: dict[str, int]) -> None:
    """Billed transitions, counted here: a state entered is one; a Task tried again is one more per
    retry (Step Functions bills retries), seen as a second TaskScheduled in the same state visit."""
    for arn in engine.machines.values():
        for listed in engine.sfn.list_executions(stateMachineArn=arn)["executions"]:
            events = engine.sfn.get_execution_history(executionArn=listed["executionArn"], maxResults=1000)[
                "events"
            ]
            scheduled_in_visit = 0
            for event in events:
                if "stateEnteredEventDetails" in event:
                    into["transitions"] += 1
                    scheduled_in_visit = 0
                elif event["type"] in ("TaskScheduled", "LambdaFunctionScheduled"):
                    into["lambda_tasks"] += 1
                    into["transitions"] += 1 if scheduled_in_visit else 0
                    scheduled_in_visit += 1
            into["executions"] += 1
    # A Distributed Map's children keep histories of their own (the scale-down check's per-target work).
    for children in engine.usage.map_runs.values():
        for child in children:
            into["transitions"] += child.transitions
            into["lambda_tasks"] += child.lambda_tasks


def test_ddbflows_own_bill_is_the_transitions_it_ran_times_the_price() -> None:
    demand = tuple(40.0 if minute < 60 else 120.0 for minute in range(MINUTES))
    counted: dict[str, int] = {"transitions": 0, "lambda_tasks": 0, "executions": 0}
    result, usage = replay(
        Trace("step", demand), "ddbflow", on_engine=lambda e: _count_independently(e, counted)
    )
    total = total_usage(usage)
    assert total is not None and result.update_calls >= 1  # the step was answered by a scale-up
    assert set(usage) >= {"scale-up", "scale-down"}
    # The hourly checks, and two the low alarm started: the start's sizing (70 %) leaves room for a
    # decrease at the shipped 90 %, and the raise sized a period ahead of the step is given back once the
    # look-back holds only minutes since it (the first of those checks waits for that).
    assert usage["scale-down"].executions == MINUTES // 60 + 2
    assert total.executions == counted["executions"]
    assert total.transitions == counted["transitions"]
    prices = load_prices("us-east-1")
    bill = own_bill(total, prices)
    per_month = HOURS_PER_MONTH / (MINUTES / 60)
    assert bill["Step Functions state transitions"] == pytest.approx(
        counted["transitions"] * 0.025 / 1000 * per_month
    )
    # Every Lambda task scheduled is one invocation (the requests line), each billed by its duration.
    assert total.lambda_requests == counted["lambda_tasks"]
    assert bill["Lambda requests"] == pytest.approx(counted["lambda_tasks"] * 0.20 / 1e6 * per_month)
    assert 0 < total.lambda_gb_seconds < total.lambda_requests * 30 * 0.25  # 256 MB, within the 30 s timeout
    # Eight alarms on the one managed table (read and write: utilization, burst, throttles, low), $0.10 each.
    assert total.alarms == 8 and bill["CloudWatch alarms"] == pytest.approx(0.80)
    assert total.metrics_requested > 0 and total.control_write_units > 0


def test_bench_rows_carry_on_demand_ddbflows_own_and_the_net_against_target_tracking(tmp_path: Path) -> None:
    trace = Trace("hour", tuple(30.0 + minute for minute in range(60)))
    report = run_bench([trace], ["target-tracking", "ddbflow"], tmp_path)
    rows = {row["policy"]: row for row in report["traces"]["hour"]["results"]}
    demanded = sum(trace.demand) * 60
    for row in rows.values():
        assert row["on_demand_usd_as_wcu"] == pytest.approx(demanded * 0.625 / 1e6)
        assert row["on_demand_usd_as_rcu"] == pytest.approx(demanded * 0.125 / 1e6)
    tracking, ours = rows["target-tracking"], rows["ddbflow"]
    assert tracking["own_usd"] is None and tracking["net_usd_vs_target_tracking_as_wcu"] == 0
    assert ours["own_usage"]["executions"] >= 4 and ours["own_usd"] > 0  # four scheduled checks at least
    capacity = (ours["capacity_unit_hours"] - tracking["capacity_unit_hours"]) * 0.00065
    assert ours["net_usd_vs_target_tracking_as_wcu"] == pytest.approx(capacity + ours["own_usd"])
    assert "ddbflow's own $" in (tmp_path / "results.md").read_text()
