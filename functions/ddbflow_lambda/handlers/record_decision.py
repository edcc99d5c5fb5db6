"""Record Decision: write the outcome to the decision log, stamp an increase for cooldown and release the
lease, in one transaction; then tell people about a change or failure on the NotificationTopicArn topic;
return the execution's short final output."""

import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from ..aws import client, control_table, named_aws_errors
from ..core.control_keys import last_change_key, lease_key, table_pk
from ..core.decision import decide, decide_cache, decide_scale_down
from ..core.notification import notification
from ..observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    state, now, execution = event["state"], event["now"], event["execution"]
    # Which machine: scale-up states carry the alarm, scale-down items a target, cache rebuilds an entry.
    scale_up = "alarm" in state
    target: dict[str, Any]
    if "entry" in state:
        decision, target = decide_cache(state), {"index": None}
        log_key = f"CACHE#{state['entry']['key']}"
    else:
        decision = decide(state) if scale_up else decide_scale_down(state)
        target = state["alarm"] if scale_up else state["target"]
        log_key = table_pk(target["table"])
    table = control_table().name
    # resource.meta.client serializes plain Python values itself.
    writes: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table,
                "Item": {
                    "pk": log_key,
                    "sk": f"DECISION#{now}#{execution}#{target.get('index') or ''}",
                    "outcome": decision["outcome"],
                    "summary": decision["summary"],
                },
            }
        }
    ]
    if scale_up and decision["outcome"] == "increased":
        # Cooldown for every dimension this execution raised (the other one too when it rode along).
        raised = [(target["dimension"], decision["to"])]
        if decision.get("alongside"):
            raised.append((decision["alongside"]["dimension"], decision["alongside"]["to"]))
        writes += [
            {
                "Put": {
                    "TableName": table,
                    "Item": {
                        **last_change_key({**target, "dimension": dimension}),
                        "increased_at": now,
                        "capacity": capacity,
                    },
                }
            }
            for dimension, capacity in raised
        ]
    # A check that gave up on the lease holds none: the one it names is an earlier round's, released then.
    if state.get("lease") and (state.get("error") or {}).get("Error") != "LeaseHeld":
        writes.append(
            {
                "Delete": {
                    "TableName": table,
                    "Key": lease_key(target["table"]),
                    # Gone already is fine: a retried Record Decision released it the first time.
                    "ConditionExpression": "attribute_not_exists(pk) OR #owner = :owner",
                    "ExpressionAttributeNames": {"#owner": "owner"},
                    "ExpressionAttributeValues": {":owner": state["lease"]["owner"]},
                }
            }
        )
    with named_aws_errors():
        control_table().meta.client.transact_write_items(TransactItems=writes)
    metrics.add_metric(name=f"Decision.{decision['outcome']}", unit=MetricUnit.Count, value=1)
    logger.info(decision["summary"], extra={"decision": decision})
    notify(decision, state)
    return decision


def notify(decision: dict[str, Any], state: dict[str, Any]) -> None:
    """Publish the decision when a topic is configured. After the transaction, and never raising: a
    publish failure is logged and counted (alarm on Notification.failed), the decision stays recorded and
    the execution ends as decided."""
    topic, message = os.environ.get("NOTIFICATION_TOPIC_ARN"), notification(decision, state)
    if not (topic and message):
        return
    try:
        message_id = client("sns").publish(TopicArn=topic, **message)["MessageId"]
    except (ClientError, BotoCoreError) as exc:
        metrics.add_metric(name="Notification.failed", unit=MetricUnit.Count, value=1)
        logger.warning("decision recorded but not published", extra={"topic": topic, "error": str(exc)})
        return
    logger.info("decision published", extra={"topic": topic, "message_id": message_id})
