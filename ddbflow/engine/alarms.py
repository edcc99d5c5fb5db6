"""Alarm evaluation, which moto never does: read each metric alarm's datapoints from moto's CloudWatch,
apply CloudWatch's rules, set the new state, and hand the "CloudWatch Alarm State Change" event that
AWS would put on the default event bus."""

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from .alarm_rules import alarm_state
from .clock import VirtualClock


class AlarmEvaluator:
    def __init__(self, clock: VirtualClock, cloudwatch: Any, region: str, account: str) -> None:
        self.clock, self.cloudwatch, self.region, self.account = clock, cloudwatch, region, account

    def evaluate(self) -> list[dict[str, Any]]:
        """Evaluate every metric alarm once at the current engine time; return the state-change events."""
        events = []
        for page in self.cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]):
            for alarm in page["MetricAlarms"]:
                event = self._evaluate(alarm)
                if event:
                    events.append(event)
        return events

    def _evaluate(self, alarm: dict[str, Any]) -> dict[str, Any] | None:
        period, count = alarm["Period"], alarm["EvaluationPeriods"]
        end = _floor(self.clock.now(), period)
        start = end - timedelta(seconds=period * count)
        stat = alarm.get("Statistic", "Sum")
        points = self.cloudwatch.get_metric_statistics(
            Namespace=alarm["Namespace"],
            MetricName=alarm["MetricName"],
            Dimensions=alarm.get("Dimensions", []),
            StartTime=start,
            EndTime=end,
            Period=period,
            Statistics=[stat],
        )["Datapoints"]
        # moto starts its buckets at the first datapoint, not at period boundaries as CloudWatch does:
        # datapoints published off the minute (the AWS CLI, `ddbflow serve`) land in the slot they fall in.
        by_time = {_floor(p["Timestamp"], period): p[stat] for p in points}
        slots = [start + timedelta(seconds=period * i) for i in range(count)]
        values = [by_time.get(slot) for slot in slots]
        new_state = alarm_state(
            values,
            alarm["Threshold"],
            alarm["ComparisonOperator"],
            alarm.get("DatapointsToAlarm") or count,
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
        self.cloudwatch.set_alarm_state(
            AlarmName=alarm["AlarmName"],
            StateValue=new_state,
            StateReason=reason[:1023],
            StateReasonData=json.dumps(reason_data),
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


def _floor(moment: datetime, period: int) -> datetime:
    seconds = int(moment.timestamp()) // period * period
    return datetime.fromtimestamp(seconds, tz=moment.tzinfo)
