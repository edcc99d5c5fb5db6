"""The advice's pure parts (prices, options, reserved capacity, the recommendation, the bench columns) and
the command's answers to bad input: one sentence, exit code 2, no traceback."""

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ddbflow.advise.costs import (
    Option,
    Usage,
    bench_costs,
    combine_dimensions,
    fixed_capacity,
    on_demand_cost,
    own_bill,
    recommend,
    reserved_cost,
)
from ddbflow.advise.prices import PRICES_DIR, PriceFileMissing, Prices, load_prices
from ddbflow.cli import app

US_EAST = load_prices("us-east-1")


def test_every_price_file_names_a_source_and_a_date_for_every_section() -> None:
    for path in PRICES_DIR.glob("*.json"):
        document = json.loads(path.read_text())
        assert document["region"] == path.stem
        for section in ("stepfunctions", "lambda", "cloudwatch"):
            assert document[section]["source"].startswith("https://") and date.fromisoformat(
                document[section]["date"]
            )
        for section in ("on_demand", "provisioned"):
            assert document["dynamodb"][section]["source"].startswith("https://")
    assert {"us-east-1", "ap-northeast-1"} <= {p.stem for p in PRICES_DIR.glob("*.json")}


def test_a_price_older_than_a_year_is_a_warning_judged_on_the_date_given() -> None:
    document = json.loads((PRICES_DIR / "us-east-1.json").read_text())
    for section in ("stepfunctions", "lambda", "cloudwatch"):
        document[section]["date"] = "2026-01-10"
    for section in ("on_demand", "provisioned", "reserved"):
        document["dynamodb"][section]["date"] = "2026-01-10"
    prices = Prices("us-east-1", document)
    assert prices.stale(date(2027, 1, 10)) == []
    (warning,) = prices.stale(date(2027, 1, 11))
    assert warning.startswith("us-east-1 prices last confirmed over a year before 2027-01-11, check them: ")
    assert "dynamodb on-demand (2026-01-10, https://aws.amazon.com/dynamodb/pricing/on-demand/)" in warning
    assert warning.count("(2026-01-10, https://") == 6


def test_an_unknown_region_has_no_price_file() -> None:
    with pytest.raises(
        PriceFileMissing, match=r"no price file for region 'mars-1'.*known: ap-northeast-1, us-east-1"
    ):
        load_prices("mars-1")


def test_on_demand_is_every_demanded_unit_at_the_published_price() -> None:
    demand = [10.0, 0.0, 2.5]  # units per second, per minute
    assert on_demand_cost(demand, US_EAST, "write") == pytest.approx(12.5 * 60 * 0.625 / 1e6)
    assert on_demand_cost(demand, US_EAST, "read") == pytest.approx(12.5 * 60 * 0.125 / 1e6)


def test_the_fixed_capacity_is_the_peak_at_the_target_utilization() -> None:
    assert fixed_capacity([7.0, 70.0, 3.0]) == 100
    assert fixed_capacity([0.0, 0.0]) == 1


def test_reserved_capacity_covers_whole_blocks_under_the_floor_and_the_rest_is_provisioned() -> None:
    capacity = [250.0] * 60 + [400.0] * 60  # two hours; the floor holds two blocks of 100
    blocks, cost = reserved_cost(capacity, US_EAST, "write", "one_year") or (0, 0.0)
    per_block_hour = 150 / 8760 + 0.0128
    assert blocks == 2
    assert cost == pytest.approx(2 * 2 * per_block_hour + (650 / 1 - 400) * 0.00065)
    assert reserved_cost([99.0] * 60, US_EAST, "read", "three_year") == (0, pytest.approx(99 * 0.00013))
    assert reserved_cost(capacity, load_prices("ap-northeast-1"), "write", "one_year") is None


def test_the_own_bill_scales_a_replay_to_a_month() -> None:
    usage = Usage(hours=73.0, transitions=4000, lambda_requests=1000, lambda_gb_seconds=50.0, alarms=4)
    bill = own_bill(usage, US_EAST)
    assert bill["Step Functions state transitions"] == pytest.approx(4000 * 0.025 / 1000 * 10)
    assert bill["Lambda requests"] == pytest.approx(1000 * 0.2 / 1e6 * 10)
    assert bill["Lambda GB-seconds (arm64)"] == pytest.approx(50 * 0.0000133334 * 10)
    assert bill["CloudWatch alarms"] == pytest.approx(0.40)  # already a month's


def test_scale_ups_of_both_dimensions_add_up_and_the_shared_scale_down_counts_once() -> None:
    read = {"scale-up": Usage(1, transitions=10), "scale-down": Usage(1, transitions=100)}
    write = {"scale-up": Usage(1, transitions=30), "scale-down": Usage(1, transitions=120)}
    combined = combine_dimensions([read, write])
    assert combined["scale-up"].transitions == 40 and combined["scale-down"].transitions == 120


def _options(
    on_demand: float, tracking: float, ddbflow: float, own: float, throttled: float = 0
) -> list[Option]:
    return [
        Option("on-demand", {"write": on_demand}),
        Option("fixed capacity", {"write": 1000.0}),
        Option("target tracking", {"write": tracking}, throttled_units=throttled),
        Option("ddbflow", {"write": ddbflow - own}, own=own),
    ]


def test_the_recommendation_names_the_cheapest_option_and_what_it_saves() -> None:
    assert recommend(_options(50, 80, 70, 2), 1e6, "provisioned") == (
        "switch to on-demand: saves $20.00/month against ddbflow"
    )
    assert recommend(_options(50, 80, 70, 2), 1e6, "on-demand").startswith("stay on on-demand: saves $20.00")
    assert recommend(_options(200, 80, 70, 2), 1e6, "provisioned") == (
        "provisioned with ddbflow: saves $10.00/month against target tracking after its own $2.00"
    )
    assert recommend(_options(200, 60, 70, 12), 1e6, "provisioned") == (
        "provisioned with target tracking: saves $10.00/month against ddbflow after ddbflow's own $12.00"
    )


def test_an_option_that_throttles_is_no_substitute() -> None:
    # target tracking is cheapest but refuses 1 % of the demand
    advice = recommend(_options(200, 10, 70, 2, throttled=10_000), 1e6, "provisioned")
    assert advice.startswith("provisioned with ddbflow: saves $130.00/month against on-demand")


def test_a_cheaper_reserved_floor_is_added_to_the_recommendation() -> None:
    reserved = Option(
        "reserved 1 year + target tracking", {"write": 50.0}, commitment=True, note="1 × 100 WCU for 1 year "
    )
    options = [*_options(200, 80, 70, 2), reserved]
    assert recommend(options, 1e6, "provisioned").endswith(
        "; reserved 1 year + target tracking would save $20.00/month more (1 × 100 WCU for 1 year)"
    )


def test_the_bench_columns() -> None:
    usage = Usage(hours=24.0, transitions=1000)
    row = {"demanded_units": 1e6, "capacity_unit_hours": 2000.0, "own_usage": usage.__dict__}
    baseline = {"capacity_unit_hours": 2100.0}
    cells = bench_costs(row, baseline, US_EAST)
    assert cells["on_demand_usd_as_wcu"] == pytest.approx(0.625)
    assert cells["on_demand_usd_as_rcu"] == pytest.approx(0.125)
    assert cells["own_usd"] == pytest.approx(1000 * 0.025 / 1000)
    assert cells["net_usd_vs_target_tracking_as_wcu"] == pytest.approx(-100 * 0.00065 + 0.025)
    assert bench_costs({**row, "own_usage": None}, None, US_EAST)["net_usd_vs_target_tracking_as_wcu"] is None


# -- bad input through the command ---------------------------------------------------------------------


def _advise(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["advise", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("minute,requests\n0,5\n", "lacks the column(s) mean_rps"),
        ("minute,mean_rps\n", "has no rows"),
        ("minute,mean_rps\n0,lots\n", "line 2: mean_rps 'lots' is not a number"),
        ("minute,mean_rps\n0,0\n1,0\n", "has no demand to scale"),
    ],
)
def test_a_bad_trace_is_one_sentence_and_exit_code_2(tmp_path: Path, content: str, message: str) -> None:
    trace = tmp_path / "bad.csv"
    trace.write_text(content)
    code, output = _advise("--trace", str(trace), "--days", "1", "-o", str(tmp_path / "a.html"))
    assert code == 2 and "is not a usable trace" in output and message in output
    assert not (tmp_path / "a.html").exists()


def test_other_bad_input_is_one_sentence_and_exit_code_2(tmp_path: Path) -> None:
    trace = tmp_path / "t.csv"
    trace.write_text("minute,mean_rps\n0,1\n1,2\n")
    cases = {
        ("--trace", str(trace), "--region", "mars-1"): "no price file for region 'mars-1'",
        ("--trace", str(trace), "--days", "1"): "holds 0.0 days, fewer than the 1 asked",
        ("--trace", str(tmp_path / "none.csv")): "none.csv is not a file",
        ("--trace", str(trace), "--dimension", "both"): "--dimension 'both': read or write",
        ("--trace", str(trace), "--end", "yesterday"): "--end 'yesterday' is not an ISO 8601 time",
        ("--trace", str(trace), "--table", "orders"): "give either --table NAME",
        (): "give either --table NAME",
        (
            "--table",
            "orders",
            "--days",
            "30",
            "--region",
            "us-east-1",
        ): "CloudWatch keeps one-minute data for 15 days",
    }
    for args, message in cases.items():
        code, output = _advise(*args, "-o", str(tmp_path / "a.html"))
        assert code == 2 and message in " ".join(output.split()), (args, output)
