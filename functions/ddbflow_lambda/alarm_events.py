"""Turn every shape an alarm really arrives in into one AlarmSignal, or a named error.

Shapes: EventBridge "CloudWatch Alarm State Change"; SNS-wrapped CloudWatch alarm JSON (its ``Region`` is a
display name such as "Asia Pacific - Tokyo"); a manual ``{"table", "index"?, "dimension"}`` request.
"""

import json
import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, SNSEvent
from aws_lambda_powertools.utilities.data_classes.cloud_watch_alarm_event import CloudWatchAlarmData
from botocore.loaders import Loader

from .core.alarms import ALARM_KINDS, CONSUMED_KINDS, alarm_kind
from .core.errors import ForeignAlarm, MalformedEvent, UnsupportedMetric
from .core.target import CONSUMED_METRIC, DIMENSIONS, THROTTLE_METRIC, UNIT_LABEL, Dimension, Target

ALARM_STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
# The scale-up alarms: consumed capacity above target, and throttle events (core.alarms).
METRIC_DIMENSION: dict[str, Dimension] = {
    metric: dim for metrics in (CONSUMED_METRIC, THROTTLE_METRIC) for dim, metric in metrics.items()
}
TABLE_NAME = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")


@dataclass(frozen=True)
class AlarmSignal:
    table: str
    index: str | None
    dimension: Dimension
    state: str
    alarm_name: str
    changed_at: str
    source: str
    region: str | None
    account: str | None
    # which rule fired: "utilization", "burst", "throttle" (scale-up), "low" (scale-down) or "manual"
    trigger: str

    @property
    def target(self) -> Target:
        return Target(self.table, self.index)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"label": f"{self.target.label} {UNIT_LABEL[self.dimension]}"}


def parse_alarm_event(event: Any, received_at: str) -> AlarmSignal:
    if not isinstance(event, dict):
        raise MalformedEvent(f"expected a JSON object, got {type(event).__name__}")
    if event.get("detail-type") == "CloudWatch Alarm State Change":
        return _from_eventbridge(EventBridgeEvent(event))
    if isinstance(event.get("Records"), list):
        return _from_sns(SNSEvent(event))
    if "table" in event or "dimension" in event:
        return _from_manual(event, received_at)
    if "source" in event or "detail-type" in event:
        raise MalformedEvent(
            f"unsupported event: source={event.get('source')!r} detail-type={event.get('detail-type')!r}"
        )
    raise MalformedEvent(
        "not an alarm event: expected an EventBridge alarm state change, an SNS alarm notification "
        "or {table, index?, dimension}"
    )


def check_home(signal: AlarmSignal, region: str, account: str) -> None:
    """Reject alarms from another region or account: we could only scale the wrong table."""
    if signal.region and signal.region != region:
        raise ForeignAlarm(f"alarm {signal.alarm_name!r} is in region {signal.region}, not {region}")
    if signal.account and signal.account != account:
        raise ForeignAlarm(f"alarm {signal.alarm_name!r} is in account {signal.account}, not {account}")


def _from_eventbridge(event: EventBridgeEvent) -> AlarmSignal:
    try:
        alarm = CloudWatchAlarmData(event.detail)
        if alarm.configuration.get("alarmRule") is not None:
            raise UnsupportedMetric(
                f"{alarm.alarm_name!r} is a composite alarm; ddbflow scales on metric alarms"
            )
        stats = [m.metric_stat for m in alarm.configuration.metrics if m.get("metricStat")]
        if len(stats) != 1:
            raise UnsupportedMetric(f"{alarm.alarm_name!r} has {len(stats)} metrics; expected exactly one")
        metric = stats[0].metric
        return _signal(
            namespace=metric.get("namespace"),
            metric_name=metric.get("name"),
            dimensions=metric.get("dimensions") or {},
            state=alarm.state.value,
            alarm_name=alarm.alarm_name,
            changed_at=alarm.state.timestamp,
            source="eventbridge",
            region=event.region,
            account=event.account,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise MalformedEvent(f"EventBridge alarm event is missing or mistypes {exc}") from None


def _from_sns(event: SNSEvent) -> AlarmSignal:
    records = list(event.records)
    if len(records) != 1:
        raise MalformedEvent(f"expected one SNS record, got {len(records)}")
    try:
        message = json.loads(records[0].sns.message)
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedEvent(f"SNS message is not CloudWatch alarm JSON: {exc}") from None
    if not isinstance(message, dict):
        raise MalformedEvent("SNS message is not a JSON object")
    try:
        trigger = message["Trigger"]
        if not isinstance(trigger, dict) or "MetricName" not in trigger:
            raise UnsupportedMetric(
                f"{message.get('AlarmName')!r} has no single-metric Trigger (composite or metric math)"
            )
        arn_region = str(message.get("AlarmArn", "")).split(":")[3:4]
        return _signal(
            namespace=trigger.get("Namespace"),
            metric_name=trigger["MetricName"],
            dimensions={d["name"]: d["value"] for d in trigger.get("Dimensions", [])},
            state=message["NewStateValue"],
            alarm_name=message["AlarmName"],
            changed_at=message["StateChangeTime"],
            source="sns",
            region=arn_region[0] if arn_region else region_code(message.get("Region", "")),
            account=message.get("AWSAccountId"),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise MalformedEvent(f"SNS alarm message is missing or mistypes {exc}") from None


MANUAL_FIELDS = {"table", "index", "dimension"}


def _from_manual(event: dict[str, Any], received_at: str) -> AlarmSignal:
    if unknown := set(event) - MANUAL_FIELDS:
        raise MalformedEvent(
            f"a manual request has only table, index and dimension; unknown: {', '.join(sorted(unknown))}"
        )
    dimension = event.get("dimension")
    if dimension not in DIMENSIONS:
        raise MalformedEvent(f"dimension must be 'read' or 'write', got {dimension!r}")
    table = _checked_name("table", event.get("table"))
    index = _checked_name("index", event["index"]) if event.get("index") is not None else None
    return AlarmSignal(
        table=table,
        index=index,
        dimension=dimension,
        state="ALARM",
        alarm_name="manual",
        changed_at=received_at,
        source="manual",
        region=None,
        account=None,
        trigger="manual",
    )


def _signal(
    *, namespace: Any, metric_name: Any, dimensions: dict[str, Any], state: Any, **rest: Any
) -> AlarmSignal:
    if namespace != "AWS/DynamoDB" or metric_name not in METRIC_DIMENSION:
        raise UnsupportedMetric(
            f"alarm watches {namespace}/{metric_name}; ddbflow scales on "
            f"AWS/DynamoDB {' or '.join(METRIC_DIMENSION)}"
        )
    if state not in ALARM_STATES:
        raise MalformedEvent(f"alarm state {state!r} is not one of {', '.join(ALARM_STATES)}")
    table = _checked_name("TableName dimension", dimensions.get("TableName"))
    index = dimensions.get("GlobalSecondaryIndexName")
    if index is not None:
        index = _checked_name("GlobalSecondaryIndexName dimension", index)
    kind = alarm_kind(str(rest.get("alarm_name", "")))
    if metric_name in THROTTLE_METRIC.values():
        trigger = "throttle"
    else:  # the consumed metric: its ddbflow alarm's name says which rule (core.alarms)
        trigger = ALARM_KINDS[kind] if kind in CONSUMED_KINDS else "utilization"
    return AlarmSignal(
        table=table,
        index=index,
        dimension=METRIC_DIMENSION[metric_name],
        state=state,
        trigger=trigger,
        **rest,
    )


def _checked_name(what: str, value: Any) -> str:
    if not isinstance(value, str) or not TABLE_NAME.match(value):
        raise MalformedEvent(f"{what} must be a DynamoDB name (3-255 of a-z A-Z 0-9 _ . -), got {value!r}")
    return value


def region_code(display_name: str) -> str | None:
    """'Asia Pacific - Tokyo' or 'Asia Pacific (Tokyo)' → 'ap-northeast-1', from botocore's region list."""
    # CloudWatch once wrote "EU (Ireland)" where botocore now says "Europe (Ireland)".
    return _region_codes().get(_squash(re.sub(r"^EU\b", "Europe", display_name.strip())))


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@cache
def _region_codes() -> dict[str, str]:
    endpoints = Loader().load_data("endpoints")
    return {
        _squash(region["description"]): code
        for partition in endpoints["partitions"]
        for code, region in partition["regions"].items()
    }
