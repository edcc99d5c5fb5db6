"""Create (or update) ddbflow's three state machines on Step Functions Local from the same ASL files and
DefinitionSubstitutions as template.yaml, then print their ARNs.

    .venv/bin/python local/create_state_machines.py [--endpoint-url http://localhost:8083]
"""

import argparse
import os

import boto3

from ddbflow.engine.engine import PROJECT_ROOT
from ddbflow.engine.template import Template
from ddbflow.stepfunctions_local import (
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    create_state_machines,
    local_machines,
    local_resolver,
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint-url", default="http://localhost:8083", help="Step Functions Local")
    parser.add_argument("--region", default=LOCAL_REGION, help="AWS_DEFAULT_REGION of Step Functions Local")
    parser.add_argument("--account", default=LOCAL_ACCOUNT, help="AWS_ACCOUNT_ID of Step Functions Local")
    args = parser.parse_args()
    template = Template.load(PROJECT_ROOT)
    machines = local_machines(template, local_resolver(template, args.region, args.account))
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=args.endpoint_url,
        region_name=args.region,
        # Step Functions Local accepts any credentials; these keep boto3 from looking for real ones.
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
    )
    for key, arn in create_state_machines(sfn, machines, args.account).items():
        print(f"{key:14} {arn}")


if __name__ == "__main__":
    main()
