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


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "is empty; expected a header with minute and mean_rps"),
        ("minute,mean_rps\n", "has no rows"),
        ("minute,mean_rps\n0,1\n1,-3\n", "line 3: mean_rps -3 is not a finite number ≥ 0"),
        ("minute,mean_rps\n0,lots\n", "line 2: mean_rps 'lots' is not a number"),
        ("minute,mean_rps\n0,nan\n", "line 2: mean_rps nan is not a finite number ≥ 0"),
        ("minute,mean_rps\n0,inf\n", "line 2: mean_rps inf is not a finite number ≥ 0"),
        ("minute,mean_rps\n0\n", "line 2: mean_rps '' is not a number"),
        ("minute,mean_rps\n1.5,2\n", "line 2: minute '1.5' is not a whole number"),
        ("minute,mean_rps\n-1,2\n", "line 2: minute -1 is negative"),
        ("minute,mean_rps\n0,1\n0,2\n", "line 3: minute 0 appears twice"),
        ("minute,mean_rps\n0,1\n99999999999,1\n", "at most 1,054,080 (2 years)"),
        ("minute,mean_rps\n0,0\n1,0\n", "has no demand to scale"),
    ],
)
def test_every_malformed_csv_is_a_value_error_that_says_what_is_wrong(
    tmp_path: Path, content: str, says: str
) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(content)
    with pytest.raises(ValueError) as raised:
        load_csv(csv, peak=10)
    assert says in str(raised.value)


def test_a_binary_file_and_a_bad_peak_or_days_are_value_errors_too(tmp_path: Path) -> None:
    binary = tmp_path / "trace.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ValueError, match="is not a text CSV file"):
        load_csv(binary, peak=10)
    good = tmp_path / "good.csv"
    good.write_text("minute,mean_rps\n0,1\n")
    with pytest.raises(ValueError, match="peak must be a positive number"):
        load_csv(good, peak=-1)
    with pytest.raises(ValueError, match="days must be a positive number"):
        load_csv(good, peak=10, days=0)
