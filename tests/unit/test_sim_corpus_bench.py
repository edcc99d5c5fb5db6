"""The corpus bench's arithmetic: floored throttled ratios, issue 12's per-trace targets, the summaries."""

import math

import pytest

from ddbflow.sim.corpus_bench import TOLERANCE, assess, geomean, summarise

DEMAND = 1_000_000.0  # units demanded on every hand-made trace; the floor is 10 units


def row(policy: str, throttled: float, capacity: float, updates: int = 10, decreases: int = 3) -> dict:
    return {
        "policy": policy,
        "throttled_units": throttled,
        "demanded_units": DEMAND,
        "throttled_fraction": throttled / DEMAND,
        "capacity_unit_hours": capacity,
        "update_calls": updates,
        "decreases": decreases,
    }


def entry(*rows: dict, minutes: int = 1440 + 1) -> dict:
    results = list(rows)
    by = {r["policy"]: r for r in results}
    for r in results:
        r["capacity_vs_target_tracking"] = (
            r["capacity_unit_hours"] / by["target-tracking"]["capacity_unit_hours"]
        )
        r["capacity_vs_oracle"] = r["capacity_unit_hours"] / by["oracle"]["capacity_unit_hours"]
    return {"minutes": minutes, "results": results}


def test_throttled_ratios_are_floored_at_the_tolerance_on_both_sides() -> None:
    assert pytest.approx(10) == DEMAND * TOLERANCE
    e = assess(entry(row("ddbflow", 40, 80), row("target-tracking", 0, 100), row("oracle", 0, 60)))
    ddbflow, tt, _ = e["results"]
    assert ddbflow["throttled_vs_target_tracking_floored"] == pytest.approx(4.0)  # 40 / 10
    assert ddbflow["throttled_vs_oracle_floored"] == pytest.approx(4.0)
    assert tt["throttled_vs_oracle_floored"] == 1.0
    assert ddbflow["decrease_budget"] == 27 * 2  # the trace touches two UTC days


def test_the_targets_are_judged_against_target_tracking_or_the_tolerance_when_it_throttles_nothing() -> None:
    # target tracking throttles nothing: ddbflow may throttle up to 10 units (0.001 %)
    quiet = assess(entry(row("ddbflow", 10, 85), row("target-tracking", 0, 100), row("oracle", 0, 60)))
    assert quiet["results"][0]["targets"] == {"throttled": True, "capacity": True}
    loud = assess(entry(row("ddbflow", 11, 85.1), row("target-tracking", 0, 100), row("oracle", 0, 60)))
    assert loud["results"][0]["targets"] == {"throttled": False, "capacity": False}
    # target tracking throttles 500: ddbflow may throttle as much, not more
    busy = assess(entry(row("ddbflow", 500, 50), row("target-tracking", 500, 100), row("oracle", 0, 60)))
    assert busy["results"][0]["targets"]["throttled"]
    assert "targets" not in busy["results"][1] and "targets" not in busy["results"][2]  # the references


def test_the_summary_takes_geometric_means_and_worst_cases_over_the_named_traces_only() -> None:
    traces = {
        "a": assess(entry(row("ddbflow", 0, 80), row("target-tracking", 0, 100), row("oracle", 0, 50))),
        "b": assess(entry(row("ddbflow", 0, 90), row("target-tracking", 20, 100), row("oracle", 0, 75))),
        "c": assess(entry(row("ddbflow", 10**6, 1), row("target-tracking", 0, 100), row("oracle", 0, 1))),
    }
    summary = summarise(traces, ["a", "b"])
    ddbflow = summary["ddbflow"]
    assert ddbflow["traces"] == 2
    assert ddbflow["capacity_vs_oracle"] == {"geomean": pytest.approx(math.sqrt(1.6 * 1.2)), "worst": 1.6}
    assert ddbflow["capacity_vs_target_tracking"]["worst"] == pytest.approx(0.9)
    assert ddbflow["throttled_vs_target_tracking_floored"]["geomean"] == pytest.approx(math.sqrt(1 * 0.5))
    assert ddbflow["targets_met"] == {"throttled": 2, "capacity": 1, "both": 1, "of": 2}
    assert ddbflow["oracle_target_met"] is False  # √1.92 ≈ 1.39 > 1.3
    assert (ddbflow["update_calls"], ddbflow["decreases"], ddbflow["decrease_budget"]) == (20, 6, 108)
    assert "targets_met" not in summary["target-tracking"]


def test_geomean() -> None:
    assert geomean([2.0, 8.0]) == pytest.approx(4.0)
