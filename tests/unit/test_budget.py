from datetime import UTC, datetime, timedelta

import pytest

from ddbflow_lambda.core.budget import decrease_allowed, decreases_left_today, next_decrease_at

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("count", "last", "allowed"),
    [
        (0, None, True),
        (3, NOON - timedelta(minutes=1), True),  # the first 4 at any time
        (4, NOON - timedelta(minutes=59), False),  # then only with none in the preceding hour
        (4, NOON - H, True),
        (26, NOON - 2 * H, True),
        (27, NOON - 5 * H, False),  # at most 27 a day
    ],
)
def test_the_decrease_rule(count: int, last: datetime | None, allowed: bool) -> None:
    assert decrease_allowed(count, last, NOON) is allowed


def test_next_decrease_is_an_hour_after_the_last_or_tomorrow() -> None:
    assert next_decrease_at(4, NOON - timedelta(minutes=20), NOON) == NOON + timedelta(minutes=40)
    assert next_decrease_at(27, NOON - 5 * H, NOON) == datetime(2026, 11, 24, tzinfo=UTC)
    assert next_decrease_at(2, NOON, NOON) == NOON


def test_decreases_left_today_counts_the_free_ones_and_the_hourly_slots() -> None:
    assert decreases_left_today(0, None, NOON) == 4 + 11  # 4 now, then 13:00 … 23:00
    assert decreases_left_today(4, NOON - timedelta(minutes=30), NOON) == 12  # 12:30 … 23:30
    assert decreases_left_today(26, NOON - 2 * H, NOON) == 1
    assert decreases_left_today(4, NOON, datetime(2026, 11, 23, 23, 30, tzinfo=UTC)) == 1
    assert decreases_left_today(0, None, datetime(2026, 11, 23, 0, 0, tzinfo=UTC)) == 27
