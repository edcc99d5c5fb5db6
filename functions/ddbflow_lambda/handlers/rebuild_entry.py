"""Rebuild Entry: the fresh value of an expired cache entry, from the builder its key prefix names."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws import load_config
from ..cache.builders import BUILDERS
from ..core.cache import cache_settings
from ..observability import logger
from ..tracing import tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    key = event["entry"]["key"]
    _, rest, settings = cache_settings(load_config(), key)
    value = BUILDERS[settings["builder"]](rest, settings.get("options", {}))
    return {"value": value, "settings": settings}
