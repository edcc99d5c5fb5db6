"""ddbflow bench --corpus on a short cut: parallel spawned workers and in-process, the files it writes,
and bad options answered with a sentence."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ddbflow.cli import app

runner = CliRunner()
POLICIES = "target-tracking,blog,oracle"


@pytest.mark.parametrize("jobs", ["2", "1"])
def test_a_short_corpus_bench_writes_the_tables_and_a_plot_per_trace(tmp_path: Path, jobs: str) -> None:
    out = tmp_path / "bench"
    traces = "synthetic-01,synthetic-05,worldcup98-dev"
    args = ["bench", "--corpus", "--split", "reporting", "--traces", traces, "--days", "0.1"]
    result = runner.invoke(
        app, [*args, "--policies", POLICIES, "--jobs", jobs, "--out", str(out)], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "corpus.json").read_text())
    assert list(report["traces"]) == traces.split(",")
    for name, entry in report["traces"].items():
        assert entry["minutes"] == 144 and entry["counts_as_result"]
        assert (out / entry["plot"]).stat().st_size > 10_000
        assert {row["policy"] for row in entry["results"]} == set(POLICIES.split(","))
        assert entry["cpu_seconds"] > 0
        assert name in result.output
    summary = report["summary"]["result"]
    assert summary["traces"] == traces.split(",") and report["summary"]["tuning"]["traces"] == []
    assert summary["policies"]["oracle"]["capacity_vs_oracle"] == {"geomean": 1.0, "worst": 1.0}
    blog = summary["policies"]["blog"]
    assert blog["targets_met"]["of"] == 3
    markdown = (out / "corpus.md").read_text()
    assert "## Summary over the result" in markdown and "## Targets per trace" in markdown
    assert "| synthetic-05 | blog | " in markdown
    assert "flash crowds" in markdown  # synthetic-05's drawn shape is described
    assert "simulated days" in result.output  # the progress bar


def test_bad_corpus_options_are_refused_with_a_sentence(tmp_path: Path) -> None:
    base = ["bench", "--corpus", "--days", "0.01", "--out", str(tmp_path), "--policies", "oracle"]
    split = runner.invoke(app, [*base, "--split", "everything"])
    assert split.exit_code == 2 and "unknown split" in split.output
    trace = runner.invoke(app, [*base, "--split", "tuning", "--traces", "synthetic-01"])
    assert trace.exit_code == 2 and "not in split tuning: synthetic-01" in trace.output
    jobs = runner.invoke(app, [*base, "--jobs", "0"])
    assert jobs.exit_code == 2 and "--jobs" in jobs.output
    policy = runner.invoke(app, ["bench", "--corpus", "--policies", "magic", "--out", str(tmp_path)])
    assert policy.exit_code == 2 and "unknown policy magic" in policy.output
