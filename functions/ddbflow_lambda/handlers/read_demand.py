"""Read Demand: peak per-second demand (consumed + throttled) of a table or GSI, read and write, over
the look-back window, and how each peak fades as the look-back's oldest minutes leave it (``fading``:
[minutes from now, peak from then on] pairs, for Plan Scale-Down's wait for a passing spike)."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import metric_periods, parse_time
from ..core.scale_down import MINUTE, dimension_policies, look_back_demand
from ..core.target import Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    target, end = Target.from_dict(event["target"]), parse_time(event["now"])
    demand: dict[str, Any] = {"fading": {}}
    for dimension, policy in dimension_policies(event["policies"]).items():
        start = end - timedelta(minutes=policy.look_back_minutes)
        periods = metric_periods(target, dimension, MINUTE, start, end)
        # GetMetricData's periods count from the start in whole seconds; the oldest is minute 0
        first = start.replace(microsecond=0)
        by_minute = {
            max(0, int((at - first).total_seconds()) // MINUTE): sums for at, sums in periods.items()
        }
        demand[dimension], demand["fading"][dimension] = look_back_demand(by_minute, policy)
    return demand
