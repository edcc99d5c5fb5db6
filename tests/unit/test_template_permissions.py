"""template.yaml's IAM stays least-privilege as functions and states are added: explicit actions, resources
by ARN, `*` only where AWS offers no resource-level permission, each machine allowed to invoke exactly the
functions its ASL calls, and every checkov skip carrying its reason."""

from pathlib import Path
from typing import Any

import pytest

from ddbflow.engine.template import Template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Template.load(ROOT)
PRINCIPALS = TEMPLATE.of_type("AWS::Serverless::Function") + TEMPLATE.of_type("AWS::Serverless::StateMachine")
# Actions AWS authorizes only on Resource "*" (no resource-level permissions).
STAR_ONLY_ACTIONS = {"cloudwatch:GetMetricData"}
# SAM policy templates that grant one action on one named resource.
EXACT_SAM_TEMPLATES = {"StepFunctionsExecutionPolicy"}  # states:StartExecution on one state machine
# The only wildcards in an ARN: tables by the deploy-time prefix (and their indexes), ddbflow's own alarms.
ARN_PATTERNS = {
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ManagedTableNamePrefix}*",
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ManagedTableNamePrefix}*/index/*",
    "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:ddbflow-*",
    # the scale-down bucket's two folders, and the scale-down machine's own child executions
    "${ScaleDownBucket.Arn}/targets/*",
    "${ScaleDownBucket.Arn}/results/*",
    "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${AWS::StackName}-ScaleDown/*",
}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(logical_id: str) -> list[dict[str, Any]]:
    found = []
    for policy in TEMPLATE.properties(logical_id).get("Policies", []):
        if "Statement" in policy:
            found += policy["Statement"]
        else:
            assert set(policy) <= EXACT_SAM_TEMPLATES, (
                f"{logical_id}: broad SAM policy template {set(policy)}"
            )
    return found


@pytest.mark.parametrize("logical_id", PRINCIPALS)
def test_every_statement_names_its_actions_and_resources(logical_id: str) -> None:
    for statement in statements(logical_id):
        actions = as_list(statement["Action"])
        assert statement["Effect"] == "Allow"
        assert not [a for a in actions if "*" in a], f"{logical_id}: wildcard action in {actions}"
        for resource in as_list(statement["Resource"]):
            if resource == "*":
                assert set(actions) <= STAR_ONLY_ACTIONS, f"{logical_id}: '*' for {actions}"
            elif isinstance(resource, str) or "Fn::Sub" in resource:
                arn = resource if isinstance(resource, str) else resource["Fn::Sub"]
                assert "*" not in arn or arn in ARN_PATTERNS, f"{logical_id}: wildcard ARN {arn}"
            else:
                assert set(resource) <= {"Fn::GetAtt", "Ref"}, f"{logical_id}: {resource}"


def invoked_functions(logical_id: str) -> set[str]:
    return {
        resource["Fn::GetAtt"][0]
        for statement in statements(logical_id)
        if "lambda:InvokeFunction" in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }


@pytest.mark.parametrize("machine", TEMPLATE.state_machines.values(), ids=lambda m: m.logical_id)
def test_each_machine_may_invoke_exactly_the_functions_its_definition_calls(machine: Any) -> None:
    called = {
        value["Fn::GetAtt"][0]
        for value in machine.substitutions.values()
        if isinstance(value, dict) and "Fn::GetAtt" in value and value["Fn::GetAtt"][0] in TEMPLATE.functions
    }
    assert called, machine.logical_id
    assert invoked_functions(machine.logical_id) == called


def project_wide_skips() -> dict[str, str]:
    """.checkov.yaml's skip-check entries → the comment above each (its reason)."""
    skips, comment = {}, []
    for line in (ROOT / ".checkov.yaml").read_text().splitlines():
        text = line.strip()
        if text.startswith("#"):
            comment.append(text.lstrip("# "))
            continue
        if text.startswith("- CKV_"):
            skips[text[2:]] = " ".join(comment)
        comment = []
    return skips


def test_every_checkov_skip_says_why() -> None:
    skips = [
        (logical_id, skip["id"], skip.get("comment", ""))
        for logical_id, resource in TEMPLATE.resources.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ] + [(".checkov.yaml", check, reason) for check, reason in project_wide_skips().items()]
    assert {check for where, check, _ in skips if where == ".checkov.yaml"} == {
        "CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"
    }  # fmt: skip
    for where, check, reason in skips:
        assert check.startswith("CKV_"), (where, check)
        assert len(reason.split()) >= 12, f"{where} skips {check} without a reason"


def machine_called_functions() -> set[str]:
    return {
        value["Fn::GetAtt"][0]
        for machine in TEMPLATE.state_machines.values()
        for value in machine.substitutions.values()
        if isinstance(value, dict) and "Fn::GetAtt" in value
    }


@pytest.mark.parametrize("logical_id", TEMPLATE.functions)
def test_the_project_wide_skips_reasons_hold_for_every_function(logical_id: str) -> None:
    """.checkov.yaml skips CKV_AWS_115/116/173 for every function because of facts checked here."""
    props = TEMPLATE.properties(logical_id)
    events = {event["Type"] for event in props.get("Events", {}).values()}
    # CKV_AWS_116: invoked synchronously (a machine's Task, a stream mapping), or asynchronously with a DLQ.
    synchronous = logical_id in machine_called_functions() or events == {"DynamoDB"}
    assert synchronous or "DeadLetterQueue" in props, f"{logical_id}: invoked asynchronously without a DLQ"
    # CKV_AWS_115: every invoker is one the reason names (a machine, a stream mapping, the alarm topic).
    assert logical_id in machine_called_functions() or events <= {"DynamoDB", "SNS"}, (logical_id, events)
    # CKV_AWS_173: the environment holds names, ARNs and settings, never a literal secret.
    for name, value in TEMPLATE.functions[logical_id].environment.items():
        assert not any(word in name for word in ("SECRET", "PASSWORD", "TOKEN", "KEY")), name
        assert not isinstance(value, str) or len(value) <= 40, f"{logical_id}: {name} holds a long literal"


# What SAM grants for a connector (aws-sam-translator's model/connector_profiles/profiles.json, as shipped
# with aws-sam-cli 1.170.0). Only profiles that grant exactly what the code calls are used; the
# StateMachine → Function profile would add lambda:InvokeAsync, so invocations stay hand-written above.
CONNECTOR_GRANTS = {
    ("AWS::Serverless::Function", "AWS::SNS::Topic", "Write"): {"sns:Publish"},
    ("AWS::Serverless::StateMachine", "AWS::SQS::Queue", "Write"): {"sqs:SendMessage"},
}


@pytest.mark.parametrize("logical_id", TEMPLATE.of_type("AWS::Serverless::Connector"))
def test_each_connector_grants_one_action_on_one_destination(logical_id: str) -> None:
    resource = TEMPLATE.resources[logical_id]
    props = resource["Properties"]
    source_type = TEMPLATE.resources[props["Source"]["Id"]]["Type"]
    destination = props["Destination"]
    if "Id" in destination:
        destination_type = TEMPLATE.resources[destination["Id"]]["Type"]
    else:
        # A resource outside the stack, named by a parameter: granted only when that parameter is set.
        destination_type = destination["Type"]
        parameter = destination["Arn"]["Ref"]
        condition = TEMPLATE.conditions[resource["Condition"]]
        assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, ""]}]}, logical_id
    for permission in props["Permissions"]:
        assert (source_type, destination_type, permission) in CONNECTOR_GRANTS, logical_id


def _grants(logical_id: str) -> set[tuple[str, str]]:
    """(action, resource) of every Allow statement, resources as written (Sub text or GetAtt)."""
    found = set()
    for statement in statements(logical_id):
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                text = resource.get("Fn::Sub", resource) if isinstance(resource, dict) else resource
                found.add((action, str(text)))
    return found


def test_the_distributed_map_may_start_and_watch_only_its_own_children() -> None:
    states = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
    machine, children = (
        f"{states}:stateMachine:${{AWS::StackName}}-ScaleDown",
        f"{states}:execution:${{AWS::StackName}}-ScaleDown/*",
    )
    assert TEMPLATE.properties("ScaleDownStateMachine")["Name"] == {"Fn::Sub": "${AWS::StackName}-ScaleDown"}
    grants = {g for g in _grants("ScaleDownStateMachine") if not g[0].startswith("lambda:")}
    assert grants == {
        ("states:StartExecution", machine),
        ("states:DescribeExecution", children),
        ("states:StopExecution", children),
        ("s3:GetObject", "${ScaleDownBucket.Arn}/targets/*"),
        ("s3:PutObject", "${ScaleDownBucket.Arn}/results/*"),
        ("s3:GetObject", "${ScaleDownBucket.Arn}/results/*"),
        ("s3:ListMultipartUploadParts", "${ScaleDownBucket.Arn}/results/*"),
        ("s3:AbortMultipartUpload", "${ScaleDownBucket.Arn}/results/*"),
    }


def test_only_list_targets_writes_target_lists_and_only_summarize_reads_results() -> None:
    s3_grants = {
        (logical_id, action, resource)
        for logical_id in TEMPLATE.of_type("AWS::Serverless::Function")
        for action, resource in _grants(logical_id)
        if action.startswith("s3:")
    }
    assert s3_grants == {
        ("ListTargetsFunction", "s3:PutObject", "${ScaleDownBucket.Arn}/targets/*"),
        ("SummarizeDecisionsFunction", "s3:GetObject", "${ScaleDownBucket.Arn}/results/*"),
    }


def test_the_scale_down_bucket_is_private_encrypted_expiring_and_tls_only() -> None:
    bucket = TEMPLATE.properties("ScaleDownBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert all(
        rule["Status"] == "Enabled" and rule["ExpirationInDays"] > 0
        for rule in bucket["LifecycleConfiguration"]["Rules"]
    )
    (policy,) = [
        TEMPLATE.properties(p)["PolicyDocument"]
        for p in TEMPLATE.of_type("AWS::S3::BucketPolicy")
        if TEMPLATE.properties(p)["Bucket"] == {"Ref": "ScaleDownBucket"}
    ]
    (deny,) = policy["Statement"]
    assert (deny["Effect"], deny["Action"], deny["Condition"]) == (
        "Deny",
        "s3:*",
        {"Bool": {"aws:SecureTransport": False}},
    )
