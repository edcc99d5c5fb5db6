"""The development corpus: deterministic seeded shapes, disjoint splits, each drawn feature present."""

import math
import statistics
from dataclasses import replace

import pytest

from ddbflow.sim import corpus
from ddbflow.sim.corpus import (
    ALL_SEEDS,
    REAL_TRACES,
    REPORTING_SEEDS,
    TUNING_SEEDS,
    counts_as_result,
    describe,
    shape,
    synthetic,
)
from ddbflow.sim.trace import MINUTES_PER_DAY

# Generating all 24 months once for the module keeps the file quick.
MONTHS = {seed: synthetic(seed) for seed in ALL_SEEDS}
SHAPES = {seed: shape(seed) for seed in ALL_SEEDS}
DENSE = [seed for seed in ALL_SEEDS if SHAPES[seed].sparse is None]


def test_a_synthetic_trace_is_the_same_from_the_same_seed_and_differs_between_seeds() -> None:
    assert synthetic(5) == MONTHS[5]
    assert describe(5) == describe(5)
    assert len({MONTHS[seed].demand for seed in ALL_SEEDS}) == len(ALL_SEEDS)
    assert MONTHS[7].name == "synthetic-07"
    assert MONTHS[7].minutes == 30 * MINUTES_PER_DAY


def test_the_splits_are_disjoint_halves_of_at_least_twelve_seeds() -> None:
    assert len(TUNING_SEEDS) >= 12 and len(REPORTING_SEEDS) >= 12
    assert not set(TUNING_SEEDS) & set(REPORTING_SEEDS)
    assert set(ALL_SEEDS) == set(TUNING_SEEDS) | set(REPORTING_SEEDS)
    assert all(counts_as_result(corpus.name(seed)) for seed in REPORTING_SEEDS)
    assert not any(counts_as_result(corpus.name(seed)) for seed in TUNING_SEEDS)
    assert all(counts_as_result(path.stem) for path in REAL_TRACES)


def test_every_split_names_its_seeds_and_carries_both_real_traces() -> None:
    tuning = [t.name for t in corpus.corpus("tuning", days=0.5)]
    reporting = [t.name for t in corpus.corpus("reporting", days=0.5)]
    real = [path.stem for path in REAL_TRACES]
    assert tuning == [corpus.name(seed) for seed in TUNING_SEEDS] + real
    assert reporting == [corpus.name(seed) for seed in REPORTING_SEEDS] + real
    assert len(corpus.corpus("all", days=0.5)) == len(ALL_SEEDS) + 2
    with pytest.raises(ValueError, match="unknown split"):
        corpus.corpus("everything", days=0.5)  # type: ignore[arg-type]


def test_the_real_traces_are_whole_unless_days_cut_them() -> None:
    nasa, worldcup = corpus.real_traces()
    assert nasa.minutes == 84_332 and worldcup.minutes == 54 * MINUTES_PER_DAY
    assert [t.minutes for t in corpus.real_traces(days=2)] == [2 * MINUTES_PER_DAY] * 2


def test_a_dense_trace_peaks_at_the_peak_and_a_sparse_one_keeps_its_few_units() -> None:
    for seed in DENSE:
        assert max(MONTHS[seed].demand) == pytest.approx(1000)
        assert max(synthetic(seed, peak=40, days=2).demand) == pytest.approx(40)
    sparse = [seed for seed in ALL_SEEDS if SHAPES[seed].sparse is not None]
    assert sparse, "the corpus has sparse tables"
    for seed in sparse:
        assert max(MONTHS[seed].demand) < 100  # a few units per second, whatever the peak
        assert max(synthetic(seed, peak=0.5).demand) == pytest.approx(0.5)  # never above the peak
        # whole requests per minute: demand × 60 is an integer
        assert all(abs(d * 60 - round(d * 60)) < 1e-6 for d in MONTHS[seed].demand[:2000])


def test_fewer_days_are_the_prefix_of_the_month_rescaled() -> None:
    short = synthetic(4, days=2)
    month = MONTHS[4].demand[: short.minutes]
    assert short.minutes == 2 * MINUTES_PER_DAY
    scale = max(short.demand) / max(month)
    assert short.demand == pytest.approx([v * scale for v in month])


def test_every_feature_is_drawn_somewhere_in_each_half() -> None:
    features = {
        "daily": lambda s: s.daily > 0,
        "weekly": lambda s: s.weekend < 1,
        "ramp": lambda s: s.ramp is not None,
        "shifts": lambda s: bool(s.shifts),
        "spikes": lambda s: bool(s.spikes),
        "flash crowds": lambda s: bool(s.flash_crowds),
        "outages": lambda s: bool(s.outages),
    }
    for half in (TUNING_SEEDS, REPORTING_SEEDS):
        for feature, has in features.items():
            assert any(has(SHAPES[seed]) for seed in half), feature
    assert any(SHAPES[seed].sparse is not None for seed in ALL_SEEDS)


def test_an_outage_has_zero_traffic_in_every_minute() -> None:
    outages = [(seed, e) for seed in ALL_SEEDS for e in SHAPES[seed].outages]
    assert outages
    for seed, event in outages:
        assert 5 <= event.minutes <= 240
        assert set(MONTHS[seed].demand[event.start : event.end]) == {0.0}, describe(seed)


def _around(seed: int, start: int, end: int) -> float:
    """Median demand in the 20 minutes before and after (the margin kept free of other events)."""
    demand = MONTHS[seed].demand
    return statistics.median(demand[start - 20 : start] + demand[end : end + 20])


def test_a_flash_crowd_multiplies_the_traffic_around_it_by_five_to_twenty() -> None:
    crowds = [(seed, e) for seed in DENSE for e in SHAPES[seed].flash_crowds]
    assert crowds
    for seed, event in crowds:
        assert 30 <= event.minutes <= 120 and 5 <= event.factor <= 20
        hold = MONTHS[seed].demand[event.start + event.minutes // 10 : event.end - event.minutes // 3]
        assert statistics.median(hold) > 3.5 * _around(seed, event.start, event.end), describe(seed)


def test_a_short_spike_stands_out_of_the_minutes_around_it() -> None:
    spikes = [(seed, e) for seed in DENSE for e in SHAPES[seed].spikes]
    assert spikes
    for seed, event in spikes:
        assert 1 <= event.minutes <= 10
        peak = max(MONTHS[seed].demand[event.start : event.end])
        assert peak > 1.8 * _around(seed, event.start, event.end), (describe(seed), event)


def test_a_level_shift_multiplies_the_level_from_its_minute_on() -> None:
    shifted = [SHAPES[seed] for seed in ALL_SEEDS if SHAPES[seed].shifts]
    assert shifted
    for s in shifted:
        calm = replace(s, shifts=(), spikes=(), flash_crowds=(), outages=())
        with_shifts = replace(calm, shifts=s.shifts)
        plain, values = corpus.levels(calm, corpus.MONTH), corpus.levels(with_shifts, corpus.MONTH)
        for event in s.shifts:
            factor = math.prod(e.factor for e in s.shifts if e.start <= event.start)
            assert values[event.start] / plain[event.start] == pytest.approx(factor)
            before = math.prod(e.factor for e in s.shifts if e.start < event.start)
            assert values[event.start - 1] / plain[event.start - 1] == pytest.approx(before)


def test_a_ramp_goes_from_the_level_to_its_factor_over_its_days() -> None:
    ramps = [SHAPES[seed].ramp for seed in ALL_SEEDS if SHAPES[seed].ramp is not None]
    assert ramps
    for ramp in ramps:
        assert ramp is not None and ramp.minutes >= 2 * MINUTES_PER_DAY
        assert corpus._ramp(ramp, ramp.start) == 1.0
        middle = corpus._ramp(ramp, ramp.start + ramp.minutes // 2)
        assert middle == pytest.approx(math.sqrt(ramp.factor), rel=0.01)
        assert corpus._ramp(ramp, ramp.end + 5000) == pytest.approx(ramp.factor)


def test_the_description_names_what_was_drawn() -> None:
    for seed in ALL_SEEDS:
        s, text = SHAPES[seed], describe(seed)
        assert text.startswith(corpus.name(seed))
        assert ("outages" in text) == bool(s.outages)
        assert ("flash crowds" in text) == bool(s.flash_crowds)
        assert ("sparse table" in text) == (s.sparse is not None)
        assert ("weekends" in text) == (s.weekend < 1)
