"""CloudWatch GetMetricData from an index of moto's datapoints.

moto 5.2.5 answers every MetricStat query by scanning every datapoint ever put, once for the time window
and again for every period of it: with a thousand targets each asking for its own metrics, that is
quadratic (a third of a 300-target scale-down's CPU). Here each query gets only the datapoints that can
match it — the index's list for its metric name and dimensions (or namespace and metric name, for a query
without dimensions), cut to its time window — and moto's own code computes the answer from them: the same
filter, the same datapoints in the same order, so the same values, timestamps and statistics.
"""

import bisect
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend


class TimeIndex:
    """Timestamps of an append-only list of datapoints, extended as it grows; usable for bisection
    while the datapoints arrived in time order (the engine publishes them so)."""

    def __init__(self) -> None:
        self.data: list[Any] | None = None
        self.times: list[datetime] = []
        self.ordered = True

    def between(self, data: list[Any], start: datetime, end: datetime) -> list[Any] | None:
        """The datapoints with start ≤ timestamp ≤ end, or None if the list is not in time order."""
        if data is not self.data or len(data) < len(self.times):
            self.data, self.times, self.ordered = data, [], True
        for datum in data[len(self.times) :]:
            if self.times and datum.timestamp < self.times[-1]:
                self.ordered = False
            self.times.append(datum.timestamp)
        if not self.ordered:
            return None
        return data[bisect.bisect_left(self.times, start) : bisect.bisect_right(self.times, end)]


Key = tuple[Any, ...]


def _dimensions_key(pairs: list[tuple[Any, Any]]) -> tuple[tuple[str, str], ...] | None:
    """The dimensions as a sorted multiset of (name, value); None when one is not a pair of strings
    (moto's Dimension compares a None value as a wildcard: no key can stand for that)."""
    if not all(isinstance(name, str) and isinstance(value, str) for name, value in pairs):
        return None
    return tuple(sorted(pairs))


def query_key(query: dict[str, Any]) -> Key | None:
    """Which list holds every datapoint moto could match to this MetricStat query. With dimensions
    moto keeps a datapoint of the same metric name whose sorted dimensions equal the query's (any
    namespace; equal sorted lists have equal multisets); without, one of the same namespace and name."""
    metric = query["MetricStat"]["Metric"]
    dimensions = metric.get("Dimensions") or []
    if not dimensions:
        return ("namespace", metric.get("Namespace"), metric.get("MetricName"))
    pairs = [(d.get("Name"), d.get("Value")) for d in dimensions]
    key = _dimensions_key(pairs)
    return None if key is None else ("dimensions", metric.get("MetricName"), key)


class MetricIndex:
    """moto's datapoints (a backend's append-only ``metric_data``) by metric name and dimensions and
    by namespace and metric name, caught up with the list at every query: datapoints put at any time
    count, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: list[Any] | None = None
        self._seen = 0
        self._exact = True  # False once a datapoint's dimensions have no key: the index cannot answer
        self._lists: dict[Key, tuple[list[Any], TimeIndex]] = {}

    def candidates(
        self, data: list[Any], queries: list[dict[str, Any]], start: datetime, end: datetime
    ) -> list[list[Any]] | None:
        """For each query, a superset (in moto's order) of the datapoints with start ≤ timestamp ≤ end
        that moto would match to it; None if the index cannot say for some query."""
        keys = [query_key(query) for query in queries]
        with self._lock:
            self._catch_up(data)
            if not self._exact or None in keys:
                return None
            return [self._window(key, start, end) for key in keys]

    def _window(self, key: Key | None, start: datetime, end: datetime) -> list[Any]:
        entry = self._lists.get(key) if key is not None else None
        if entry is None:
            return []
        items, times = entry
        in_window = times.between(items, start, end)
        return list(items) if in_window is None else in_window  # out of time order: moto filters them

    def _catch_up(self, data: list[Any]) -> None:
        if data is not self._data or len(data) < self._seen:  # a new or reset backend
            self._data, self._seen, self._exact, self._lists = data, 0, True, {}
        new = data[self._seen :]
        self._seen += len(new)
        for datum in new:
            key = _dimensions_key([(d.name, d.value) for d in datum.dimensions])
            if key is None:
                self._exact = False
            for list_key in (("dimensions", datum.name, key), ("namespace", datum.namespace, datum.name)):
                self._lists.setdefault(list_key, ([], TimeIndex()))[0].append(datum)


def metric_query_patches() -> list[tuple[Any, str, Any]]:
    """GetMetricData of MetricStat queries answered by moto one query at a time, each over the index's
    candidates for it; a request with metric math or Metrics Insights, or one the index cannot key, is
    moto's own over the datapoints of its time window (found by bisection; all of them whenever they are
    not in time order)."""
    original_query: Callable[..., Any] = CloudWatchBackend.get_metric_data
    original_all: Callable[..., Any] = CloudWatchBackend.get_all_metrics
    asked = threading.local()  # what get_all_metrics returns to the query being answered
    indexes: dict[int, MetricIndex] = {}
    windows: dict[int, TimeIndex] = {}
    lock = threading.Lock()

    def get_metric_data(
        self: CloudWatchBackend, queries: Any, start_time: Any, end_time: Any, *args: Any, **kwargs: Any
    ) -> Any:
        bounds = (start_time.replace(microsecond=0), end_time)
        found = None
        if queries and all("MetricStat" in q and "Expression" not in q for q in queries):
            with lock:
                index = indexes.setdefault(id(self), MetricIndex())
            found = index.candidates(self.metric_data, queries, *bounds)
        try:
            if found is None:
                asked.bounds = bounds
                return original_query(self, queries, start_time, end_time, *args, **kwargs)
            provided = self.aws_metric_data  # computed on every call; moto appends them last
            results = []
            for query, candidates in zip(queries, found, strict=True):
                name = query["MetricStat"]["Metric"].get("MetricName")
                asked.data = candidates + [datum for datum in provided if datum.name == name]
                results += original_query(self, [query], start_time, end_time, *args, **kwargs)
            return results
        finally:
            asked.bounds = asked.data = None

    def get_all_metrics(self: CloudWatchBackend) -> Any:
        if (data := getattr(asked, "data", None)) is not None:
            return data
        if (bounds := getattr(asked, "bounds", None)) is None:
            return original_all(self)
        with lock:
            in_window = windows.setdefault(id(self), TimeIndex()).between(self.metric_data, *bounds)
        return original_all(self) if in_window is None else in_window + self.aws_metric_data

    return [
        (CloudWatchBackend, "get_metric_data", get_metric_data),
        (CloudWatchBackend, "get_all_metrics", get_all_metrics),
    ]
