"""The clock `ddbflow serve` runs on: engine time follows the wall clock, and a sleeper that nothing else
keeps busy still jumps to its wake-up instead of waiting it out."""

import time
from datetime import UTC, datetime, timedelta

from ddbflow.engine.clock import VirtualClock

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_clock_that_does_not_follow_the_wall_stands_still() -> None:
    clock = VirtualClock(START)
    time.sleep(0.01)
    assert clock.now() == START


def test_following_the_wall_clock_time_passes_by_itself() -> None:
    clock = VirtualClock(START)
    clock.follow_wall_clock()
    before = clock.now()
    time.sleep(0.01)
    assert clock.now() - before >= timedelta(seconds=0.01)


def test_an_idle_sleeper_skips_its_wait_and_wall_time_keeps_adding() -> None:
    clock = VirtualClock(START)
    clock.follow_wall_clock()
    clock.sleep(3600)  # an hour-long Wait state with nothing else running
    after_wait = clock.now()
    assert after_wait >= START + timedelta(hours=1)
    clock.advance(60)
    assert clock.now() >= after_wait + timedelta(seconds=60)
