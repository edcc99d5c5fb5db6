"""The oracle against brute force on tiny traces: every capacity sequence over a few levels, kept when it
covers every minute's need and its decreases pass the budget rule (per UTC day of the UpdateTable call)."""

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from ddbflow.sim.oracle import Oracle, needs, plan
from ddbflow.sim.policy import UPDATE_SECONDS
from ddbflow.sim.traffic import TrafficModel
from ddbflow_lambda.core import budget

LEVELS = (1, 2, 3, 5)


def within_budget(capacity: list[int], start: datetime) -> bool:
    today, last = 0, None
    for t in range(1, len(capacity)):
        if capacity[t] < capacity[t - 1]:
            call = start + timedelta(minutes=t, seconds=-UPDATE_SECONDS)
            today = today if last is not None and last.date() == call.date() else 0
            if not budget.decrease_allowed(today, last, call):
                return False
            today, last = today + 1, call
    return True


def brute_force(need: list[int], initial: int, start: datetime) -> int:
    """Least unit-minutes over every sequence; minute 0 runs on ``initial`` (nothing can change it)."""
    best = None
    for rest in itertools.product(LEVELS, repeat=len(need) - 1):
        capacity = [max(initial, need[0]), *rest]
        if any(c < n for c, n in zip(rest, need[1:], strict=True)):
            continue
        if within_budget([initial, *rest], start) and (best is None or sum(capacity) < best):
            best = sum(capacity)
    assert best is not None
    return best


def tiny_cases() -> list[tuple[list[int], int, datetime]]:
    rng = random.Random(6)
    cases = []
    for _ in range(60):
        minutes = rng.randint(2, 8)
        # near UTC midnight, so some cases spend budget on two different days
        start = datetime(2026, 1, 5, 23, rng.randint(53, 59), tzinfo=UTC)
        cases.append(([rng.choice(LEVELS) for _ in range(minutes)], rng.choice(LEVELS), start))
    noon = datetime(2026, 1, 5, 12, tzinfo=UTC)
    cases.append(([5, 1, 5, 1, 5, 1, 5, 1], 5, noon))  # five drops: the budget allows only four
    cases.append(([5, 1, 5, 1, 5, 1, 5, 1], 5, datetime(2026, 1, 5, 23, 57, tzinfo=UTC)))
    return cases


@pytest.mark.parametrize(("need", "initial", "start"), tiny_cases())
def test_oracle_matches_brute_force(need: list[int], initial: int, start: datetime) -> None:
    schedule = plan(need, initial, start)
    assert all(c >= n for c, n in zip(schedule[1:], need[1:], strict=True))
    assert within_budget([initial, *schedule[1:]], start)
    assert sum(schedule) == brute_force(need, initial, start)


def test_the_budget_costs_the_oracle_a_drop_it_would_otherwise_take() -> None:
    need = [5, 1, 5, 1, 5, 1, 5, 1, 5, 1]
    schedule = plan(need, 5, datetime(2026, 1, 5, 12, tzinfo=UTC))
    assert sum(1 for a, b in itertools.pairwise(schedule) if b < a) == budget.FREE_DECREASES
    assert sum(schedule) > sum(need)


def test_replayed_on_the_table_the_oracle_never_throttles_and_is_never_refused() -> None:
    rng = random.Random(3)
    demand = [rng.uniform(10, 200) * (1 + (m // 90) % 3) for m in range(2 * 1440)]
    start = datetime(2026, 1, 5, 18, tzinfo=UTC)
    oracle = Oracle(1, 40_000, demand)
    oracle.begin(start, needs(demand, 1, 40_000)[0])
    traffic, unit_minutes = TrafficModel(), 0.0
    for index, wanted in enumerate(demand):
        at = start + timedelta(minutes=index)
        minute = traffic.minute(index, at, wanted, oracle.capacity_at(at))
        assert minute.capacity >= wanted
        oracle.observe(minute)
        unit_minutes += minute.capacity
    assert oracle.table.refused == 0
    assert unit_minutes == sum(oracle.schedule)
    assert oracle.finish().decreases <= 3 * budget.MAX_DECREASES  # it touches three UTC days
