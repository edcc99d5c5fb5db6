"""The three state machines on Step Functions Local (local/docker-compose.yml): the same ASL files with the
same DefinitionSubstitutions template.yaml declares, resolved to the names `sam local start-lambda` serves
(a function's logical id) instead of deployed ARNs."""

from dataclasses import dataclass
from typing import Any

from .engine.engine import machine_key
from .engine.template import Resolver, Template

# Step Functions Local's defaults (AWS_ACCOUNT_ID / AWS_DEFAULT_REGION in its credentials file).
LOCAL_ACCOUNT = "123456789012"
LOCAL_REGION = "us-east-1"


@dataclass(frozen=True)
class LocalMachine:
    key: str  # "scale-up", the name `ddbflow run` uses
    name: str  # the template's logical id, as the deployed stack names it
    definition: str


def local_resolver(template: Template, region: str = LOCAL_REGION, account: str = LOCAL_ACCOUNT) -> Resolver:
    """Resolves every intrinsic the substitutions use: a function's ARN names its logical id, which is the
    function name `sam local start-lambda` answers to; queues, tables and machines get the names and ARNs a
    stack would give them in that account and region."""
    arn = f"arn:aws:{{service}}:{region}:{account}:{{resource}}"
    refs: dict[str, str] = {}
    attributes: dict[tuple[str, str], str] = {}
    for logical_id in template.functions:
        refs[logical_id] = logical_id
        attributes[(logical_id, "Arn")] = arn.format(service="lambda", resource=f"function:{logical_id}")
    for logical_id in template.of_type("AWS::SQS::Queue"):
        refs[logical_id] = f"https://sqs.{region}.amazonaws.com/{account}/{logical_id}"
        attributes[(logical_id, "QueueName")] = logical_id
        attributes[(logical_id, "Arn")] = arn.format(service="sqs", resource=logical_id)
    for logical_id in template.of_type("AWS::DynamoDB::Table"):
        refs[logical_id] = logical_id
        attributes[(logical_id, "Arn")] = arn.format(service="dynamodb", resource=f"table/{logical_id}")
    for logical_id in template.state_machines:
        refs[logical_id] = arn.format(service="states", resource=f"stateMachine:{logical_id}")
        attributes[(logical_id, "Name")] = logical_id
    return Resolver(template, region, account, refs, attributes)


def local_machines(template: Template, resolver: Resolver) -> list[LocalMachine]:
    """Every state machine of the template with its definition resolved (Template.definition refuses any
    ${...} left over and any text that is not JSON)."""
    return [
        LocalMachine(machine_key(logical_id), logical_id, template.definition(machine, resolver))
        for logical_id, machine in template.state_machines.items()
    ]


def create_state_machines(
    sfn: Any, machines: list[LocalMachine], account: str = LOCAL_ACCOUNT
) -> dict[str, str]:
    """Create each machine, or update its definition if it exists (re-running after an ASL edit);
    returns key → state machine ARN."""
    existing = {
        machine["name"]: machine["stateMachineArn"]
        for page in sfn.get_paginator("list_state_machines").paginate()
        for machine in page["stateMachines"]
    }
    arns = {}
    for machine in machines:
        if machine.name in existing:
            arn = existing[machine.name]
            sfn.update_state_machine(stateMachineArn=arn, definition=machine.definition)
        else:
            arn = sfn.create_state_machine(
                name=machine.name,
                definition=machine.definition,
                # Step Functions Local does not check the role; it only has to look like one.
                roleArn=f"arn:aws:iam::{account}:role/{machine.name}Role",
            )["stateMachineArn"]
        arns[machine.key] = arn
    return arns
