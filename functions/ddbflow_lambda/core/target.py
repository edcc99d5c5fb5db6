"""A scalable target: a table or one of its global secondary indexes, read or write.

Tables and GSIs go through this one type so no code path exists twice.
"""

from dataclasses import dataclass
from typing import Any, Literal

Dimension = Literal["read", "write"]
DIMENSIONS: tuple[Dimension, ...] = ("read", "write")

CAPACITY_FIELD: dict[Dimension, str] = {"read": "ReadCapacityUnits", "write": "WriteCapacityUnits"}
CONSUMED_METRIC: dict[Dimension, str] = {
    "read": "ConsumedReadCapacityUnits",
    "write": "ConsumedWriteCapacityUnits",
}
THROTTLE_METRIC: dict[Dimension, str] = {"read": "ReadThrottleEvents", "write": "WriteThrottleEvents"}
UNIT_LABEL: dict[Dimension, str] = {"read": "RCU", "write": "WCU"}
OTHER_DIMENSION: dict[Dimension, Dimension] = {"read": "write", "write": "read"}


@dataclass(frozen=True)
class Target:
    table: str
    index: str | None = None

    @property
    def label(self) -> str:
        return f"{self.table}/{self.index}" if self.index else self.table

    def metric_dimensions(self) -> list[dict[str, str]]:
        """CloudWatch dimensions of this target's AWS/DynamoDB metrics."""
        dims = [{"Name": "TableName", "Value": self.table}]
        if self.index:
            dims.append({"Name": "GlobalSecondaryIndexName", "Value": self.index})
        return dims

    def metric_query(self, query_id: str, metric: str, period: int) -> dict[str, Any]:
        """A GetMetricData query for the per-period Sum of one of this target's AWS/DynamoDB metrics."""
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/DynamoDB",
                    "MetricName": metric,
                    "Dimensions": self.metric_dimensions(),
                },
                "Period": period,
                "Stat": "Sum",
            },
        }

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "index": self.index}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Target":
        return cls(table=data["table"], index=data.get("index"))
