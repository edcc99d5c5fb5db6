"""Refuse a template whose functions use a Lambda runtime AWS has deprecated (run by `make lint`).

After its deprecation date AWS no longer patches a runtime; soon after, creating and then updating
functions on it is blocked, so a deploy of this template would fail. The dates below are AWS's own:
the "Supported runtimes" and "Deprecated runtimes" tables of the AWS Lambda Developer Guide page
"Lambda runtimes" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), column
"Deprecation date", read 2026-12-01. AWS moves projected dates now and then: re-read the page when you
add a runtime or a date comes near. A runtime missing from the table fails too, so nobody deploys one
whose date was never looked up.

    python -m ddbflow.lambda_runtimes template.yaml [--today YYYY-MM-DD]
"""

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

TABLE_READ = date(2026, 12, 1)
DEPRECATION = {
    "python3.9": date(2025, 12, 15),
    "python3.10": date(2026, 6, 30),
    "python3.11": date(2026, 6, 30),
    "python3.12": date(2028, 10, 31),
    "python3.13": date(2029, 6, 30),
    "python3.14": date(2029, 6, 30),
}
FUNCTION_TYPES = {"AWS::Serverless::Function": "Runtime", "AWS::Lambda::Function": "Runtime"}


def function_runtimes(doc: dict[str, Any]) -> dict[str, Any]:
    """Logical id → runtime of every function; SAM functions inherit Globals.Function.Runtime."""
    inherited = doc.get("Globals", {}).get("Function", {}).get("Runtime")
    found = {}
    for logical_id, resource in doc.get("Resources", {}).items():
        if resource.get("Type") not in FUNCTION_TYPES:
            continue
        props = resource.get("Properties", {})
        if props.get("PackageType") == "Image":
            continue  # the image brings its own runtime
        default = inherited if resource["Type"] == "AWS::Serverless::Function" else None
        found[logical_id] = props.get("Runtime", default)
    return found


def problems(doc: dict[str, Any], today: date) -> list[str]:
    """One sentence per function whose runtime is deprecated on ``today`` or not in the table."""
    found = []
    for logical_id, runtime in sorted(function_runtimes(doc).items()):
        if not isinstance(runtime, str):
            found.append(f"{logical_id}: runtime {runtime!r} is not a literal name this check can date")
        elif runtime not in DEPRECATION:
            found.append(
                f"{logical_id}: runtime {runtime} is not in ddbflow/lambda_runtimes.py's table; look up its "
                "deprecation date on AWS's Lambda runtimes page and add it"
            )
        elif DEPRECATION[runtime] <= today:
            found.append(
                f"{logical_id}: runtime {runtime} was deprecated by AWS on {DEPRECATION[runtime]}; "
                f"move to one of: {', '.join(supported(today)) or 'none in the table'}"
            )
    return found


def supported(today: date) -> list[str]:
    return [runtime for runtime, deprecated in DEPRECATION.items() if deprecated > today]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("--today", type=date.fromisoformat, default=datetime.now(UTC).date())
    args = parser.parse_args(argv)
    doc = cfn_yaml.load(str(args.template))
    found = problems(doc, args.today)
    for problem in found:
        print(f"{args.template}: {problem}", file=sys.stderr)
    if not found:
        runtimes = ", ".join(sorted({str(r) for r in function_runtimes(doc).values()}))
        print(f"{args.template}: {runtimes} supported by AWS on {args.today} (dates as read {TABLE_READ})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
