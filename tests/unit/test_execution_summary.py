"""The one-line summary `ddbflow executions` lists and `ddbflow serve` prints: one function for both."""

import json

from ddbflow import serve
from ddbflow.executions import execution_summary


def test_a_decision_a_scale_down_check_and_a_failure_each_read_as_one_line() -> None:
    increased = {"output": json.dumps({"summary": "orders WCU 100 → 146: demand rule → 146"})}
    assert execution_summary(increased) == "orders WCU 100 → 146: demand rule → 146"
    decisions = [{"outcome": o} for o in ("rebalanced", "decreased", "decreased", "kept")]
    check = {"output": json.dumps({"decisions": decisions})}
    assert execution_summary(check) == "4 targets: 2 decreased, 1 kept, 1 rebalanced"
    cause = json.dumps(
        {"errorType": "MalformedEvent", "errorMessage": "not an alarm event", "stackTrace": []}
    )
    assert (
        execution_summary({"error": "MalformedEvent", "cause": cause}) == "MalformedEvent: not an alarm event"
    )


def test_serve_reports_finished_executions_through_the_same_function() -> None:
    assert serve.execution_summary is execution_summary
