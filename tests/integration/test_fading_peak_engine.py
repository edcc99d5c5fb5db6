"""On the engine (real machines and handlers): after a spike, a check whose decrease would leave the next
one an hour away waits until the spike has left the look-back (Wait For Budget?'s settle branch) and
then spends one decrease straight to what the steady traffic needs; with free decreases left it
decreases at once and again later."""

from datetime import UTC, datetime, timedelta

from ddbflow.sim.ddbflow_policy import TABLE
from helpers import replay_minutes

START = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # a Tuesday: the day's decrease budget is whole
BASE, SPIKE = 100.0, 800.0


def at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def test_a_passing_spike_is_waited_out_once_the_free_decreases_are_spent() -> None:
    # GIVEN 100/s on a table sized for 1000, then two 3-minute spikes to 800/s, 40 minutes apart
    demand = [BASE] * 30 + [SPIKE] * 3 + [BASE] * 40 + [SPIKE] * 3 + [BASE] * 25
    config = {"defaults": {"min_capacity": 5, "max_capacity": 4000}, "tables": {TABLE.table: {}}}
    replay = replay_minutes(demand, 1000, start=START, bounds=(5, 4000), config=config)
    base = 117  # ⌈100 / 0.9 × 1.05⌉

    # THEN the first spike, with free decreases left, costs two decreases (to the look-back's peak, then
    # to the base); the second, with 3 spent, is waited out and costs one, straight to the base
    assert replay.changes == [
        (at(10), base),  # 10 low minutes: the low alarm
        (at(31), 1667),  # the throttle alarm on the first spike
        (at(41) + timedelta(seconds=30), 934),  # once the look-back holds only minutes since the raise
        (at(43), base),
        (at(74), 1667),  # the second spike
        (at(85) + timedelta(seconds=30), base),
    ]
    summaries = [d["summary"] for d in replay.decisions]
    waited = next(s for s in summaries if "leaves it within" in s)
    assert "the look-back's peak leaves it within 1 min: decreasing then to 122 units in all" in waited
    assert waited.endswith("waits until 01:25 UTC for the peak to leave the look-back, then decides")
    after = summaries[summaries.index(waited) + 1]
    assert after.startswith(f"simulated decreased: RCU 1667 → {base} (peak 100.0/s in 10 min)")
