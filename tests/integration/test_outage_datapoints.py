"""A minute without requests publishes no datapoint: "DynamoDB only sends metrics to CloudWatch when they
have a non-zero value" (CloudWatch User Guide, DynamoDB metrics). So an outage leaves the consumed-capacity
series empty, a minute with nothing throttled leaves the throttle-events series empty, and an alarm that
treats missing data as not breaching (the low alarm) does not count the outage's minutes as low. The real
replay (the engine) and the fast evaluator both see it so."""

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

from ddbflow.sim.ddbflow_policy import TABLE, DdbflowPolicy
from ddbflow.sim.fast import FastDdbflow
from ddbflow.sim.policy import Minute
from ddbflow_lambda.core.alarms import alarm_name
from ddbflow_lambda.core.target import CONSUMED_METRIC, THROTTLE_METRIC
from helpers import FIXED_START

BOUNDS = (5, 2000)
LOW_ALARM = alarm_name(TABLE, "read", "low")
# 100/s at 120 units is 83 % busy: not low, so only the outage could make the low alarm fire.
BEFORE, OUTAGE, AFTER = [100.0] * 20, [0.0] * 45, [100.0] * 5


def minutes(policy: DdbflowPolicy | FastDdbflow, demand: list[float]) -> Iterator[Minute]:
    """Feed ``demand`` to the policy minute by minute (served = min(demand, capacity), the rest throttled,
    as tests/helpers.replay_minutes does); yield each minute after the policy has seen it."""
    for index, wanted in enumerate(demand):
        at = FIXED_START + timedelta(minutes=index)
        provisioned = policy.capacity_at(at)
        served = min(wanted, provisioned)
        throttled = (wanted - served) * 60
        minute = Minute(index, at, wanted, provisioned, served * 60, throttled, throttled)
        policy.observe(minute)
        yield minute


def stamps(policy: DdbflowPolicy, metric: str, end: datetime) -> list[datetime]:
    """The minutes GetMetricData (one-minute Sums) has a datapoint for, from moto's CloudWatch."""
    assert policy.engine is not None
    policy.engine.flush_metrics()
    query = TABLE.metric_query("m", metric, 60)
    result = policy.engine.cloudwatch.get_metric_data(
        MetricDataQueries=[query], StartTime=FIXED_START, EndTime=end, ScanBy="TimestampAscending"
    )["MetricDataResults"][0]
    return [t.replace(tzinfo=FIXED_START.tzinfo) for t in result["Timestamps"]]


def test_an_outage_and_unthrottled_minutes_publish_no_datapoints() -> None:
    policy = DdbflowPolicy(*BOUNDS)
    policy.begin(FIXED_START, 120)
    seen = list(minutes(policy, BEFORE + OUTAGE + AFTER))
    end = seen[-1].at + timedelta(minutes=1)
    try:
        assert stamps(policy, CONSUMED_METRIC["read"], end) == [m.at for m in seen if m.consumed > 0]
        assert stamps(policy, THROTTLE_METRIC["read"], end) == [m.at for m in seen if m.throttle_events > 0]
    finally:
        policy.finish()
    assert any(m.consumed == 0 for m in seen)  # the outage is in the series' gaps
    assert any(m.throttle_events == 0 and m.consumed > 0 for m in seen)


def low_alarm_checks(policy: DdbflowPolicy) -> list[str]:
    """The scale-down executions the low alarm started (EventBridge delivers the state change as input)."""
    assert policy.engine is not None
    sfn = policy.engine.sfn
    inputs = [
        json.loads(sfn.describe_execution(executionArn=a)["input"]) for a in policy.engine.execution_arns()
    ]
    return [
        i["time"] for i in inputs if isinstance(i, dict) and i.get("detail", {}).get("alarmName") == LOW_ALARM
    ]


def test_the_low_alarm_does_not_count_an_outage_as_low_minutes_in_either_replay() -> None:
    real, fast = DdbflowPolicy(*BOUNDS), FastDdbflow(*BOUNDS)
    real.begin(FIXED_START, 120)
    fast.begin(FIXED_START, 120)
    try:
        for real_minute, fast_minute in zip(
            minutes(real, BEFORE + OUTAGE), minutes(fast, BEFORE + OUTAGE), strict=True
        ):
            assert real_minute == fast_minute
        started = low_alarm_checks(real)
    finally:
        real.finish()
        fast.finish()
    # 45 minutes of zero traffic are more than the 15-minute look-back: had they published 0s, the low
    # alarm would have gone to ALARM at the outage's 15th minute and started a scale-down.
    assert len(OUTAGE) > 15
    assert started == []
    assert not [summary for _, _, summary in fast.decisions if f"low alarm {LOW_ALARM}" in summary]
    # The hourly scheduled check still decreases the idle table (Read Demand finds no datapoint: peak 0).
    assert real.capacity_at(FIXED_START + timedelta(minutes=len(BEFORE + OUTAGE) - 1)) == BOUNDS[0]
    assert fast.timeline == real._timeline
