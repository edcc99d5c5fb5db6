"""On the engine (real machines and handlers): a check a low alarm asked for, refused by a spent budget
whose next decrease comes at midnight, waits for midnight in Wait For Budget and decreases then, rather
than leaving the alarm in ALARM until the schedule's next check half an hour later; and a check that
waited, then gave up on a lease another execution holds, records the skip and leaves that lease."""

import json
from datetime import UTC, datetime, timedelta

from ddbflow.engine import Engine
from helpers import lease_held, replay_minutes

START = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # the hourly schedule checks at 23:30 and 00:30
MIDNIGHT = datetime(2026, 11, 25, tzinfo=UTC)


def test_a_low_alarm_refused_until_midnight_waits_for_it() -> None:
    # Four drops by half, each decreased once the look-back holds only it (22:52, 23:06, 23:20, 23:34):
    # the next decrease is allowed at midnight (the hour after 23:34 ends later). A 3-minute spike at
    # 23:45 is raised at 23:46; the re-armed low alarm fires on the look-back's earlier minutes and its
    # check is refused by the budget, waits until midnight, and gives the spike's capacity back then.
    demand = [700.0] * 12 + [350.0] * 14 + [175.0] * 14 + [88.0] * 14 + [44.0] * 21 + [400.0] * 3
    run = replay_minutes(demand + [44.0] * 50, 800, start=START, bounds=(5, 2000))
    raise_at = START + timedelta(minutes=76)
    assert [at for at, _ in run.changes][-2:] == [raise_at, MIDNIGHT]
    assert run.changes[-1] == (MIDNIGHT, 52)  # ⌈44 / 0.9 × 1.05⌉
    refused = next(d["summary"] for d in run.decisions if "decrease budget spent (4 today)" in d["summary"])
    assert refused.endswith("waits for the budget until 00:00 UTC, then checks again")


def test_a_check_that_gave_up_on_the_lease_after_a_wait_leaves_the_holders_lease(engine: Engine) -> None:
    # GIVEN a check that took and released the lease in its first round, waited, and found it held by
    # another execution in every attempt of the next: its state still names the first round's lease
    now = engine.clock.now().isoformat()
    taken = {"table": "orders", "owner": "another", "now": now, "seconds": 1200}
    assert engine.lambdas.invoke("TakeLeaseFunction", taken)[2] is None
    held = {"errorMessage": "table orders is leased by another until later"}
    state = {
        "target": {"table": "orders", "index": None},
        "lease": {"owner": "this-check", "expires_at": now},
        "error": {"Error": "LeaseHeld", "Cause": json.dumps(held)},
    }
    # WHEN Record Decision records it THEN a skip, and the other execution's lease is left alone
    event = {"state": state, "now": now, "execution": "this-check"}
    _, payload, error = engine.lambdas.invoke("RecordDecisionFunction", event)
    assert error is None, payload
    assert payload["outcome"] == "skipped" and "another execution holds the lease" in payload["summary"]
    assert lease_held(engine, "orders")
