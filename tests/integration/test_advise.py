"""`ddbflow advise` against the local endpoint: an engine started at a fixed instant serves its metrics,
seeded for the day before; the command runs as a user runs it, in its own process (its replays start
engines of their own), with the window's end pinned to that instant."""

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ddbflow.engine import Engine
from ddbflow.serve import Server
from ddbflow.world import CONFIG, WORLD, read_json, seed
from ddbflow_lambda.core.target import Target
from helpers import TUESDAY_1400

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NOW = TUESDAY_1400
MINUTES = 1440
TOKYO = json.loads((ROOT / "ddbflow" / "advise" / "prices" / "ap-northeast-1.json").read_text())
# One minute at 600 units/s every four hours, nothing in between (from the second minute: the replays
# size the table's starting capacity to the first minute).
SPIKES = range(1, MINUTES, 240)


def _steady(minute: int) -> dict[str, float]:
    return {"ConsumedWriteCapacityUnits": 100 * 60, "ConsumedReadCapacityUnits": 50 * 60}


def _spiky(minute: int) -> dict[str, float]:
    return {"ConsumedWriteCapacityUnits": 600 * 60} if minute in SPIKES else {}


def _seed_metrics(engine: Engine, table: str, per_minute: Any, minutes: int = MINUTES) -> dict[str, float]:
    """One-minute Sums as DynamoDB publishes them (no datapoint in a minute without requests); the
    totals per metric, for the hand computation."""
    totals: dict[str, float] = {}
    for minute in range(minutes):
        at = NOW - timedelta(minutes=minutes - minute)
        for metric, value in per_minute(minute).items():
            engine.put_metric(Target(table), metric, at, value)
            totals[metric] = totals.get(metric, 0.0) + value
    engine.flush_metrics()
    return totals


@pytest.fixture(scope="module")
def local() -> Iterator[tuple[str, dict[str, dict[str, float]]]]:
    with Engine(start=NOW) as engine:
        seed(engine, read_json(CONFIG), read_json(WORLD), traffic=False)
        engine.create_table("steady", read=80, write=150)
        engine.create_table("spiky", read=5, write=5)
        engine.create_table("young", read=5, write=5)
        engine.dynamodb.create_table(
            TableName="pay-per-request",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        totals = {
            "steady": _seed_metrics(engine, "steady", _steady),
            "spiky": _seed_metrics(engine, "spiky", _spiky),
            "young": _seed_metrics(engine, "young", _steady, minutes=MINUTES // 2),
            "pay-per-request": _seed_metrics(engine, "pay-per-request", _spiky),
        }
        with Server(engine, port=0, tick=3600) as server:  # the world loop never turns by itself
            yield server.endpoint, totals


def _advise(endpoint: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "ddbflow"), "advise", "--endpoint-url", endpoint, "--end", NOW.isoformat()]
    env = {"PATH": str(BIN), "AWS_DEFAULT_REGION": "ap-northeast-1", "COLUMNS": "200"}
    return subprocess.run(
        [*command, "-o", str(tmp_path / "advice.html"), *args],
        cwd=ROOT, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip


ADVISED: dict[str, tuple[dict[str, Any], str]] = {}  # table → (advice, report): one replay per table


def _advice(endpoint: str, tmp_path: Path, table: str) -> tuple[dict[str, Any], str]:
    if table not in ADVISED:
        done = _advise(endpoint, tmp_path, "--table", table, "--days", "1", "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        ADVISED[table] = json.loads(done.stdout), (tmp_path / "advice.html").read_text()
    return ADVISED[table]


def _option(advice: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in advice["options"] if o["name"] == name)


def test_a_steady_well_used_table_is_advised_provisioned(
    local: tuple[str, dict[str, dict[str, float]]], tmp_path: Path
) -> None:
    endpoint, _ = local
    advice, report = _advice(endpoint, tmp_path, "steady")
    assert advice["current_mode"] == "provisioned" and advice["region"] == "ap-northeast-1"
    assert advice["recommendation"].startswith("provisioned with ")
    assert (
        _option(advice, "on-demand")["total_usd_per_month"]
        > _option(advice, "target tracking")["total_usd_per_month"]
    )
    assert "data:image/png;base64," in report and advice["recommendation"].split(":")[0] in report


def test_a_sparse_spiky_table_is_advised_on_demand(
    local: tuple[str, dict[str, dict[str, float]]], tmp_path: Path
) -> None:
    endpoint, _ = local
    advice, _ = _advice(endpoint, tmp_path, "spiky")
    assert advice["recommendation"].startswith("switch to on-demand: saves $")
    # Reacting after a one-minute spike is too late: both autoscalers throttle it.
    assert _option(advice, "target tracking")["throttled_fraction"] > 0.001
    assert _option(advice, "ddbflow")["throttled_fraction"] > 0.001


def test_the_on_demand_price_is_the_demanded_request_units_times_the_published_price(
    local: tuple[str, dict[str, dict[str, float]]], tmp_path: Path
) -> None:
    endpoint, totals = local
    advice, _ = _advice(endpoint, tmp_path, "steady")
    per_month = 730 / 24  # a day of metrics, scaled to a month of 730 hours
    on_demand = TOKYO["dynamodb"]["on_demand"]
    writes = totals["steady"]["ConsumedWriteCapacityUnits"]  # 100 units/s × 86,400 s
    reads = totals["steady"]["ConsumedReadCapacityUnits"]
    assert writes == 8_640_000 and reads == 4_320_000
    priced = _option(advice, "on-demand")["usd_per_month"]
    assert priced["write"] == pytest.approx(writes * on_demand["write_per_million"] / 1e6 * per_month)
    assert priced["read"] == pytest.approx(reads * on_demand["read_per_million"] / 1e6 * per_month)


def test_an_on_demand_table_is_advised_from_its_consumed_metrics(
    local: tuple[str, dict[str, dict[str, float]]], tmp_path: Path
) -> None:
    endpoint, totals = local
    advice, _ = _advice(endpoint, tmp_path, "pay-per-request")
    assert advice["current_mode"] == "on-demand"
    assert advice["demanded_units"]["write"] == totals["pay-per-request"]["ConsumedWriteCapacityUnits"]
    assert advice["recommendation"].startswith("stay on on-demand: saves $")


def test_a_table_with_fewer_days_than_asked_is_a_clear_message(
    local: tuple[str, dict[str, dict[str, float]]], tmp_path: Path
) -> None:
    endpoint, _ = local
    done = _advise(endpoint, tmp_path, "--table", "young", "--days", "1")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "young has metrics for 0.5 days" in done.stdout and "fewer than the 1 asked" in done.stdout
    assert "--days 0.5" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "advice.html").exists()


def test_a_missing_table_is_a_clear_message(
    local: tuple[str, dict[str, dict[str, float]]], tmp_path: Path
) -> None:
    endpoint, _ = local
    done = _advise(endpoint, tmp_path, "--table", "nope", "--days", "1")
    assert done.returncode == 2 and "table 'nope' does not exist" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
