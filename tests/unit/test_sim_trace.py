from pathlib import Path

import pytest

from ddbflow.sim.trace import load_csv, ramp, spike, step


def test_a_csv_is_scaled_to_the_peak_and_missing_minutes_are_idle(tmp_path: Path) -> None:
    csv = tmp_path / "site.csv"
    csv.write_text("minute,mean_rps,max_rps\n0,1.0,3\n1,4.0,9\n3,2.0,2\n")
    trace = load_csv(csv, peak=1000)
    assert trace.name == "site"
    assert trace.demand == (250.0, 1000.0, 0.0, 500.0)


def test_days_cut_the_trace_before_scaling(tmp_path: Path) -> None:
    csv = tmp_path / "long.csv"
    csv.write_text("minute,mean_rps\n" + "".join(f"{m},{1 + (m >= 1440) * 9}\n" for m in range(2880)))
    trace = load_csv(csv, peak=100, days=1)
    assert trace.minutes == 1440
    assert max(trace.demand) == 100  # the busiest minute of what is kept


def test_a_csv_without_the_columns_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("t,rps\n0,1\n")
    with pytest.raises(ValueError, match="mean_rps, minute"):
        load_csv(csv, peak=10)


def test_synthetic_loads_are_deterministic_and_peak_at_the_peak() -> None:
    for make in (step, ramp, spike):
        assert make(1000) == make(1000)
        assert max(make(1000).demand) == pytest.approx(1000)
    assert step(1000, seed=1) != step(1000, seed=2)
    load = step(1000, at_minute=360)
    assert load.step_at == 360 and ramp(1000).step_at is None
    assert 3.2 < load.demand[400] / load.demand[100] < 4.8  # ×4 within the ±5 % noise
