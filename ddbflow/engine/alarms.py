"""Alarm evaluation, which moto never does: apply CloudWatch's rules to each metric alarm's datapoints,
set the new state in moto's CloudWatch, and hand the "CloudWatch Alarm State Change" event that AWS
would put on the default event bus.

The datapoints are the ones the engine published (as DynamoDB does on AWS), kept in a MetricStore, and
any others put into moto's CloudWatch (the AWS CLI against `ddbflow serve`); the engine's reach moto in
batches before any execution can read them with GetMetricData. Alarm definitions are read from moto once
and again only after an alarm was put or deleted, states straight from moto's model: a simulated minute
costs no CloudWatch round trip unless a handler puts an alarm."""

import bisect
import json
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from .alarm_rules import EXTRA_DATAPOINTS, evaluate_range
from .clock import VirtualClock
from .moto_hooks import alarm_states, set_alarm_state

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]  # namespace, metric name, sorted dimensions

STATISTICS: dict[str, Callable[[Sequence[float]], float]] = {
    "Sum": sum,
    "Average": lambda values: sum(values) / len(values),
    "Minimum": min,
    "Maximum": max,
    "SampleCount": len,
}


def series_key(namespace: str, metric: str, dimensions: list[dict[str, str]]) -> SeriesKey:
    return namespace, metric, tuple(sorted((d["Name"], d["Value"]) for d in dimensions))


class MetricStore:
    """Every datapoint the engine published, by series and time; and those moto has not received yet."""

    def __init__(self) -> None:
        self._series: dict[SeriesKey, tuple[list[datetime], list[float]]] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def add(self, namespace: str, datum: dict[str, Any]) -> None:
        """One PutMetricData MetricData entry with a single Value and a Timestamp, published by the
        engine: kept, and sent to CloudWatch with the next batch."""
        dimensions = datum.get("Dimensions", [])
        self.record(namespace, datum["MetricName"], dimensions, datum["Timestamp"], datum["Value"])
        with self._lock:
            self._pending.setdefault(namespace, []).append(datum)

    def record(
        self, namespace: str, metric: str, dimensions: list[dict[str, str]], at: datetime, value: float
    ) -> None:
        """A datapoint CloudWatch already has (someone else put it there): kept for alarm evaluation."""
        with self._lock:
            times, values = self._series.setdefault(series_key(namespace, metric, dimensions), ([], []))
            index = bisect.bisect_right(times, at)
            times.insert(index, at)
            values.insert(index, float(value))

    def points(self, key: SeriesKey, start: datetime, end: datetime) -> list[tuple[datetime, float]]:
        """(timestamp, value) of the datapoints of a series with start ≤ timestamp < end, oldest first."""
        times, values = self._series.get(key, ([], []))
        first, last = bisect.bisect_left(times, start), bisect.bisect_left(times, end)
        return list(zip(times[first:last], values[first:last], strict=True))

    def drain(self) -> dict[str, list[dict[str, Any]]]:
        """The datapoints not yet sent to CloudWatch, by namespace; they count as sent from now on."""
        with self._lock:
            pending, self._pending = self._pending, {}
        return pending


class AlarmEvaluator:
    def __init__(
        self, clock: VirtualClock, cloudwatch: Any, region: str, account: str, metrics: MetricStore
    ) -> None:
        self.clock, self.cloudwatch, self.region, self.account = clock, cloudwatch, region, account
        self.metrics = metrics
        self._alarms: list[dict[str, Any]] | None = None
        self._generation = 0  # bumped by every alarm change in moto

    def alarms_changed(self) -> None:
        self._generation += 1
        self._alarms = None

    def alarms(self) -> list[dict[str, Any]]:
        """Every metric alarm as DescribeAlarms shows it: the definitions read again only after an alarm
        was put or deleted, the state live from moto's model (so a state change, the evaluator's own or
        a handler's SetAlarmState, costs no re-read)."""
        alarms, generation = self._alarms, self._generation
        if alarms is None:
            alarms = [
                alarm
                for page in self.cloudwatch.get_paginator("describe_alarms").paginate(
                    AlarmTypes=["MetricAlarm"]
                )
                for alarm in page["MetricAlarms"]
            ]
            if generation == self._generation:
                self._alarms = alarms
        states = alarm_states(self.account, self.region)
        return [
            alarm | dict(zip(("StateValue", "StateReason"), states[alarm["AlarmName"]], strict=True))
            for alarm in alarms
            if alarm["AlarmName"] in states
        ]

    def evaluate(self) -> list[dict[str, Any]]:
        """Evaluate every metric alarm once at the current engine time; return the state-change events."""
        return [event for alarm in self.alarms() if (event := self._evaluate(alarm))]

    def datapoints(self, alarm: dict[str, Any]) -> tuple[datetime, list[float | None]]:
        """Start of the evaluation range (EvaluationPeriods + EXTRA_DATAPOINTS periods, as CloudWatch
        retrieves them) and the alarm's statistic per period in it (None = missing), oldest first, as
        GetMetricStatistics would give them."""
        period, count = alarm["Period"], alarm["EvaluationPeriods"] + EXTRA_DATAPOINTS
        end = floor_to_period(self.clock.now(), period)
        start = end - timedelta(seconds=period * count)
        statistic = STATISTICS[alarm.get("Statistic", "Sum")]
        key = series_key(alarm["Namespace"], alarm["MetricName"], alarm.get("Dimensions", []))
        # One pass over the range's datapoints, each into its period (not a search per period).
        slots: list[list[float]] = [[] for _ in range(count)]
        for at, value in self.metrics.points(key, start, end):
            slots[int((at - start).total_seconds()) // period].append(value)
        return start, [float(statistic(slot)) if slot else None for slot in slots]

    def _evaluate(self, alarm: dict[str, Any]) -> dict[str, Any] | None:
        period = alarm["Period"]
        stat = alarm.get("Statistic", "Sum")
        start, values = self.datapoints(alarm)
        count = alarm["EvaluationPeriods"]
        new_state = evaluate_range(
            values,
            count,
            alarm.get("DatapointsToAlarm") or count,
            alarm["Threshold"],
            alarm["ComparisonOperator"],
            alarm.get("TreatMissingData", "missing"),
            alarm["StateValue"],
        )
        if new_state == alarm["StateValue"]:
            return None
        recent = [v for v in values if v is not None]
        reason = (
            f"Threshold Crossed: {len(recent)} datapoint(s) {recent} evaluated against threshold "
            f"{alarm['Threshold']} ({alarm['ComparisonOperator']}) → {new_state}"
        )
        reason_data = {
            "version": "1.0",
            "queryDate": self.clock.now().isoformat(),
            "startDate": start.isoformat(),
            "statistic": stat,
            "period": period,
            "recentDatapoints": recent,
            "threshold": alarm["Threshold"],
        }
        set_alarm_state(
            self.account, self.region, alarm["AlarmName"], new_state, reason[:1023], json.dumps(reason_data)
        )
        return self._state_change_event(alarm, new_state, reason, reason_data)

    def _state_change_event(
        self, alarm: dict[str, Any], state: str, reason: str, reason_data: dict[str, Any]
    ) -> dict[str, Any]:
        now = self.clock.now()
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": state,
                    "reason": reason,
                    "reasonData": json.dumps(reason_data),
                    "timestamp": stamp,
                },
                "previousState": {
                    "value": alarm["StateValue"],
                    "reason": alarm.get("StateReason", ""),
                    "timestamp": stamp,
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, alarm["AlarmArn"])),
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": {
                                        d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])
                                    },
                                },
                                "period": alarm["Period"],
                                "stat": alarm.get("Statistic", "Sum"),
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }


def floor_to_period(moment: datetime, period: int) -> datetime:
    seconds = int(moment.timestamp()) // period * period
    return datetime.fromtimestamp(seconds, tz=moment.tzinfo)
