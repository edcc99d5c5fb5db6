"""ddbflow tune: the three rows by the fast evaluator and by the real replay, and a fragment that
`ddbflow validate` accepts; bad trace input ends in a message, not a traceback."""

import json
from pathlib import Path

from typer.testing import CliRunner

from ddbflow.cli import app
from ddbflow.sim.trace import Trace
from ddbflow.tune import Search, throttle_bound

runner = CliRunner()


def write_trace(path: Path, minutes: int = 720) -> Path:
    """A daily-ish shape with a burst every 97 minutes."""
    rows = "".join(f"{m},{20 + 15 * ((m // 120) % 3) + (m % 97 < 4) * 60}\n" for m in range(minutes))
    path.write_text("minute,mean_rps\n" + rows)
    return path


def test_tune_prints_default_tuned_and_target_tracking_and_writes_a_valid_fragment(tmp_path: Path) -> None:
    csv = write_trace(tmp_path / "shop.csv")
    out = tmp_path / "tuned.json"
    result = runner.invoke(
        app, ["tune", "--trace", str(csv), "--budget", "20", "--out", str(out), "--table", "orders"]
    )
    assert result.exit_code == 0, result.output
    for row in ("default (fast evaluator)", "tuned (fast evaluator)", "default (real replay)",
                "tuned (real replay)", "target-tracking"):  # fmt: skip
        assert row in result.output
    document = json.loads(out.read_text())
    assert list(document["tables"]) == ["orders"]
    checked = runner.invoke(app, ["validate", "--config", str(out)])
    assert checked.exit_code == 0, checked.output


def test_the_search_never_picks_a_candidate_over_the_bound_when_one_is_within() -> None:
    demand = tuple(50.0 + 400.0 * (m % 180 < 5) for m in range(1440))
    trace = Trace("bursts", demand)
    bound, _ = throttle_bound(trace, 5.0)  # 5 % of demand
    search = Search(trace, bound, budget_seconds=30)
    search.run()
    assert search.best_score is not None and search.best_score.feasible
    assert search.best_score.throttled <= bound
    finished = [s for s in search.evaluated.values() if s is not None and s.feasible]
    assert search.best_score.unit_hours == min(s.unit_hours for s in finished)


def test_bad_trace_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    cases = {
        "no-such.csv": None,
        "columns.csv": "time,requests\n0,1\n",
        "numbers.csv": "minute,mean_rps\n0,lots\n",
        "silent.csv": "minute,mean_rps\n0,0\n1,0\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        result = runner.invoke(app, ["tune", "--trace", str(path), "--no-replay"])
        assert result.exit_code == 2, (name, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
