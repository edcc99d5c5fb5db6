"""A state machine's ASL laid out as a top-down layered graph, the way the Step Functions console draws
it: states in layers by longest forward path from StartAt, loops drawn back up on the right, and the
iterator of a Map (or each branch of a Parallel) laid out the same way inside its state's box."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

NODE_WIDTH, NODE_HEIGHT = 190.0, 36.0
LAYER_GAP, NODE_GAP = 34.0, 22.0
INNER_PAD, INNER_HEADER = 14.0, 30.0
LOOP_LANE = 18.0  # horizontal room per loop edge, to the right of the graph


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    kind: str  # next, choice, default, catch


@dataclass
class Node:
    name: str
    kind: str  # the ASL Type
    x: float
    y: float
    width: float
    height: float
    inner: list["Layout"] = field(default_factory=list)  # Map iterator / Parallel branches


@dataclass
class Edge:
    transition: Transition
    points: list[tuple[float, float]]  # a polyline; the renderer smooths it
    loop: bool  # goes back to an earlier layer (a retry or polling loop)


@dataclass
class Layout:
    start: str
    nodes: dict[str, Node]
    edges: list[Edge]
    width: float
    height: float

    def all_nodes(self) -> list[tuple[Node, float, float]]:
        """Every node with its absolute offset, nested ones included."""
        found: list[tuple[Node, float, float]] = []
        self._collect(0.0, 0.0, found)
        return found

    def _collect(self, dx: float, dy: float, found: list[tuple[Node, float, float]]) -> None:
        for node in self.nodes.values():
            found.append((node, dx, dy))
            for inner, (ix, iy) in zip(node.inner, inner_offsets(node), strict=True):
                inner._collect(dx + ix, dy + iy, found)


def transitions(name: str, state: dict[str, Any]) -> list[Transition]:
    found = [Transition(name, choice["Next"], "choice") for choice in state.get("Choices", [])]
    if "Default" in state:
        found.append(Transition(name, state["Default"], "default"))
    if "Next" in state:
        found.append(Transition(name, state["Next"], "next"))
    found += [Transition(name, catch["Next"], "catch") for catch in state.get("Catch", [])]
    return found


def inner_definitions(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The nested state machines of a Map (ItemProcessor, or the older Iterator) or Parallel."""
    if state.get("Type") == "Map":
        inner = state.get("ItemProcessor") or state.get("Iterator")
        return [inner] if inner else []
    if state.get("Type") == "Parallel":
        return list(state.get("Branches", []))
    return []


def inner_offsets(node: Node) -> list[tuple[float, float]]:
    """Where each nested layout sits inside its node: side by side under the node's title."""
    offsets, x = [], INNER_PAD
    for inner in node.inner:
        offsets.append((x + (node.width - _inner_width(node)) / 2, INNER_HEADER))
        x += inner.width + NODE_GAP
    return offsets


def _inner_width(node: Node) -> float:
    return sum(inner.width for inner in node.inner) + NODE_GAP * (len(node.inner) - 1) + 2 * INNER_PAD


def layout(definition: dict[str, Any]) -> Layout:
    states: dict[str, dict[str, Any]] = definition["States"]
    start = definition["StartAt"]
    moves = [t for name, state in states.items() for t in transitions(name, state) if t.target in states]
    loops = _loop_transitions(start, states, moves)
    layer = _layers(start, states, [t for t in moves if t not in loops])
    nodes = {name: _sized_node(name, state) for name, state in states.items()}
    rows: dict[int, list[str]] = defaultdict(list)
    for name in _discovery_order(start, states, moves):
        rows[layer[name]].append(name)
    _order_by_parents(rows, moves, loops)
    width = max(_row_width([nodes[n] for n in row]) for row in rows.values())
    y = 0.0
    for number in sorted(rows):
        row = [nodes[n] for n in rows[number]]
        x = (width - _row_width(row)) / 2
        height = max(node.height for node in row)
        for node in row:
            node.x, node.y = x, y + (height - node.height) / 2
            x += node.width + NODE_GAP
        y += height + LAYER_GAP
    edges = [_edge(t, nodes, t in loops, width, lane) for lane, t in _lanes(moves, loops)]
    return Layout(start, nodes, edges, width + LOOP_LANE * (len(loops) + 1), y - LAYER_GAP)


def _sized_node(name: str, state: dict[str, Any]) -> Node:
    inner = [layout(d) for d in inner_definitions(state)]
    node = Node(name, state.get("Type", "?"), 0.0, 0.0, NODE_WIDTH, NODE_HEIGHT, inner)
    if inner:
        node.width = max(NODE_WIDTH, _inner_width(node))
        node.height = INNER_HEADER + max(i.height for i in inner) + INNER_PAD
    return node


def _row_width(row: list[Node]) -> float:
    return sum(node.width for node in row) + NODE_GAP * (len(row) - 1)


def _discovery_order(start: str, states: dict[str, Any], moves: list[Transition]) -> list[str]:
    """Breadth-first from StartAt, then any state nothing reaches (still drawn, never visited)."""
    following = defaultdict(list)
    for t in moves:
        following[t.source].append(t.target)
    order, queue, seen = [], [start], {start}
    while queue:
        name = queue.pop(0)
        order.append(name)
        for target in following[name]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return order + [name for name in states if name not in seen]


def _loop_transitions(start: str, states: dict[str, Any], moves: list[Transition]) -> set[Transition]:
    """Transitions back to a state still on the depth-first path: the loops of the machine."""
    following = defaultdict(list)
    for t in moves:
        following[t.source].append(t)
    loops: set[Transition] = set()
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> None:
        on_path.add(name)
        for t in following[name]:
            if t.target in on_path:
                loops.add(t)
            elif t.target not in done:
                visit(t.target)
        on_path.discard(name)
        done.add(name)

    for name in [start, *states]:
        if name not in done:
            visit(name)
    return loops


def _layers(start: str, states: dict[str, Any], forward: list[Transition]) -> dict[str, int]:
    """Longest path from StartAt over the loop-free transitions, so every arrow points down."""
    incoming: dict[str, int] = defaultdict(int)
    for t in forward:
        incoming[t.target] += 1
    layer = dict.fromkeys(states, 0)
    ready = [name for name in states if incoming[name] == 0]
    while ready:
        name = ready.pop()
        for t in forward:
            if t.source == name:
                layer[t.target] = max(layer[t.target], layer[name] + 1)
                incoming[t.target] -= 1
                if incoming[t.target] == 0:
                    ready.append(t.target)
    return layer


def _order_by_parents(rows: dict[int, list[str]], moves: list[Transition], loops: set[Transition]) -> None:
    """One top-down sweep: a state sits under the mean position of the states that lead to it."""
    parents = defaultdict(list)
    for t in moves:
        if t not in loops:
            parents[t.target].append(t.source)
    position: dict[str, float] = {}
    for number in sorted(rows):
        row = rows[number]
        for index, name in enumerate(row):
            known = [position[p] for p in parents[name] if p in position]
            position[name] = sum(known) / len(known) if known else float(index)
        row.sort(key=lambda n: position[n])
        for index, name in enumerate(row):
            position[name] = float(index) - (len(row) - 1) / 2


def _lanes(moves: list[Transition], loops: set[Transition]) -> list[tuple[int, Transition]]:
    lanes, next_lane = [], 0
    for t in moves:
        if t in loops:
            next_lane += 1
            lanes.append((next_lane, t))
        else:
            lanes.append((0, t))
    return lanes


def _edge(t: Transition, nodes: dict[str, Node], loop: bool, width: float, lane: int) -> Edge:
    source, target = nodes[t.source], nodes[t.target]
    if loop:
        # Out of the source's bottom and into the target's top (right of the forward arrows' centre),
        # along the gaps between layers, which hold no state, and up a lane right of the graph.
        lane_x = width + LOOP_LANE * lane
        start = (source.x + 0.8 * source.width, source.y + source.height)
        end = (target.x + 0.8 * target.width, target.y)
        below, above = start[1] + LAYER_GAP / 2, end[1] - LAYER_GAP / 2
        points = [start, (start[0], below), (lane_x, below), (lane_x, above), (end[0], above), end]
        return Edge(t, points, loop=True)
    start = (source.x + source.width / 2, source.y + source.height)
    end = (target.x + target.width / 2, target.y)
    return Edge(t, [start, end], loop=False)
