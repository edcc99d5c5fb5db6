"""The `schedules` windows in force at an instant, as sentences: the demo says why a scale-down check
raises a target (a weekday pre-warm) instead of leaving the reader to wonder."""

from datetime import datetime
from typing import Any

from ddbflow_lambda.core.config import managed_targets, resolve_policy
from ddbflow_lambda.core.scale_down import DAYS, effective_min
from ddbflow_lambda.core.target import DIMENSIONS, UNIT_LABEL


def active_windows(config: dict[str, Any], now: datetime) -> list[str]:
    """One sentence per target and dimension whose minimum a window raises at ``now`` (UTC), through
    the same rule the planner applies (core/scale_down.py's effective_min)."""
    sentences = []
    for target in managed_targets(config):
        for dimension in DIMENSIONS:
            policy = resolve_policy(config, target, dimension)
            floor, name = effective_min(policy, now)
            if name is None:
                continue
            window = next(w for w in policy.schedules if w["name"] == name)
            sentences.append(
                f"{now:%a %H:%M} UTC is inside the {name!r} window ({_days(window.get('days', DAYS))} "
                f"{window['start']}–{window['end']} UTC), which holds {target.label} "
                f"{UNIT_LABEL[dimension]} at ≥ {floor}"
            )
    return sentences


def _days(days: list[str]) -> str:
    """mon–fri for a run of consecutive days, else the days listed."""
    positions = sorted(DAYS.index(day) for day in days)
    if len(positions) == len(DAYS):
        return "every day"
    if len(positions) > 2 and positions == list(range(positions[0], positions[-1] + 1)):
        return f"{DAYS[positions[0]]}–{DAYS[positions[-1]]}"
    return ", ".join(DAYS[p] for p in positions)
