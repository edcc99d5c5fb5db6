"""How fast the `ddbflow` policy runs on the embedded engine, for tuning the engine (not the benchmark).

    python -m ddbflow.sim.engine_speed executions [N]       wall and CPU per scale-up / scale-down execution

(The policy over a whole trace: `ddbflow simulate --policy ddbflow`.)
"""

import sys
import time
from datetime import UTC, datetime, timedelta

from ddbflow.engine import Engine, Flow
from ddbflow.world import SCHEDULE, read_json

from .ddbflow_policy import TABLE, shipped_config

START = datetime(2026, 11, 23, tzinfo=UTC)


def executions(count: int) -> None:
    """Alternate scale-up (a manual request at 95 % load) and scheduled scale-down executions."""
    costs = {"scale-up": [0.0, 0.0], "scale-down": [0.0, 0.0]}
    with Engine(start=START, driven=True, log_level="ERROR") as engine:
        engine.create_table(TABLE.table, 100, 5)
        engine.load_config(shipped_config(5, 40000))
        engine.put_alarms()
        engine.run("scale-down", read_json(SCHEDULE), name="warm-up")
        for n in range(count):
            capacity = engine.capacity(TABLE)["read"]
            engine.publish([Flow(TABLE, "read", capacity * 0.95)], evaluate=False)
            engine.clock.advance(300)
            for machine in costs:
                payload = {"table": TABLE.table, "dimension": "read"} if machine == "scale-up" else None
                wall, cpu = time.perf_counter(), time.process_time()
                engine.start(machine, payload or read_json(SCHEDULE), name=f"{machine}-{n}")
                engine.run_until(engine.clock.now() + timedelta(minutes=10))
                costs[machine][0] += time.perf_counter() - wall
                costs[machine][1] += time.process_time() - cpu
    for machine, (wall, cpu) in costs.items():
        print(f"{machine}: {1000 * wall / count:.1f} ms wall, {1000 * cpu / count:.1f} ms CPU per execution")


def main(argv: list[str]) -> None:
    if argv[:1] == ["executions"]:
        executions(int(argv[1]) if len(argv) > 1 else 10)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
