"""Update Table: set the planned throughput on the table or index (nothing in dry run). Shared by the
scale-up and scale-down machines. Safe to retry: when the capacity is already what we ask for (our own
earlier attempt landed although its answer was lost, e.g. a Lambda timeout), the update counts as applied."""

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, named_aws_errors, parse_time
from ..core.errors import AwsError
from ..core.table import update_request
from ..core.target import Target
from ..observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event["dry_run"]:
        return {"applied": False, "dry_run": True}
    request = update_request(Target.from_dict(event["target"]), event["throughput"])
    deadline = parse_time(event["now"]) + timedelta(seconds=int(event["deadline_seconds"]))
    try:
        with named_aws_errors():
            client("dynamodb").update_table(**request)
    except AwsError as exc:
        if not _already_in_place(exc):
            raise
        logger.info("capacity already in place", extra={"request": request, "error": str(exc)})
        return {"applied": True, "dry_run": False, "already": True, "deadline": deadline.isoformat()}
    metrics.add_metric(name="TableUpdated", unit=MetricUnit.Count, value=1)
    logger.info("table updated", extra={"request": request})
    return {"applied": True, "dry_run": False, "deadline": deadline.isoformat()}


def _already_in_place(exc: AwsError) -> bool:
    """DynamoDB refuses an update to the current throughput with this ValidationException."""
    return type(exc).__name__ == "ValidationException" and "will not change" in str(exc)
