"""Read Demand: peak per-second demand (consumed + throttled) of a table or GSI, read and write, over
the look-back window."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import metric_sums, parse_time
from ..core.capacity import measure_demand
from ..core.scale_down import dimension_policies
from ..core.target import Target
from ..observability import logger

PERIOD = 60  # DynamoDB publishes one-minute Sums


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    target, end = Target.from_dict(event["target"]), parse_time(event["now"])
    peaks: dict[str, float] = {}
    for dimension, policy in dimension_policies(event["policies"]).items():
        start = end - timedelta(minutes=policy.look_back_minutes)
        consumed, throttled = metric_sums(target, dimension, PERIOD, start, end)
        peaks[dimension] = round(
            measure_demand(consumed, throttled, PERIOD, policy.throttled_request_units).per_second, 3
        )
    return peaks
