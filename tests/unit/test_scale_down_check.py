"""The scale-down oracle (ddbflow/scale_down_check.py) passes right decisions and names every wrong one:
the stress test relies on it failing when a decision contradicts the seeded traffic."""

from collections import Counter
from typing import Any

import pytest

from ddbflow.big_world import GSI_NAME, generate, table_name
from ddbflow.scale_down_check import wrong_decisions
from ddbflow_lambda.core.target import Target

# t0000 busy (90/s of 100), t0001 idle (2 and 1/s of 100) with its GSI (1/s of 20), t0002 idle
CONFIG, WORLD = generate(3, 2)
BUSY, IDLE, GSI, IDLE_NO_GSI = (
    Target(table_name(0)),
    Target(table_name(1)),
    Target(table_name(1), GSI_NAME),
    Target(table_name(2)),
)


def decision(target: Target, outcome: str, summary: str | None = None) -> dict[str, Any]:
    return {
        "table": target.table,
        "index": target.index,
        "outcome": outcome,
        "summary": summary or f"{target.label} {outcome}: because",
    }


def right() -> tuple[list[dict[str, Any]], dict[Target, dict[str, int]], Counter[Target]]:
    decisions = [
        decision(BUSY, "kept"),
        decision(Target(table_name(0), GSI_NAME), "decreased"),
        decision(IDLE, "decreased"),
        decision(GSI, "decreased"),
        decision(IDLE_NO_GSI, "decreased"),
    ]
    capacities = {
        d: {"read": 5, "write": 5} for d in (IDLE, GSI, IDLE_NO_GSI, Target(table_name(0), GSI_NAME))
    }
    capacities[BUSY] = {"read": 100, "write": 100}
    return decisions, capacities, Counter(t for t, c in capacities.items() if c["read"] == 5)


def check(
    decisions: list[dict[str, Any]], capacities: dict[Target, dict[str, int]], changes: Counter[Target]
) -> list[str]:
    return wrong_decisions(CONFIG, WORLD, decisions, capacities.__getitem__, changes)


def test_right_decisions_pass() -> None:
    assert check(*right()) == []


def test_a_busy_table_decreased_below_its_peak_is_named() -> None:
    decisions, capacities, changes = right()
    decisions[0] = decision(BUSY, "decreased")
    capacities[BUSY] = {"read": 5, "write": 5}
    changes[BUSY] = 1
    [read, write] = check(decisions, capacities, changes)
    assert read.startswith("t0000: read decreased to 5, below its peak 90/s at 70% utilization (128.6)")
    assert "write decreased to 5" in write


def test_an_idle_table_kept_is_named() -> None:
    decisions, capacities, changes = right()
    decisions[2] = decision(IDLE, "kept")
    capacities[IDLE] = {"read": 100, "write": 100}
    changes[IDLE] = 0
    assert check(decisions, capacities, changes) == [
        "t0001: read kept at 100 for a peak of 2/s: should be decreased ('t0001 kept: because')",
        "t0001: write kept at 100 for a peak of 1/s: should be decreased ('t0001 kept: because')",
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d, c, n: d.pop(3), "t0001/by-owner: 0 decisions, expected exactly one"),
        (lambda d, c, n: d.append(dict(d[3])), "t0001/by-owner: 2 decisions, expected exactly one"),
        (lambda d, c, n: d.append(decision(Target("other"), "kept")), "other: decision for a target"),
        (lambda d, c, n: d.__setitem__(4, decision(IDLE_NO_GSI, "failed")), "t0002: failed"),
        (lambda d, c, n: n.update([IDLE]), "t0001: decreased, but 2 UpdateTables changed it"),
        (
            lambda d, c, n: c.__setitem__(IDLE, {"read": 3, "write": 5}),
            "t0001: read decreased to 3, below min_capacity 5",
        ),
    ],
)
def test_every_other_wrong_decision_is_named(change: Any, problem: str) -> None:
    decisions, capacities, changes = right()
    change(decisions, capacities, changes)
    problems = check(decisions, capacities, changes)
    assert any(p.startswith(problem) for p in problems), problems


def test_a_skip_needs_a_reason() -> None:
    decisions, capacities, changes = right()
    capacities[IDLE], changes[IDLE] = {"read": 100, "write": 100}, 0
    decisions[2] = decision(IDLE, "skipped", "t0001 skipped: decrease budget spent (4 today)")
    assert check(decisions, capacities, changes) == []
    decisions[2] = decision(IDLE, "skipped", "t0001 skipped: ")
    assert check(decisions, capacities, changes) == ["t0001: skipped without a reason ('t0001 skipped: ')"]
