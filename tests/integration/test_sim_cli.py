"""ddbflow simulate --json and a short ddbflow bench."""

import json
from pathlib import Path

from typer.testing import CliRunner

from ddbflow.cli import app

runner = CliRunner()


def write_trace(tmp_path: Path) -> Path:
    csv = tmp_path / "shop.csv"
    rows = "".join(f"{m},{2 + (m % 60 >= 40) * 6 + (m // 97) % 3}\n" for m in range(600))
    csv.write_text("minute,mean_rps\n" + rows)
    return csv


def test_simulate_json_prints_one_object_with_the_promised_fields(tmp_path: Path) -> None:
    csv = write_trace(tmp_path)
    result = runner.invoke(
        app, ["simulate", "--trace", str(csv), "--policy", "target-tracking", "--peak", "400", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {
        "policy",
        "minutes",
        "throttled_fraction",
        "capacity_unit_hours",
        "update_calls",
        "decreases",
    } <= set(report)
    assert report["policy"] == "target-tracking"
    assert report["minutes"] == 600
    assert report["wall_seconds"] > 0
    assert report["update_calls"] >= report["decreases"] > 0


def test_simulate_days_cut_and_synthetic_loads(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", "--trace", "spike", "--policy", "oracle", "--days", "0.5", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["minutes"], report["throttled_fraction"], report["exact"]) == (720, 0.0, True)


def test_simulate_rejects_unknown_policies_and_missing_files(tmp_path: Path) -> None:
    unknown = runner.invoke(app, ["simulate", "--trace", "ramp", "--policy", "magic"])
    assert unknown.exit_code == 2
    assert "unknown policy" in unknown.output
    missing = runner.invoke(app, ["simulate", "--trace", str(tmp_path / "nope.csv"), "--policy", "blog"])
    assert missing.exit_code == 2


def test_simulate_and_bench_refuse_a_malformed_csv_with_its_line_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("minute,mean_rps\n0,1\n1,-3\n")
    for command in (["simulate", "--trace", str(bad), "--policy", "blog"], ["bench", "--trace", str(bad)]):
        result = runner.invoke(app, command, env={"COLUMNS": "300"})
        assert result.exit_code == 2, result.output
        assert "line 3: mean_rps -3 is not a finite number ≥ 0" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_short_bench_writes_results_and_a_plot_per_trace(tmp_path: Path) -> None:
    csv = write_trace(tmp_path)
    out = tmp_path / "bench"
    result = runner.invoke(
        app,
        [
            "bench",
            "--trace",
            str(csv),
            "--days",
            "0.25",
            "--policies",
            "target-tracking,blog,oracle",
            "--out",
            str(out),
        ],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "results.json").read_text())
    assert set(report["traces"]) == {"shop", "step-x4", "ramp", "spike"}
    for name, entry in report["traces"].items():
        assert (out / f"{name}.png").stat().st_size > 10_000
        rows = {row["policy"]: row for row in entry["results"]}
        assert set(rows) == {"target-tracking", "blog", "oracle"}
        assert rows["oracle"]["capacity_vs_oracle"] == 1.0
        assert rows["target-tracking"]["capacity_vs_target_tracking"] == 1.0
        assert rows["oracle"]["throttled_fraction"] == 0.0
    assert report["traces"]["step-x4"]["results"][0]["recover_minutes"] is not None  # the step is in the cut
    assert "cost at us-east-1" in result.output
    assert "| step-x4 | oracle (exact) | 0.0000 |" in (out / "results.md").read_text()
