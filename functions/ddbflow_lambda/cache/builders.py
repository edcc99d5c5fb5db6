"""Rebuild functions: (rest of the cache key, the prefix's options) → the fresh value (plain JSON)."""

import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from ..aws import dynamodb_table, named_aws_errors


def top_products(category: str, options: dict[str, Any]) -> list[dict[str, Any]]:
    """The category's top-N products by sales, from a Query on the products table."""
    table = dynamodb_table(options.get("source_table") or os.environ["PRODUCTS_TABLE"])
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"KeyConditionExpression": Key("category").eq(category)}
    with named_aws_errors():
        while True:
            page = table.query(**query)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    best = sorted(items, key=lambda item: (-item.get("sales", 0), item["product_id"]))[
        : int(options.get("top_n", 5))
    ]
    return [
        {"product_id": item["product_id"], "name": item.get("name"), "price": _number(item.get("price")),
         "sales": _number(item.get("sales"))}
        for item in best
    ]  # fmt: skip


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


BUILDERS: dict[str, Callable[[str, dict[str, Any]], Any]] = {"top_products": top_products}
