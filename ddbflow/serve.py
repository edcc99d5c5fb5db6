"""`ddbflow serve`: the embedded engine behind an AWS-compatible HTTP endpoint on 127.0.0.1, so the AWS
CLI and boto3 drive the real state machines unmodified.

moto's server runs in this process (ThreadedMotoServer) over the very backends the engine patched, so a
StartExecution arriving over HTTP runs the ASL in moto's threads, and its Lambda tasks reach the engine's
in-process handlers through the botocore hook on boto3's default session — the same path as `ddbflow
run`. Around it, a world loop does what AWS does on its own: time passes, schedule rules fire, alarms
evaluate and the TTL process deletes expired cache entries.

Time: engine time starts at real now and runs with the wall clock; when every running execution is
asleep (a Wait state, a Retry interval) the clock jumps to the earliest wake-up instead, so a scale-up
waiting for its table finishes in well under a second, and engine time runs ahead of the wall clock by
the waits it skipped.
"""

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from moto.server import ThreadedMotoServer
from rich.console import Console

from .engine import Engine
from .engine.engine import ACCOUNT, FINISHED
from .executions import execution_summary
from .world import seed

HOST = "127.0.0.1"  # never another interface: the endpoint takes any credentials


@dataclass(frozen=True)
class Finished:
    machine: str
    name: str
    status: str
    summary: str


class Server:
    """A running endpoint over an entered, seeded Engine. ``tick`` is the world loop's period (wall s)."""

    def __init__(
        self,
        engine: Engine,
        port: int = 8083,
        *,
        tick: float = 1.0,
        on_finished: Callable[[Finished], None] | None = None,
    ) -> None:
        self.engine, self.port, self.tick = engine, port, tick
        self.on_finished = on_finished or (lambda _: None)
        self._moto = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
        self._stop = threading.Event()
        self._loop = threading.Thread(target=self._world_loop, name="ddbflow-world", daemon=True)
        self._reported: set[str] = set()
        self.errors: list[str] = []  # world-loop failures, shown instead of killing the server

    @property
    def address(self) -> tuple[str, int]:
        return self._moto.get_host_and_port()

    @property
    def endpoint(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    def __enter__(self) -> "Server":
        # The werkzeug access log would print every polling request; keep the terminal for executions.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        refuse_taken_port(self.port)
        self._moto.start()
        # moto's Step Functions reaches its other services at localhost:MOTO_PORT whenever a call is not
        # intercepted in-process; point it at this server.
        self._moto_port = os.environ.get("MOTO_PORT")
        os.environ["MOTO_PORT"] = str(self.address[1])
        self.engine.clock.follow_wall_clock()
        self._scheduler = self.engine.scheduler()
        # Alarms start in the state the seeded traffic puts them in: that change happened before the
        # server existed, so it starts nothing.
        self.engine.alarms.evaluate()
        self._reported = self._finished_arns()  # what the seed ran is not news
        self._loop.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._loop.join()
        self._moto.stop()
        if self._moto_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = self._moto_port

    def _world_loop(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.turn()
            except Exception as exc:  # keep serving; the operator sees what broke
                self.errors.append(f"{type(exc).__name__}: {exc}")
                logging.getLogger(__name__).exception("world loop")

    def turn(self) -> None:
        """One turn of the world: due schedules fire, alarms evaluate (their state changes start
        executions through the EventBridge rules), the TTL process sweeps and the streams deliver; then
        report the executions that finished."""
        engine = self.engine
        self._scheduler.fire_due(engine.clock.now())
        engine.evaluate_alarms()
        engine.streams.sweep_ttl(engine.ttl_attributes)
        engine.streams.pump()
        for finished in self._newly_finished():
            self.on_finished(finished)

    def scheduled_rules(self) -> list[str]:
        return [
            f"{rule.name}: every {rule.period.total_seconds() / 60:g} min, next {rule.next_fire:%H:%M:%S} UTC"
            for rule in self._scheduler.rules
        ]

    def _finished_arns(self) -> set[str]:
        return {e["executionArn"] for _, e in self._executions() if e["status"] in FINISHED}

    def _executions(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (machine, e)
            for machine, arn in self.engine.machines.items()
            for page in self.engine.sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
            for e in page["executions"]
        ]

    def _newly_finished(self) -> list[Finished]:
        found = []
        for machine, e in self._executions():
            if e["status"] in FINISHED and e["executionArn"] not in self._reported:
                self._reported.add(e["executionArn"])
                described = self.engine.sfn.describe_execution(executionArn=e["executionArn"])
                found.append(Finished(machine, e["name"], e["status"], execution_summary(described)))
        return found

    def wait_until_stopped(self) -> None:
        """Block until Ctrl-C (SIGINT) or SIGTERM."""

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        # SIGINT too: a shell starts background jobs with SIGINT ignored, and Python then never raises.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, stop)
        try:
            while not self._stop.wait(3600):
                pass
        except KeyboardInterrupt:
            pass


def refuse_taken_port(port: int) -> None:
    """moto's server thread would die on a taken port and leave start() waiting forever: check first."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise OSError(f"{HOST}:{port} is not free ({exc.strerror}); choose another --port") from None


def serve_forever(
    console: Console,
    port: int,
    config: dict[str, Any],
    world: dict[str, Any],
    *,
    verbose: bool = False,
    at: datetime | None = None,
) -> int:
    """`ddbflow serve`: seed the local world, serve until Ctrl-C; the exit status. Engine time starts at
    ``at`` (default: the wall clock) and runs with the wall clock from there."""
    began = time.perf_counter()
    try:
        refuse_taken_port(port)
    except OSError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    # The seeded traffic fills the minutes before the start, so the server starts at ``at`` itself.
    start = (at or datetime.now(UTC)) - timedelta(minutes=world.get("traffic_minutes", 2))
    with Engine(start=start, log_level="INFO" if verbose else "WARNING") as engine:
        seed(engine, config, world)
        with Server(engine, port, on_finished=lambda f: _print_finished(console, f)) as server:
            _print_banner(console, server, time.perf_counter() - began)
            server.wait_until_stopped()
            console.print("Stopping: waiting for running executions…")
    console.print("Stopped.")
    return 0


def _print_finished(console: Console, finished: Finished) -> None:
    style = "green" if finished.status == "SUCCEEDED" else "red"
    console.print(
        f"[{style}]{finished.status}[/{style}] {finished.machine} {finished.name}: {finished.summary}"
    )


def _print_banner(console: Console, server: Server, ready_seconds: float) -> None:
    engine, endpoint = server.engine, server.endpoint
    lines = [
        f"[bold]ddbflow serve[/bold]: AWS-compatible endpoint [bold]{endpoint}[/bold] "
        f"(127.0.0.1 only), ready in {ready_seconds:.1f} s",
        f"Region {engine.region}, account {ACCOUNT}; any credentials are accepted, e.g.",
        "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
        f"AWS_DEFAULT_REGION={engine.region}",
        "State machines:",
        *(f"  {key:<14} {arn}" for key, arn in engine.machines.items()),
    ]
    for rule in server.scheduled_rules():
        lines.append(f"Schedule {rule}")
    lines += [
        f"Engine time {engine.clock.now():%Y-%m-%d %H:%M:%S} UTC: follows the wall clock, and skips ahead "
        "whenever every running execution is waiting.",
        "Start a scale-up from another shell:",
        f"  aws --endpoint-url {endpoint} stepfunctions start-execution --state-machine-arn "
        f"{engine.machines['scale-up']} --input file://events/alarm-eventbridge.json",
        "Then:",
        f"  aws --endpoint-url {endpoint} stepfunctions describe-execution --execution-arn <executionArn>",
        f"  .venv/bin/ddbflow history <executionArn> --endpoint-url {endpoint}",
        f"  .venv/bin/ddbflow report <executionArn> -o run.html --endpoint-url {endpoint}",
        "Ctrl-C stops.",
    ]
    console.print("\n".join(lines), highlight=False, soft_wrap=True)
