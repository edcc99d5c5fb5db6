"""`ddbflow validate`: a config checked against the schema and against template.yaml — what the deployed
permissions and tables will actually allow."""

import json
from pathlib import Path
from typing import Any

from ddbflow_lambda.core.config import validate_config
from ddbflow_lambda.core.errors import InvalidConfig

from .engine.template import Template


def config_problems(config_file: Path, template: Template, prefix: str | None = None) -> list[str]:
    try:
        config: Any = json.loads(config_file.read_text())
        validate_config(config)
    except ValueError as exc:
        return [f"{config_file} is not valid JSON: {exc}"]
    except InvalidConfig as exc:
        return str(exc).split("; ")
    if prefix is None:
        prefix = str(template.parameters.get("ManagedTableNamePrefix", {}).get("Default", ""))
    own = set(template.of_type("AWS::DynamoDB::Table"))
    problems = []
    for table in config.get("tables", {}):
        if not table.startswith(prefix):
            problems.append(
                f"$.tables.{table}: not covered by ManagedTableNamePrefix {prefix!r}; the functions may not "
                "describe or update it"
            )
        if table in own:
            problems.append(f"$.tables.{table}: a table of ddbflow itself (on-demand), nothing to scale")
    cache = template.properties("CacheTable")
    ttl_attribute = cache.get("TimeToLiveSpecification", {}).get("AttributeName")
    env_attribute = template.globals_environment().get("CACHE_TTL_ATTRIBUTE")
    if config.get("caches") and ttl_attribute != env_attribute:
        problems.append(
            f"template.yaml: CacheTable TTL attribute {ttl_attribute!r} differs from CACHE_TTL_ATTRIBUTE "
            f"{env_attribute!r}; DynamoDB would never expire what the functions write"
        )
    return problems
