"""Executions read back from a Step Functions endpoint — `ddbflow serve`'s or, with no endpoint given,
AWS with the user's normal credentials — for `ddbflow history`, `executions` and `report`."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from rich.table import Table

from .engine import Execution
from .engine.engine import machine_key, read_execution
from .history import cause_message

LOCAL_REGION = "ap-northeast-1"


def stepfunctions(endpoint_url: str | None, region: str | None = None) -> Any:
    return aws_client("stepfunctions", endpoint_url, region)


def aws_client(service: str, endpoint_url: str | None, region: str | None = None) -> Any:
    """A client of AWS or of a local endpoint. A local endpoint accepts any credentials: use the user's if
    they have some, else placeholders, so the local server works on a machine with no AWS setup at all."""
    session = boto3.Session()
    # Locally the machines live in the engine's region; against AWS a missing region is boto3's error.
    region = region or session.region_name or (LOCAL_REGION if endpoint_url else None)
    if endpoint_url and session.get_credentials() is None:
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    retries = Config(retries={"mode": "standard"})
    return session.client(service, region_name=region, endpoint_url=endpoint_url, config=retries)


def region_of(arn: str) -> str:
    """arn:aws:states:<region>:<account>:execution:… — the region an execution lives in."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "states":
        raise ValueError(f"not a Step Functions ARN: {arn!r}")
    return parts[3]


def decision_summary(output: Any, error: str | None = None, cause: str | None = None) -> str:
    """One line: the machine's own summary, the scale-down decisions counted, or the error."""
    if isinstance(output, dict):
        if isinstance(output.get("summary"), str):
            return output["summary"]
        decisions = output.get("decisions")
        if isinstance(decisions, list):
            counts: dict[str, int] = {}
            for decision in decisions:
                outcome = str(decision.get("outcome", "?")) if isinstance(decision, dict) else "?"
                counts[outcome] = counts.get(outcome, 0) + 1
            return f"{len(decisions)} targets: " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
    if error:
        message = cause_message(cause or "").strip().splitlines()
        return f"{error}: {message[0][:200]}" if message else error
    return ""


@dataclass(frozen=True)
class ExecutionLine:
    machine: str
    name: str
    arn: str
    status: str
    started: datetime
    stopped: datetime | None
    summary: str


def execution_lines(sfn: Any, machine: str | None = None, limit: int = 20) -> list[ExecutionLine]:
    """The most recent executions of one machine (its name, ARN or the ddbflow key such as scale-up) or
    of every machine, newest first, each with its one-line decision summary."""
    pages = sfn.get_paginator("list_state_machines").paginate()
    machines = [m for page in pages for m in page["stateMachines"]]
    if machine:
        machines = [m for m in machines if machine in _names(m)]
        if not machines:
            raise LookupError(f"no state machine {machine!r} at this endpoint")
    found = [
        (m["name"], e)
        for m in machines
        for e in sfn.list_executions(stateMachineArn=m["stateMachineArn"], maxResults=limit)["executions"]
    ]
    found.sort(key=lambda pair: pair[1]["startDate"], reverse=True)
    lines = []
    for machine_name, e in found[:limit]:
        described = sfn.describe_execution(executionArn=e["executionArn"])
        output = json_or_text(described.get("output"))
        lines.append(
            ExecutionLine(
                machine=machine_name,
                name=e["name"],
                arn=e["executionArn"],
                status=e["status"],
                started=e["startDate"],
                stopped=e.get("stopDate"),
                summary=decision_summary(output, described.get("error"), described.get("cause")),
            )
        )
    return lines


def executions_table(lines: list[ExecutionLine]) -> Table:
    table = Table(title="Executions (newest first)", header_style="bold")
    for column in ("Machine", "Name", "Status", "Started", "Took", "Decision"):
        table.add_column(column, overflow="fold", no_wrap=column in ("Status", "Started", "Took"))
    for line in lines:
        took = f"{(line.stopped - line.started).total_seconds():.1f} s" if line.stopped else ""
        style = {"SUCCEEDED": "green", "RUNNING": "yellow"}.get(line.status, "red")
        table.add_row(
            line.machine,
            line.name,
            f"[{style}]{line.status}[/{style}]",
            f"{line.started:%Y-%m-%d %H:%M:%S}",
            took,
            line.summary,
        )
    return table


def fetch(arn: str, endpoint_url: str | None) -> tuple[Execution, dict[str, Any]]:
    """An execution with its history, and its state machine's definition (for the report's graph)."""
    sfn = stepfunctions(endpoint_url, region_of(arn))
    execution = read_execution(sfn, arn)
    machine = sfn.describe_state_machine(stateMachineArn=execution.machine_arn)
    return execution, {"name": machine["name"], "definition": machine["definition"]}


def _names(machine: dict[str, Any]) -> tuple[str, str, str]:
    return machine["name"], machine["stateMachineArn"], machine_key(machine["name"])


def json_or_text(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
