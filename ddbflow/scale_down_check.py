"""Every decision of a scale-down check judged against the traffic its world seeded (issue 14: every
decision right, not only the counts). An oracle for tests and the stress run, written from what the
operator expects, not from the planner's rules (core/scale_down.py), so that a planner given the wrong
inputs (a look-back window that misses the traffic, another target's policy) is caught:

- every managed table and GSI has exactly one decision, and none failed;
- a skip says why;
- no capacity ends below the seeded peak demand (consumed + throttled) at the target utilization, nor
  below min_capacity, unless it was already there;
- a target clearly over-provisioned (even with the decrease headroom its demand needs at most
  1 − min_decrease_fraction of what it has) is decreased, unless its skip names the reason;
- "decreased" means exactly one UpdateTable changed it, "kept" means none did and it kept its capacity.
"""

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from ddbflow_lambda.core.config import Policy, managed_targets, resolve_policy
from ddbflow_lambda.core.target import DIMENSIONS, Dimension, Target

Capacity = Mapping[str, Any]  # {"read": RCU, "write": WCU, ...} as Engine.capacity reports it


def seeded_demand(world: dict[str, Any]) -> dict[tuple[Target, Dimension], float]:
    """Peak per-second demand of every seeded flow, consumed plus throttled."""
    demand: dict[tuple[Target, Dimension], float] = {}
    for flow in world.get("traffic", []):
        key = (Target(flow["table"], flow.get("index")), flow["dimension"])
        per_second = flow["consumed_per_second"] + flow.get("throttled_per_second", 0.0)
        demand[key] = max(demand.get(key, 0.0), per_second)
    return demand


def seeded_capacity(world: dict[str, Any], target: Target) -> dict[str, int]:
    table = world["tables"][target.table]
    part = table["indexes"][target.index] if target.index else table
    return {"read": part["read"], "write": part["write"]}


def wrong_decisions(
    config: dict[str, Any],
    world: dict[str, Any],
    decisions: list[dict[str, Any]],
    capacity: Callable[[Target], Capacity],
    changes: Counter[Target],
) -> list[str]:
    """A sentence for every decision that contradicts the world; [] when all are right. ``decisions``:
    the check's per-target decisions (tests/helpers.scale_down_decisions), ``capacity``: a target's
    capacity after the check, ``changes``: how many UpdateTables changed each target's capacity."""
    by_target: dict[Target, list[dict[str, Any]]] = {}
    for decision in decisions:
        by_target.setdefault(_target_of(decision), []).append(decision)
    targets = managed_targets(config)
    problems = [
        f"{t.label}: decision for a target the config does not manage"
        for t in by_target.keys() - set(targets)
    ]
    demand = seeded_demand(world)
    for target in targets:
        found = by_target.get(target, [])
        if len(found) != 1:
            problems.append(f"{target.label}: {len(found)} decisions, expected exactly one")
            continue
        before, after = seeded_capacity(world, target), capacity(target)
        problems += [
            f"{target.label}: {problem} ({found[0].get('summary')!r})"
            for problem in _judge(config, target, found[0], before, after, changes[target], demand)
        ]
    return problems


def _target_of(decision: dict[str, Any]) -> Target:
    if "table" in decision:
        return Target(decision["table"], decision.get("index"))
    table, _, index = str(decision.get("target", "?")).partition("/")  # a failed child's label
    return Target(table, index or None)


def _judge(
    config: dict[str, Any],
    target: Target,
    decision: dict[str, Any],
    before: dict[str, int],
    after: Capacity,
    changes: int,
    demand: dict[tuple[Target, Dimension], float],
) -> list[str]:
    outcome, summary = decision.get("outcome"), str(decision.get("summary", ""))
    if outcome == "failed":
        return ["failed"]
    if outcome == "skipped" and not summary.partition("skipped: ")[2].strip():
        return ["skipped without a reason"]
    problems = _consistency(outcome, before, after, changes)
    for dimension in DIMENSIONS:
        policy, peak = resolve_policy(config, target, dimension), demand.get((target, dimension), 0.0)
        problems += _safety(dimension, policy, peak, before[dimension], after[dimension])
        missed = outcome != "skipped" and after[dimension] >= before[dimension]
        if missed and _clearly_over_provisioned(policy, peak, before[dimension]):
            problems.append(
                f"{dimension} kept at {before[dimension]} for a peak of {peak:g}/s: should be decreased"
            )
    return problems


def _consistency(outcome: Any, before: dict[str, int], after: Capacity, changes: int) -> list[str]:
    lowered = any(after[d] < before[d] for d in DIMENSIONS)
    unchanged = all(after[d] == before[d] for d in DIMENSIONS)
    if outcome == "decreased" and not (lowered and changes == 1):
        return [f"decreased, but {changes} UpdateTables changed it ({before} → {dict(after)})"]
    if outcome in ("kept", "skipped", "dry-run") and not (unchanged and changes == 0):
        return [f"{outcome}, but {changes} UpdateTables changed it ({before} → {dict(after)})"]
    return []


def _safety(dimension: str, policy: Policy, peak: float, before: int, after: int) -> list[str]:
    needed = peak / policy.target_utilization
    if after < before and after < needed:
        return [
            f"{dimension} decreased to {after}, below its peak {peak:g}/s at "
            f"{policy.target_utilization:.0%} utilization ({needed:.1f})"
        ]
    if after < before and after < policy.min_capacity:
        return [f"{dimension} decreased to {after}, below min_capacity {policy.min_capacity}"]
    return []


def _clearly_over_provisioned(policy: Policy, peak: float, before: int) -> bool:
    """Even with the headroom a decrease keeps, the demand needs so much less than ``before`` that the
    saving passes min_decrease_fraction; only for a policy that decreases on the first low check."""
    if policy.decrease_after_low_checks > 1 or policy.schedules or policy.dry_run:
        return False
    needed = max(policy.min_capacity, peak / policy.target_utilization * (1 + policy.decrease_headroom))
    return before <= policy.max_capacity and needed + 1 <= before * (1 - policy.min_decrease_fraction)
