"""Summarize Decisions: read the Distributed Map's result files (one entry per child execution, as
ResultWriter writes them) and return the check's short output: outcomes counted, the largest savings,
every failure, and where the per-target decisions are."""

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import client, named_aws_errors
from ..core.scale_down_summary import map_run_outcomes, summarize
from ..observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    results = event["results"]  # the Map's ResultWriterDetails: {Bucket, Key of manifest.json}
    bucket = results["Bucket"]

    def read_json(key: str) -> Any:
        with named_aws_errors():
            return json.loads(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())

    summary = summarize(*map_run_outcomes(read_json(results["Key"]), read_json))
    logger.info(summary["summary"], extra={"outcomes": summary["outcomes"]})
    return summary | {"decisions": {"bucket": bucket, "manifest": results["Key"]}}
