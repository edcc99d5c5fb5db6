"""GetMetricData from the engine's index (ddbflow.engine.metric_index) answers exactly as moto's own
full scan: same values, timestamps, order and statistics, also for datapoints put after the index was
first used, and while other threads put and query at the same time."""

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws
from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends

from ddbflow.engine.metric_index import metric_query_patches

START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
REGION = "ap-northeast-1"
ACCOUNT = "123456789012"
# moto's own answer: the methods as moto defines them, taken before any patch
MOTO_GET_METRIC_DATA = CloudWatchBackend.get_metric_data
MOTO_GET_ALL_METRICS = CloudWatchBackend.get_all_metrics

TABLE = [{"Name": "TableName", "Value": "orders"}]
GSI = [{"Name": "TableName", "Value": "orders"}, {"Name": "GlobalSecondaryIndexName", "Value": "by-day"}]
GSI_REVERSED = list(reversed(GSI))
OTHER = [{"Name": "TableName", "Value": "sessions"}]


@contextmanager
def indexed_cloudwatch() -> Iterator[tuple[Any, CloudWatchBackend]]:
    with mock_aws(), ExitStack() as stack:
        for target, attribute, replacement in metric_query_patches():
            stack.enter_context(mock.patch.object(target, attribute, replacement))
        client = boto3.client("cloudwatch", region_name=REGION)
        yield client, cloudwatch_backends[ACCOUNT][REGION]


def put(client: Any, minutes: range, *, offset: float = 0.0) -> None:
    """Datapoints of every shape PutMetricData takes, in two namespaces, with and without a unit."""
    for minute in minutes:
        at = START + timedelta(minutes=minute, seconds=minute % 7)
        data = [
            {"MetricName": "ConsumedReadCapacityUnits", "Dimensions": TABLE, "Timestamp": at,
             "Value": minute * 1.1 + offset, "Unit": "Count"},
            {"MetricName": "ConsumedReadCapacityUnits", "Dimensions": GSI if minute % 2 else GSI_REVERSED,
             "Timestamp": at, "Value": 0.1 * minute + offset},
            {"MetricName": "ConsumedReadCapacityUnits", "Dimensions": OTHER, "Timestamp": at,
             "Values": [1.5, 2.25, minute + offset], "Counts": [2, 1, 3]},
            {"MetricName": "ReadThrottleEvents", "Dimensions": TABLE, "Timestamp": at,
             "StatisticValues": {"SampleCount": 3, "Sum": minute + 0.3, "Minimum": 0.1, "Maximum": minute}},
            {"MetricName": "ConsumedReadCapacityUnits", "Timestamp": at, "Value": 3.0 + offset},
        ]  # fmt: skip
        client.put_metric_data(Namespace="AWS/DynamoDB", MetricData=data)
        client.put_metric_data(Namespace="Custom", MetricData=[dict(data[0], Value=7.0 * minute)])


def query(query_id: str, name: str, dimensions: list[dict[str, str]], period: int, stat: str,
          namespace: str = "AWS/DynamoDB", **extra: Any) -> dict[str, Any]:  # fmt: skip
    metric = {"Namespace": namespace, "MetricName": name, "Dimensions": dimensions}
    return {"Id": query_id, "MetricStat": {"Metric": metric, "Period": period, "Stat": stat, **extra}}


QUERIES = [
    [query("t", "ConsumedReadCapacityUnits", TABLE, 60, "Sum")],
    [
        query("g", "ConsumedReadCapacityUnits", GSI, 300, "Average"),
        query("r", "ConsumedReadCapacityUnits", GSI_REVERSED, 60, "Maximum", Unit="Count"),
        dict(query("o", "ConsumedReadCapacityUnits", OTHER, 120, "SampleCount"), Label="other"),
    ],
    [
        query("th", "ReadThrottleEvents", TABLE, 60, "Minimum"),
        dict(query("ts", "ReadThrottleEvents", TABLE, 180, "Sum"), ReturnData=False),
        query("all", "ConsumedReadCapacityUnits", [], 60, "Sum"),
        query("c", "ConsumedReadCapacityUnits", [], 300, "Maximum", namespace="Custom"),
        query("none", "ConsumedWriteCapacityUnits", TABLE, 60, "Sum"),
    ],
]
WINDOWS = [(0, 30), (5, 47), (-10, 200)]


def answers(backend: CloudWatchBackend, method: Any) -> list[Any]:
    start = START.replace(tzinfo=None)  # moto's request parsing hands the backend naive UTC datetimes
    return [
        method(backend, queries, start + timedelta(minutes=a, seconds=13), start + timedelta(minutes=b), scan)
        for queries in QUERIES
        for a, b in WINDOWS
        for scan in ("TimestampAscending", "TimestampDescending")
    ]


def moto_answers(backend: CloudWatchBackend) -> list[Any]:
    with mock.patch.object(CloudWatchBackend, "get_all_metrics", MOTO_GET_ALL_METRICS):
        return answers(backend, MOTO_GET_METRIC_DATA)


def test_indexed_answers_are_motos_own_also_after_more_datapoints() -> None:
    with indexed_cloudwatch() as (client, backend):
        put(client, range(40))
        indexed = answers(backend, CloudWatchBackend.get_metric_data)
        assert indexed == moto_answers(backend)
        assert any(result["values"] for answer in indexed for result in answer)
        # datapoints put after the index was used, one of them for a minute already indexed (out of order)
        put(client, range(40, 60))
        put(client, range(10, 11), offset=100.0)
        assert answers(backend, CloudWatchBackend.get_metric_data) == moto_answers(backend)
        # and through the API, as a handler asks
        result = client.get_metric_data(
            MetricDataQueries=QUERIES[0],
            StartTime=START,
            EndTime=START + timedelta(minutes=60),
            ScanBy="TimestampAscending",
        )["MetricDataResults"][0]
        # moto matches a query with dimensions in every namespace: "Custom" counts too
        assert len(result["Values"]) == 60
        assert result["Values"][10] == sum([10 * 1.1, 70.0, 10 * 1.1 + 100.0, 70.0])


def test_indexed_answers_stay_right_while_threads_put_and_query() -> None:
    with indexed_cloudwatch() as (client, backend):
        put(client, range(5))
        errors: list[BaseException] = []
        clients = [boto3.client("cloudwatch", region_name=REGION) for _ in range(6)]

        def putting(writer: Any, first: int) -> None:
            try:
                put(writer, range(first, first + 15))
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        def querying(reader: Any) -> None:
            try:
                for _ in range(15):
                    answers(backend, CloudWatchBackend.get_metric_data)
                    reader.get_metric_data(
                        MetricDataQueries=QUERIES[1], StartTime=START, EndTime=START + timedelta(minutes=90)
                    )
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=putting, args=(clients[n], 5 + 15 * n)) for n in range(3)]
        threads += [threading.Thread(target=querying, args=(clients[3 + n],)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        # every datapoint counted once: the same answers as moto's scan over all of them
        assert answers(backend, CloudWatchBackend.get_metric_data) == moto_answers(backend)
        sums = client.get_metric_data(
            MetricDataQueries=QUERIES[0], StartTime=START, EndTime=START + timedelta(minutes=60)
        )["MetricDataResults"][0]["Values"]
        assert sorted(sums) == [sum([minute * 1.1, 7.0 * minute]) for minute in range(50)]
