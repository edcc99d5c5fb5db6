"""EventBridge schedule rules, which moto stores but never fires: each `rate(...)` rule from template.yaml
starts its targets with the "Scheduled Event" AWS sends, once per period of engine time."""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ddbflow_lambda.core.naming import execution_name

_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int:
    """`rate(15 minutes)` → 900. Cron expressions are not modelled: they raise, not silently never fire."""
    match = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression.strip())
    if not match:
        raise ValueError(f"unsupported schedule expression {expression!r}: only rate(N unit) is modelled")
    value, unit, plural = int(match.group(1)), match.group(2), expression.strip().endswith("s)")
    if value < 1 or (value == 1) == plural:
        raise ValueError(f"{expression!r}: AWS accepts rate(1 minute) and rate(N minutes), N > 1")
    return value * _UNIT_SECONDS[unit]


def scheduled_event(rule_arn: str, at: datetime, region: str, account: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


@dataclass
class _Rule:
    name: str
    arn: str
    period: timedelta
    next_fire: datetime


class Scheduler:
    """Fires the schedule rules found in EventBridge (the first time one period after the scheduler
    starts, as AWS does after a rule is created), each due time exactly once."""

    def __init__(
        self,
        events: Any,
        start: Callable[[str, str, Any], str],
        now: datetime,
        region: str,
        account: str,
    ) -> None:
        self.events, self.start, self.region, self.account = events, start, region, account
        self.rules = [
            _Rule(rule["Name"], rule["Arn"], period, now + period)
            for rule in events.list_rules()["Rules"]
            if "ScheduleExpression" in rule and rule.get("State") == "ENABLED"
            for period in [timedelta(seconds=rate_seconds(rule["ScheduleExpression"]))]
        ]

    def fire_due(self, now: datetime) -> list[str]:
        """Start every target of every rule due by ``now``; return the executions started."""
        started = []
        for rule in self.rules:
            while rule.next_fire <= now:
                event = scheduled_event(rule.arn, rule.next_fire, self.region, self.account)
                for target in self.events.list_targets_by_rule(Rule=rule.name)["Targets"]:
                    name = execution_name(rule.name, event["time"])
                    started.append(self.start(target["Arn"], name, event))
                rule.next_fire += rule.period
        return started
