"""The report's graph layout over the real ASL files: every state drawn once, arrows point down except
the loops, which go up on the right, nothing overlaps, and a Map's iterator sits inside its box."""

import json
from itertools import combinations
from pathlib import Path

import pytest

from ddbflow.graph import Layout, Node, inner_offsets, layout, transitions

MACHINES = sorted((Path(__file__).resolve().parents[2] / "statemachines").glob("*.asl.json"))


def _all_state_names(definition: dict) -> set[str]:
    names = set()
    for name, state in definition["States"].items():
        names.add(name)
        for inner in [state.get("ItemProcessor") or state.get("Iterator"), *state.get("Branches", [])]:
            if inner:
                names |= _all_state_names(inner)
    return names


def _overlap(a: Node, b: Node) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


def _crossed(graph: Layout, left: float, right: float, y: float) -> list[Node]:
    return [
        n for n in graph.nodes.values() if n.y < y < n.y + n.height and left < n.x + n.width and n.x < right
    ]


def _check(graph: Layout) -> None:
    for a, b in combinations(graph.nodes.values(), 2):
        assert not _overlap(a, b), (a.name, b.name)
    for edge in graph.edges:
        source, target = graph.nodes[edge.transition.source], graph.nodes[edge.transition.target]
        if edge.loop:
            assert target.y <= source.y  # back up: a retry or polling loop
            # up a lane right of every node, along horizontals that cross no node
            lane = max(x for x, _ in edge.points)
            assert lane >= max(node.x + node.width for node in graph.nodes.values())
            for (x1, y1), (x2, y2) in zip(edge.points, edge.points[1:], strict=False):
                if y1 == y2:
                    assert not [n.name for n in _crossed(graph, min(x1, x2), max(x1, x2), y1)]
        else:
            assert target.y > source.y
    for node in graph.nodes.values():
        assert node.x >= 0 and node.x + node.width <= graph.width
        for inner, (dx, dy) in zip(node.inner, inner_offsets(node), strict=True):
            assert node.x + dx >= node.x and dx + inner.width <= node.width
            assert dy + inner.height <= node.height
            _check(inner)


@pytest.mark.parametrize("path", MACHINES, ids=lambda p: p.name)
def test_every_state_is_drawn_once_and_the_layout_is_sound(path: Path) -> None:
    definition = json.loads(path.read_text())
    graph = layout(definition)
    drawn = [node.name for node, _, _ in graph.all_nodes()]
    assert sorted(drawn) == sorted(_all_state_names(definition))
    _check(graph)


def test_the_wait_until_active_wait_for_lease_and_credit_loops_are_drawn_as_loops() -> None:
    graph = layout(json.loads((MACHINES[0].parent / "scale_up.asl.json").read_text()))
    loops = {(e.transition.source, e.transition.target) for e in graph.edges if e.loop}
    assert loops == {
        ("Table Active?", "Wait For Table"),
        ("Wait Out Lease", "Take Lease"),
        ("Wait While Credit Carries It", "Describe Table"),
    }


def test_transitions_name_choices_default_next_and_catch() -> None:
    state = {
        "Type": "Task",
        "Next": "B",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
    }
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "C"}],
        "Default": "D",
    }
    assert [(t.target, t.kind) for t in transitions("A", state)] == [("B", "next"), ("F", "catch")]
    assert [(t.target, t.kind) for t in transitions("Q", choice)] == [("C", "choice"), ("D", "default")]


def test_a_state_nothing_reaches_is_still_drawn() -> None:
    graph = layout(
        {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Pass", "End": True}}}
    )
    assert set(graph.nodes) == {"A", "Orphan"}
    assert not _overlap(graph.nodes["A"], graph.nodes["Orphan"])
