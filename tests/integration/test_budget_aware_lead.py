"""On the engine (real machines and handlers): the scale-up's lead on a rise (rise_lead_periods) is
capacity bought ahead of demand, which a decrease gives back only when the budget allows one. With free
decreases left a jump is sized a whole period ahead; after the day's 4 free decreases, with the next one
an hour after the last, the same jump is sized a fraction of a period ahead (core.capacity.rise_lead)."""

from datetime import UTC, datetime, timedelta

from helpers import replay_minutes

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
BOUNDS = (5, 2000)


def test_with_free_decreases_left_a_jump_is_sized_a_period_ahead() -> None:
    # 44/s on 52 (a decrease to ⌈44 / 0.9 × 1.05⌉ = 52 saves nothing), then 176/s: the throttle alarm
    # fires at the end of 09:14; demand rose 132/s into that minute: ⌈(176 + 132) / 0.9⌉ = ⌈342.2⌉
    run = replay_minutes([44.0] * 14 + [176.0] * 6, 52, start=START, bounds=BOUNDS)
    assert run.changes == [(START + timedelta(minutes=15), 343)]
    raised = next(d["summary"] for d in run.decisions if "52 → 343" in d["summary"])
    assert "sized for 308 per s, 1 period ahead; demand rule → 343" in raised


def test_after_the_free_decreases_the_same_jump_is_sized_for_the_hour_it_is_held() -> None:
    # Four drops by half, each decreased once the 10-minute look-back holds only it (09:22, 09:36, 09:50,
    # 10:04): the day's free decreases are spent, the next is allowed at 11:04. Then the same jump,
    # 44 → 176/s: the raise at 10:09 would be held 55 minutes, so the lead is 10 / 55 of a period:
    # ⌈(176 + 132 × 10 / 55) / 0.9⌉ = ⌈200 / 0.9⌉ = 223, not 343.
    demand = [700.0] * 12 + [350.0] * 14 + [175.0] * 14 + [88.0] * 14 + [44.0] * 14 + [176.0] * 20
    run = replay_minutes(demand, 800, start=START, bounds=BOUNDS)
    at = START.replace(hour=10)
    assert run.changes == [
        (START + timedelta(minutes=22), 409),
        (START + timedelta(minutes=36), 205),
        (START + timedelta(minutes=50), 103),
        (at + timedelta(minutes=4), 52),
        (at + timedelta(minutes=9), 223),
    ]
    raised = next(d["summary"] for d in run.decisions if "52 → 223" in d["summary"])
    assert (
        "sized for 200 per s, 0.18 period ahead (the next decrease the budget allows is 55 min away)"
    ) in raised
    # 223 serves the 176/s at 79 %: no further raise, and nothing refused after the raise
    assert run.capacities[-1] == 223
