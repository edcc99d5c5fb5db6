"""The policy config: validated by a JSON Schema (Draft 2020-12), resolved per target and dimension.

Resolution order, later wins: built-in defaults → ``defaults`` → the table's fields → (for a GSI) the
index's fields → the ``read`` / ``write`` block of the table or index being scaled.
"""

import json
from dataclasses import asdict, dataclass, fields
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .errors import InvalidConfig, TableNotManaged
from .target import DIMENSIONS, Dimension, Target


@dataclass(frozen=True)
class Policy:
    min_capacity: int = 5
    max_capacity: int = 40000
    # Shipped defaults, tuned with `ddbflow bench` (see README). Tuning half, x target tracking, with
    # rise_lead_periods 1 and no decrease judged on minutes before a raise: 0.8 costs 0.93 of its CU-hours,
    # 0.85 0.90, 0.9 0.86, all throttling no more than it on 14 of 14 traces; 0.95 0.82 but on 13 (11.2).
    target_utilization: float = 0.9
    rule: str = "demand"
    scale_up_step: float = 0.5
    # The demand rule's floor for a capped metric: demand counts throttled requests too, so the measure is
    # rarely capped and a small floor suffices (tuning half, with the burst alarm: 0.1 throttled no more than
    # target tracking on 14 of 14 traces at 0.95 x its CU-hours, 0.2 on 13 at 0.96). Re-measured with the
    # budget-aware rise lead and the real traces: 0.1 0.827, 0.07 0.824, 0.05 0.822 (8 % more updates), 0.02
    # 0.821 (17 % more), every one throttling no more than target tracking on 14 of 14 traces.
    min_step: float = 0.05
    # The demand rule's lead on a rise: a raise lands about a period after the minutes it was sized on,
    # so demand still rising (the alarm window's last period above the one before) is sized at the last
    # period plus this many periods more of the same rise. Tuning half at utilization 0.9, x target
    # tracking: 0 throttled no more than it on 13 of 14 traces (worst 5.7), 0.5 on 13 (1.6), 1 on 14 of 14
    # (geomean 0.11) — a flash crowd's onset outgrows a raise sized to the minutes behind it. Where the
    # budget would hold an overshoot past the look-back, the lead shrinks in proportion (core.capacity.
    # rise_lead; tuning half and the real traces: 0.833 → 0.828 of its CU-hours, 14 of 14 throttling no more).
    rise_lead_periods: float = 1.0
    # One alarm period after an increase is active, a repeated alarm judges a fresh minute at the new
    # capacity (plan_increase ends a met demand `unchanged`). 120 s lagged a flash crowd's onset: each raise
    # sized to the last minutes came 2.5 min after the previous one. Tuning half, x target tracking: 120 s
    # throttled no more than it on 13 of 14 traces (geomean 0.33, synthetic-22 3.87), 60 s on 14 of 14
    # (0.22, worst 1.00), 0 s on 14 (0.20), CU-hours 0.913 for all three.
    cooldown_seconds: int = 60
    alarm_period_seconds: int = 60
    # Two one-minute periods above target before the utilization alarm fires (as target tracking's high
    # alarm): a single minute over target is carried by burst credit and is not a level shift; a minute at
    # twice the capacity fires the burst alarm and refused requests the throttle alarm (core.alarms) at
    # once. Measured on the tuning half with the fast evaluator, x target tracking: 1 period 0.98 of its
    # CU-hours with the worst throttled ratio 24.9; 2 periods 0.95 and 1.00 (14 of 14 no worse);
    # 3 periods 0.93 but throttling more on 1 of 14 (3.7).
    alarm_evaluation_periods: int = 2
    alarm_datapoints_to_alarm: int | None = None
    throttled_request_units: float = 1.0
    update_deadline_seconds: int = 900
    dry_run: bool = False
    # scale-down
    # Also the low alarm's window (core.alarms.low_alarm_definition) and how long a passed spike holds a
    # decrease back (the scale-down waits for a spike to leave it, core.scale_down._settle): 10 low minutes
    # start a scale-down. Tuning half and the real traces (fast evaluator, with that wait), x target
    # tracking: 15 minutes cost 0.847 of its CU-hours (geomean), 9 of 14 traces at or under 0.85; 10
    # 0.832, 11 of 14 (all but the three sparse ones, at the 1-unit floor); 12 and 8 with no headroom
    # 0.830 and 0.825, 9 of 14; all throttling no more than it on 14 of 14. (Before the low alarm and that
    # wait, 10 did on 12.)
    look_back_minutes: int = 10
    decrease_headroom: float = 0.05
    decrease_after_low_checks: int = 1
    min_decrease_fraction: float = 0.1
    last_decrease_min_fraction: float = 0.5
    schedules: tuple[dict[str, Any], ...] = ()

    @property
    def datapoints_to_alarm(self) -> int:
        return self.alarm_datapoints_to_alarm or self.alarm_evaluation_periods

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Policy":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "schedules" in values:
            values["schedules"] = tuple(values["schedules"])
        return cls(**values)


POLICY_FIELDS = frozenset(f.name for f in fields(Policy))

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


@cache
def _validator() -> "Draft202012Validator":
    # Imported on first validation only: handlers that read an already validated policy (Policy.from_dict)
    # skip jsonschema's import (~50 ms of cold start).
    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files(__package__).joinpath("config_schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate_config(config: Any) -> dict[str, Any]:
    """Return the config if valid; else raise InvalidConfig naming every offending field."""
    errors = sorted(_validator().iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    problems = [f"{e.json_path}: {e.message}" for e in errors]
    if not problems:
        problems = _cross_field_problems(config)
    if problems:
        raise InvalidConfig("; ".join(problems))
    return dict(config)


def _cross_field_problems(config: dict[str, Any]) -> list[str]:
    """Rules a schema cannot say across merged levels: min ≤ max, datapoints ≤ periods."""
    problems = []
    for target in managed_targets(config):
        where = f"$.tables.{target.table}" + (f".indexes.{target.index}" if target.index else "")
        for dimension in DIMENSIONS:
            policy = _merge(config, target, dimension)
            if policy.min_capacity > policy.max_capacity:
                problems.append(
                    f"{where}: min_capacity {policy.min_capacity} > max_capacity "
                    f"{policy.max_capacity} ({dimension})"
                )
            if policy.datapoints_to_alarm > policy.alarm_evaluation_periods:
                problems.append(
                    f"{where}: alarm_datapoints_to_alarm {policy.datapoints_to_alarm} > "
                    f"alarm_evaluation_periods {policy.alarm_evaluation_periods} ({dimension})"
                )
    return problems


def _merge(config: dict[str, Any], target: Target, dimension: Dimension) -> Policy:
    table_entry = config["tables"][target.table]
    levels = [config.get("defaults", {}), table_entry]
    if target.index:
        index_entry = table_entry.get("indexes", {})[target.index]
        levels += [index_entry, index_entry.get(dimension, {})]
    else:
        levels.append(table_entry.get(dimension, {}))
    merged: dict[str, Any] = {}
    for level in levels:
        merged.update({k: v for k, v in level.items() if k in POLICY_FIELDS})
    return Policy.from_dict(merged)


def resolve_policy(config: dict[str, Any], target: Target, dimension: Dimension) -> Policy:
    """The policy for one target and dimension of a validated config; TableNotManaged if it has none."""
    entry = config.get("tables", {}).get(target.table)
    if entry is None:
        raise TableNotManaged(f"table {target.table!r} is not in the ddbflow config")
    if target.index and target.index not in entry.get("indexes", {}):
        raise TableNotManaged(f"index {target.label!r} is not in the ddbflow config")
    return _merge(config, target, dimension)


def managed_targets(config: dict[str, Any]) -> list[Target]:
    """Every table and GSI the config manages, tables first."""
    targets = []
    for table, entry in config.get("tables", {}).items():
        targets.append(Target(table))
        targets.extend(Target(table, index) for index in entry.get("indexes", {}))
    return targets
