"""`ddbflow serve` as a user meets it: the server in its own process on a free port, driven over HTTP by
the AWS CLI and boto3, then `ddbflow history`, `executions` and `report` on what ran; and the world loop
(schedules, alarms) in-process."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from ddbflow.engine import Engine, Execution, Flow
from ddbflow.serve import Finished, Server
from ddbflow_lambda.core.target import Target
from helpers import AT

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCALE_UP = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:ScaleUpStateMachine"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    log: Path
    endpoint: str

    def output(self) -> str:
        return self.log.read_text()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return env | {"AWS_DEFAULT_REGION": "ap-northeast-1", "COLUMNS": "220"} | extra


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(BIN / "ddbflow"), "serve", "--port", "0", "--at", AT], cwd=ROOT, stdout=sink,
            stderr=subprocess.STDOUT, env=_env(),
        )  # fmt: skip
    while "Ctrl-C stops." not in log.read_text():
        assert process.poll() is None, f"ddbflow serve exited {process.returncode}:\n{log.read_text()}"
        time.sleep(0.1)
    endpoint = log.read_text().split("AWS-compatible endpoint ", 1)[1].split()[0]
    yield Served(process, log, endpoint)
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert process.wait() == 0, log.read_text()
    assert log.read_text().rstrip().endswith("Stopped.")


def _aws(served: Served, *args: str) -> Any:
    aws = shutil.which("aws", path=str(BIN))
    if aws is None:
        pytest.skip("the AWS CLI (pip awscli, in the dev extra) is not installed in this environment")
    result = subprocess.run(
        [aws, "--endpoint-url", served.endpoint, "--output", "json", *args],
        cwd=ROOT, capture_output=True, text=True, env=_env(**CREDENTIALS), check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def _ddbflow(*args: str) -> str:
    result = subprocess.run(
        [str(BIN / "ddbflow"), *args], cwd=ROOT, capture_output=True, text=True, env=_env(), check=False
    )  # no credentials at all: a local endpoint must not need any
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def scale_up_arn(served: Served) -> str:
    """GIVEN the server WHEN the AWS CLI starts the scale-up machine with events/alarm-eventbridge.json."""
    if shutil.which("aws", path=str(BIN)) is None:  # the other tests still run, through boto3
        sfn = _sfn(served)
        alarm = (ROOT / "events" / "alarm-eventbridge.json").read_text()
        arn = str(sfn.start_execution(stateMachineArn=SCALE_UP, input=alarm)["executionArn"])
        _finished(sfn, arn)
        return arn
    started = _aws(
        served, "stepfunctions", "start-execution", "--state-machine-arn", SCALE_UP,
        "--input", "file://events/alarm-eventbridge.json",
    )  # fmt: skip
    arn = str(started["executionArn"])
    while _aws(served, "stepfunctions", "describe-execution", "--execution-arn", arn)["status"] == "RUNNING":
        time.sleep(0.1)
    return arn


def test_the_aws_cli_reads_the_execution_back_succeeded_with_its_history(
    served: Served, scale_up_arn: str
) -> None:
    described = _aws(served, "stepfunctions", "describe-execution", "--execution-arn", scale_up_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["summary"].startswith("orders WCU 100 → 146")
    history = _aws(served, "stepfunctions", "get-execution-history", "--execution-arn", scale_up_arn)
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in history["events"] if "stateEnteredEventDetails" in e
    ]
    assert entered[:3] == ["Receive Event", "Normalize Alarm", "Is It An Alarm?"]
    assert {"Update Table", "Wait For Table", "Update Alarms", "Done"} <= set(entered)
    listed = _aws(served, "stepfunctions", "list-executions", "--state-machine-arn", SCALE_UP)
    assert scale_up_arn in [e["executionArn"] for e in listed["executions"]]
    # The engine's DynamoDB and CloudWatch answer over the same endpoint.
    table = _aws(served, "dynamodb", "describe-table", "--table-name", "orders")["Table"]
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 146
    alarms = _aws(served, "cloudwatch", "describe-alarms", "--alarm-names", "ddbflow-orders::write-high")
    assert alarms["MetricAlarms"][0]["Threshold"] == 6132
    machines = _aws(served, "stepfunctions", "list-state-machines")["stateMachines"]
    assert {m["name"] for m in machines} >= {
        "ScaleUpStateMachine",
        "ScaleDownStateMachine",
        "CacheRebuildStateMachine",
    }


def test_boto3_works_unmodified_and_unnamed_executions_get_their_own_names(served: Served) -> None:
    sfn = _sfn(served)
    # sessions: quiet in the seeded world, so no alarm of the running server has just scaled it
    manual = json.dumps({"table": "sessions", "dimension": "write"})
    arns = [sfn.start_execution(stateMachineArn=SCALE_UP, input=manual)["executionArn"] for _ in range(2)]
    assert len(set(arns)) == 2
    assert [_finished(sfn, arn)["status"] for arn in arns] == ["SUCCEEDED", "SUCCEEDED"]
    outputs = [json.loads(sfn.describe_execution(executionArn=a)["output"]) for a in arns]
    increases = sorted((o["from"], o["to"]) for o in outputs if o["outcome"] == "increased")
    # One grows the table; the other waits for the lease, then finds the table in cooldown — or, when its
    # jittered lease retries outlast the cooldown, grows it again from the first one's result: never both
    # from the same capacity at once.
    assert [o["outcome"] for o in outputs].count("increased") >= 1
    assert len(increases) == 1 or increases[0][1] == increases[1][0], increases


def test_ddbflow_history_shows_the_event_table(scale_up_arn: str, served: Served) -> None:
    shown = _ddbflow("history", scale_up_arn, "--endpoint-url", served.endpoint)
    assert "TaskStateEntered" in shown and "Update Table" in shown and "LambdaFunctionSucceeded" in shown
    assert "SUCCEEDED orders WCU 100 → 146" in shown


def test_ddbflow_executions_lists_runs_with_their_decision(scale_up_arn: str, served: Served) -> None:
    shown = _ddbflow("executions", "scale-up", "--endpoint-url", served.endpoint)
    assert scale_up_arn.rsplit(":", 1)[1] in shown
    assert "orders WCU 100 → 146" in shown


def test_ddbflow_report_writes_one_self_contained_file(
    scale_up_arn: str, served: Served, tmp_path: Path
) -> None:
    report = tmp_path / "run.html"
    _ddbflow("report", scale_up_arn, "-o", str(report), "--endpoint-url", served.endpoint)
    html = report.read_text()
    assert "orders WCU 100 → 146" in html
    assert 'data-state="Update Table"' in html and "taken" in html
    assert "http://" not in html and "https://" not in html and " src=" not in html  # nothing fetched


def test_the_endpoint_listens_on_loopback_only(served: Served) -> None:
    port = int(served.endpoint.rsplit(":", 1)[1])
    tcp = Path("/proc/net/tcp")
    if not tcp.exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    listening = [
        line.split()[1]
        for line in tcp.read_text().splitlines()[1:]
        if line.split()[3] == "0A"  # LISTEN
    ]
    ours = [address for address in listening if int(address.split(":")[1], 16) == port]
    assert ours == ["0100007F:" + f"{port:04X}"]  # 127.0.0.1, little-endian
    assert not [
        line for line in Path("/proc/net/tcp6").read_text().splitlines()[1:] if f":{port:04X} " in line
    ]


def _sfn(served: Served) -> Any:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="ap-northeast-1"
    )
    return session.client("stepfunctions", endpoint_url=served.endpoint)


def _finished(sfn: Any, arn: str) -> dict[str, Any]:
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        time.sleep(0.1)
    return dict(described)


# -- the world loop, in-process --------------------------------------------------------------------------


def test_the_world_loop_fires_the_schedule_once_and_alarm_changes_start_scale_ups(engine: Engine) -> None:
    finished: list[Finished] = []
    with Server(engine, port=0, tick=3600, on_finished=finished.append) as server:  # turns by hand
        assert server.address[0] == "127.0.0.1"
        engine.clock.advance(60 * 60)  # ScaleDownSchedule: rate(1 hour)
        server.turn()
        server.turn()  # the same due time fires once
        engine.settle()
        (check,) = _runs(engine, "scale-down")
        assert check.input["detail-type"] == "Scheduled Event" and check.status == "SUCCEEDED"
        assert check.input["resources"] == [
            "arn:aws:events:ap-northeast-1:123456789012:rule/ScaleDownStateMachineSchedule0"
        ]
        before = engine.capacity(Target("orders"))["write"]  # as the scheduled check left it
        engine.publish(
            [Flow(Target("orders"), "write", 96, throttled_per_second=6)], minutes=1, evaluate=False
        )
        server.turn()
        engine.settle()
        # the throttle alarm, and the burst alarm too when the check left orders below half of 96/s
        runs = _runs(engine, "scale-up")
        assert {run.input["detail-type"] for run in runs} == {"CloudWatch Alarm State Change"}
        [scale_up] = [run for run in runs if run.output["outcome"] == "increased"]
        assert scale_up.output["summary"].startswith(f"orders WCU {before} → ")
        assert engine.capacity(Target("orders"))["write"] > before
        server.turn()
    reported = {(f.machine, f.name) for f in finished}
    assert {("scale-down", check.name), ("scale-up", scale_up.name)} <= reported
    assert "MOTO_PORT" not in os.environ


def _runs(engine: Engine, machine: str) -> list[Execution]:
    listed = engine.sfn.list_executions(stateMachineArn=engine.machines[machine])["executions"]
    return [engine.wait(e["executionArn"]) for e in listed]
