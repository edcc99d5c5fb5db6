"""Read Demand: peak per-second demand (consumed + throttled) of a table or GSI, read and write, over
the look-back window, and how each peak fades as the look-back's oldest minutes leave it (``fading``:
[minutes from now, peak from then on] pairs, for Plan Scale-Down's wait for a passing spike); for a
look-back without requests, the peak of the same minutes yesterday (``yesterday``: an outage or idle?)."""

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import metric_minutes, parse_time
from ..core.config import Policy
from ..core.scale_down import YESTERDAY, Fading, dimension_policies, look_back_demand
from ..core.target import Dimension, Target
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    target, end = Target.from_dict(event["target"]), parse_time(event["now"])
    demand: dict[str, Any] = {"fading": {}, "yesterday": {}}
    for dimension, policy in dimension_policies(event["policies"]).items():
        start = end - timedelta(minutes=policy.look_back_minutes)
        demand[dimension], demand["fading"][dimension] = _look_back(target, dimension, policy, start, end)
        if demand[dimension] == 0:  # no requests: was there traffic in the same minutes yesterday?
            demand["yesterday"][dimension], _ = _look_back(
                target, dimension, policy, start - YESTERDAY, end - YESTERDAY
            )
    return demand


def _look_back(
    target: Target, dimension: Dimension, policy: Policy, start: datetime, end: datetime
) -> tuple[float, Fading]:
    return look_back_demand(metric_minutes(target, dimension, start, end), policy)
