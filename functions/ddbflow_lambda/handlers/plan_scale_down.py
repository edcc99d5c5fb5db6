"""Plan Scale-Down: is a decrease now worth one of the table's or GSI's scarce daily decreases? The
hysteresis counters (consecutive low checks) survive between executions in the control table."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import control_table, named_aws_errors, parse_time
from ..core.control_keys import last_change_key, low_checks_key
from ..core.scale_down import dimension_policies, plan_dimension, plan_target
from ..core.target import Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    target, table, now = Target.from_dict(event["target"]), event["table"], parse_time(event["now"])
    policies = dimension_policies(event["policies"])
    key = low_checks_key(target.table, target.index)
    with named_aws_errors():
        counters = control_table().get_item(Key=key, ConsistentRead=True).get("Item", {})
        stamps = {
            dimension: control_table()
            .get_item(Key=last_change_key({**event["target"], "dimension": dimension}), ConsistentRead=True)
            .get("Item")
            for dimension in policies
        }
    raised_at = {d: parse_time(item["increased_at"]) for d, item in stamps.items() if item}
    yesterday = event["demand"].get("yesterday", {})
    plans = {
        dimension: plan_dimension(
            dimension, int(table[dimension]), float(event["demand"][dimension]), policy,
            int(counters.get(dimension, 0)), now, float(yesterday.get(dimension, 0.0)),
        )
        for dimension, policy in policies.items()
    }  # fmt: skip
    last_decrease = parse_time(table["last_decrease"]) if table.get("last_decrease") else None
    # a check that already waited for a fading peak decides now (Wait For Budget? waits once)
    fading = None if event.get("settled") else event["demand"].get("fading")
    plan = plan_target(
        target.label, plans, policies, int(table["decreases_today"]), last_decrease, now, event.get("cause"),
        raised_at, fading,
    )  # fmt: skip
    with named_aws_errors():
        control_table().put_item(Item=key | plan["low_checks"])
    logger.info(plan["summary"], extra={"plan": plan})
    read = policies["read"]
    return plan | {
        "dry_run": read.dry_run or policies["write"].dry_run,
        "deadline_seconds": read.update_deadline_seconds,
    }
