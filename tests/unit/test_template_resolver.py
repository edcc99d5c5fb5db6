"""The engine deploys template.yaml as CloudFormation would: conditions evaluate against the parameter
defaults or the values deployed instead, and an environment value under a condition follows it."""

from pathlib import Path

import pytest

from ddbflow.engine.template import Resolver, Template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Template.load(ROOT)
TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:decisions"


def resolver(**parameters: str) -> Resolver:
    return Resolver(TEMPLATE, "ap-northeast-1", "123456789012", {}, {}, parameters)


def test_conditions_follow_the_parameter_defaults() -> None:
    # Fn::Not over Fn::Equals: an unset topic and no reserved concurrency are both false by default
    assert resolver().condition("Notify") is False
    assert resolver().condition("LimitRebuilds") is False
    assert resolver().condition("UseSns") is False


def test_deployed_values_replace_the_defaults_everywhere() -> None:
    deployed = resolver(NotificationTopicArn=TOPIC, RebuildConcurrency="5", AlarmTransport="SNS")
    assert all(deployed.condition(name) for name in ("Notify", "LimitRebuilds", "UseSns"))
    env = TEMPLATE.functions["RecordDecisionFunction"].environment
    assert deployed(env["NOTIFICATION_TOPIC_ARN"]) == TOPIC
    assert resolver()(env["NOTIFICATION_TOPIC_ARN"]) == ""


def test_and_or_and_condition_references_evaluate() -> None:
    deployed = resolver(NotificationTopicArn=TOPIC)
    assert deployed({"Fn::And": [{"Condition": "Notify"}, {"Fn::Not": [{"Condition": "UseSns"}]}]}) is True
    assert deployed({"Fn::Or": [{"Condition": "UseSns"}, {"Condition": "LimitRebuilds"}]}) is False


def test_a_parameter_the_template_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no parameter NotificationTopic$"):
        resolver(NotificationTopic=TOPIC)
