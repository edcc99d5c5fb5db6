"""A table's (or GSI's) one-minute CloudWatch metrics, read with boto3: consumed read and write capacity
and throttle events (Sum per minute), as per-minute demand in units per second; and what DescribeTable
says about its billing mode and replicas."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ddbflow_lambda.core.target import CONSUMED_METRIC, DIMENSIONS, THROTTLE_METRIC, Dimension, Target

ONE_MINUTE_RETENTION_DAYS = 15  # CloudWatch keeps one-minute datapoints for 15 days
MAX_DATAPOINTS = 100_800  # per GetMetricData call


class AdviceInputError(ValueError):
    """The input cannot be advised on; the message says why."""


@dataclass(frozen=True)
class TableMetrics:
    target: Target
    start: datetime
    minutes: int
    demand: dict[Dimension, tuple[float, ...]]  # units per second wanted, per minute (consumed + throttled)
    throttled: dict[Dimension, float]  # throttle events over the window
    first_datapoint: datetime | None
    billing_mode: str  # "provisioned" | "on-demand"
    replicas: int  # global table replicas besides this one


def describe(dynamodb: Any, target: Target) -> tuple[str, int]:
    """(billing mode, replica count) of the table; a missing table or index is an AdviceInputError."""
    try:
        table = dynamodb.describe_table(TableName=target.table)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        raise AdviceInputError(f"table {target.table!r} does not exist") from None
    if target.index and target.index not in {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}:
        raise AdviceInputError(f"table {target.table!r} has no global secondary index {target.index!r}")
    mode = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    return ("on-demand" if mode == "PAY_PER_REQUEST" else "provisioned"), len(table.get("Replicas", []))


def _queries(target: Target) -> list[dict[str, Any]]:
    return [
        target.metric_query(f"{d}_{kind}", names[d], 60)
        for d in DIMENSIONS
        for kind, names in (("consumed", CONSUMED_METRIC), ("throttled", THROTTLE_METRIC))
    ]


def read_metrics(cloudwatch: Any, dynamodb: Any, target: Target, end: datetime, days: float) -> TableMetrics:
    """The last ``days`` before ``end`` (whole minutes), every minute without a datapoint idle."""
    if days <= 0 or days > ONE_MINUTE_RETENTION_DAYS:
        raise AdviceInputError(
            f"--days {days:g}: CloudWatch keeps one-minute data for {ONE_MINUTE_RETENTION_DAYS} days; "
            f"ask for 1 to {ONE_MINUTE_RETENTION_DAYS}"
        )
    billing_mode, replicas = describe(dynamodb, target)
    end = end.replace(second=0, microsecond=0)
    minutes = round(days * 1440)
    start = end - timedelta(minutes=minutes)
    sums: dict[str, dict[int, float]] = {q["Id"]: {} for q in _queries(target)}
    pages = cloudwatch.get_paginator("get_metric_data").paginate(
        MetricDataQueries=_queries(target), StartTime=start, EndTime=end, ScanBy="TimestampAscending"
    )
    for page in pages:
        for result in page["MetricDataResults"]:
            for stamp, value in zip(result["Timestamps"], result["Values"], strict=True):
                minute = int((stamp - start).total_seconds() // 60)
                if 0 <= minute < minutes:
                    sums[result["Id"]][minute] = sums[result["Id"]].get(minute, 0.0) + float(value)
    seen = [m for series in sums.values() for m in series]
    first = start + timedelta(minutes=min(seen)) if seen else None
    demand = {
        d: tuple(
            (sums[f"{d}_consumed"].get(m, 0.0) + sums[f"{d}_throttled"].get(m, 0.0)) / 60
            for m in range(minutes)
        )
        for d in DIMENSIONS
    }
    throttled = {d: sum(sums[f"{d}_throttled"].values()) for d in DIMENSIONS}
    return TableMetrics(target, start, minutes, demand, throttled, first, billing_mode, replicas)


def check_coverage(metrics: TableMetrics, days: float, tolerance: float = 0.05) -> None:
    """A table with fewer days of metrics than asked is a clear message, not advice on a shorter
    window passed off as the longer one."""
    label = metrics.target.label
    if metrics.first_datapoint is None:
        raise AdviceInputError(f"{label} has no consumed-capacity metrics in the last {days:g} days")
    end = metrics.start + timedelta(minutes=metrics.minutes)
    covered = (end - metrics.first_datapoint).total_seconds() / 86400
    if covered < days * (1 - tolerance):
        raise AdviceInputError(
            f"{label} has metrics for {covered:.3g} days "
            f"(since {metrics.first_datapoint:%Y-%m-%d %H:%M} UTC), "
            f"fewer than the {days:g} asked: run again with --days {covered:.3g} or later "
            "(and read advice on fewer than 7 days with care)"
        )
