"""Update Table: set the planned capacity on the table or index (nothing in dry run)."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, named_aws_errors, parse_time
from ..core.config import Policy
from ..core.table import update_request
from ..core.target import Target
from ..observability import logger, metrics
from ..tracing import tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    alarm, plan, policy = event["alarm"], event["plan"], Policy.from_dict(event["policy"])
    if policy.dry_run:
        return {"applied": False, "dry_run": True}
    request = update_request(Target.from_dict(alarm), event["table"], alarm["dimension"], int(plan["new"]))
    with named_aws_errors():
        client("dynamodb").update_table(**request)
    metrics.add_metric(name="CapacityIncreased", unit=MetricUnit.Count, value=1)
    deadline = parse_time(event["now"]) + timedelta(seconds=policy.update_deadline_seconds)
    logger.info("table updated", extra={"request": request})
    return {"applied": True, "dry_run": False, "deadline": deadline.isoformat()}
