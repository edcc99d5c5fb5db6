from pathlib import Path

import pytest
from typer.testing import CliRunner

from ddbflow.cli import app
from helpers import AT

EVENTS = Path(__file__).resolve().parents[2] / "events"
runner = CliRunner()


@pytest.mark.parametrize(
    ("sample", "says"),
    [
        ("alarm-eventbridge.json", "orders WCU 100 → 146"),
        ("alarm-sns.json", "orders RCU 50 → 73"),
        ("alarm-gsi.json", "orders/by-customer RCU 20 → 33"),
        ("manual-scale-up.json", "orders RCU 50 → 73"),
        ("alarm-ok.json", "orders WCU skipped: alarm ddbflow-orders::write-high is OK"),
    ],
)
def test_run_each_sample_gives_its_outcome(sample: str, says: str) -> None:
    result = runner.invoke(
        app, ["run", "scale-up", "--input", str(EVENTS / sample), "--at", AT], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    assert "SUCCEEDED" in result.output
    assert says in result.output
    assert "Normalize Alarm" in result.output  # the history is printed


def test_run_exits_nonzero_on_a_failed_execution(tmp_path: Path) -> None:
    unmanaged = tmp_path / "unmanaged.json"
    unmanaged.write_text('{"table": "payments", "dimension": "write"}')
    result = runner.invoke(
        app, ["run", "scale-up", "--input", str(unmanaged), "--at", AT], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 1
    assert "FAILED" in result.output
    assert "TableNotManaged" in result.output


def test_run_rejects_bad_json_and_unknown_machines_clearly(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.json"
    truncated.write_text('{"table": "ord')
    result = runner.invoke(app, ["run", "scale-up", "--input", str(truncated)])
    assert (result.exit_code, "is not valid JSON" in result.output) == (2, True)
    result = runner.invoke(app, ["run", "scale-sideways", "--input", str(EVENTS / "alarm-ok.json")])
    assert (result.exit_code, "unknown machine 'scale-sideways'" in result.output) == (2, True)


def test_demo_shows_the_alarm_driven_scale_up_and_the_scale_down_check() -> None:
    result = runner.invoke(app, ["demo", "--runs", "1", "--at", AT], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "orders WCU 100 → 146; alarm threshold 4200 → 6132; table ACTIVE" in result.output
    assert "sessions decreased: RCU 100 → 5" in result.output
    assert "orders decreased: RCU 50 → 25 (peak 0.0/s in 60 min); WCU kept at 146" in result.output
    assert "window" not in result.output  # Tuesday 14:00: no schedules window applies
    assert result.output.count("top-products#books rebuilt, fresh for") >= 3


def test_demo_inside_the_weekday_pre_warm_says_so_and_calls_the_two_way_change_rebalanced() -> None:
    # GIVEN Monday 08:30 UTC, inside config/example.json's 'weekday pre-warm' (08:00–10:00, orders WCU ≥ 300)
    result = runner.invoke(
        app, ["demo", "--runs", "1", "--at", "2026-11-30T08:30:00Z"], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # the console wraps long lines at 160 columns
    # THEN the demo explains the window before the check, and the check's read-down, write-up update is
    # "rebalanced" with both directions named, not "decreased"
    assert (
        "Mon 08:46 UTC is inside the 'weekday pre-warm' window (mon–fri 08:00–10:00 UTC), which holds "
        "orders WCU at ≥ 300" in said
    )
    assert (
        "orders rebalanced: RCU 50 → 25 (peak 0.0/s in 60 min); WCU 146 → 300 (window 'weekday pre-warm' "
        "requires ≥ 300); RCU down, WCU up in one update (net +129 units)" in said
    )
    assert "orders decreased" not in said


def test_run_takes_its_start_time_and_refuses_a_malformed_one() -> None:
    schedule = str(EVENTS / "schedule.json")
    inside = runner.invoke(app, ["run", "scale-down", "-i", schedule, "--at", "2026-11-30T08:30:00Z"],
                           env={"COLUMNS": "300"})  # fmt: skip
    assert inside.exit_code == 0, inside.output
    assert "orders increased: RCU kept at 50" in inside.output and "WCU 100 → 300" in inside.output
    for bad in ("yesterday", "2026-11-30T08:30:00", "2026-13-01T00:00:00Z"):
        refused = runner.invoke(
            app, ["run", "scale-down", "-i", schedule, "--at", bad], env={"COLUMNS": "300"}
        )
        assert refused.exit_code == 2, refused.output
        assert "Invalid value for '--at'" in refused.output and "2026-11-30T08:30:00Z" in refused.output


def test_run_scale_down_names_each_table_and_index_with_its_decision() -> None:
    result = runner.invoke(
        app,
        ["run", "scale-down", "--input", str(EVENTS / "schedule.json"), "--at", AT],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 0, result.output
    for target in ("orders kept", "orders/by-customer decreased", "sessions decreased"):
        assert f"  • {target}: " in result.output
    assert "3 targets checked: 2 decreased, 1 kept" in result.output
    assert "Quotas: largest history" in result.output


def test_world_generates_a_config_and_world_that_run_scale_down_reads(tmp_path: Path) -> None:
    result = runner.invoke(app, ["world", "--tables", "6", "--gsis", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = ["--config", str(tmp_path / "config.json"), "--world", str(tmp_path / "world.json")]
    run = runner.invoke(
        app, ["run", "scale-down", "--input", str(EVENTS / "schedule.json"), *files], env={"COLUMNS": "300"}
    )
    assert run.exit_code == 0, run.output
    # t0000 and t0004 busy: kept; t0001-3, t0005 and both GSIs idle: decreased
    assert "8 targets checked: 6 decreased, 2 kept" in run.output
    assert "Largest savings:" in run.output and "Failures" not in run.output


def test_run_cache_rebuild_with_a_ttl_expiry_rebuilds_and_a_user_delete_is_a_skip() -> None:
    ttl = runner.invoke(
        app,
        ["run", "cache-rebuild", "--input", str(EVENTS / "ttl-remove.json"), "--at", AT],
        env={"COLUMNS": "300"},
    )
    assert ttl.exit_code == 0, ttl.output
    assert "top-products#books rebuilt, fresh for" in ttl.output
    assert "Rebuilt cache entry" in ttl.output and "Designing Data-Intensive Applications" in ttl.output
    user = runner.invoke(
        app,
        ["run", "cache-rebuild", "--input", str(EVENTS / "user-remove.json"), "--at", AT],
        env={"COLUMNS": "300"},
    )
    assert user.exit_code == 0, user.output
    assert "filtered out by the event source mapping" in user.output
    assert "Recorded skip: no execution started" in user.output


def test_validate_checks_the_schema_and_the_template(tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate"]).exit_code == 0
    bad = Path(__file__).resolve().parents[1] / "bad_inputs" / "configs" / "min-above-max.json"
    result = runner.invoke(app, ["validate", "--config", str(bad)], env={"COLUMNS": "300"})
    assert (result.exit_code, "min_capacity 500 > max_capacity 50" in result.output) == (1, True)
    result = runner.invoke(app, ["validate", "--prefix", "prod-"], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "$.tables.orders: not covered by ManagedTableNamePrefix 'prod-'" in result.output
    own = tmp_path / "own.json"
    own.write_text('{"tables": {"ControlTable": {}}}')
    result = runner.invoke(app, ["validate", "--config", str(own)], env={"COLUMNS": "300"})
    assert "a table of ddbflow itself" in result.output


@pytest.mark.parametrize(
    ("case", "exit_code", "says"),
    [
        ("remove-without-keys.json", 0, "the record has no dynamodb.Keys, which every stream record carries"),
        ("no-records.json", 0, "the stream event holds no records: nothing to deliver"),
        ("records-not-a-list.json", 1, "a DynamoDB stream event goes to the stream, not to this machine"),
    ],
)
def test_run_cache_rebuild_answers_bad_input_with_a_sentence_not_a_traceback(
    case: str, exit_code: int, says: str
) -> None:
    bad = Path(__file__).resolve().parents[1] / "bad_inputs" / "cache-rebuild" / case
    result = runner.invoke(app, ["run", "cache-rebuild", "-i", str(bad), "--at", AT], env={"COLUMNS": "300"})
    said = " ".join(result.output.split())
    assert (result.exit_code, result.exception is None or isinstance(result.exception, SystemExit)) == (
        exit_code,
        True,
    ), result.output
    assert says in said
    assert "Traceback" not in said and "stackTrace" not in said
