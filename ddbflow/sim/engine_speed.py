"""How fast the `ddbflow` policy runs on the embedded engine, for tuning the engine (not the benchmark).

    python -m ddbflow.sim.engine_speed executions [N]       wall and CPU per scale-up / scale-down execution
    python -m ddbflow.sim.engine_speed trace FILE DAYS [PEAK]   the policy over the first DAYS of a trace

The trace run uses the simplest traffic model (served = min(demand, capacity), the rest throttled, no
burst credit); the simulator's own loop lives in the simulate command.
"""

import csv
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ddbflow.engine import Engine, Flow
from ddbflow.world import SCHEDULE, read_json

from .ddbflow_policy import TABLE, DdbflowPolicy, shipped_config
from .policy import Minute

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
                if payload:
                    engine.start(machine, payload, name=f"{machine}-{n}")
                else:
                    engine.start_scheduled(machine, engine.clock.now())
                engine.run_until(engine.clock.now() + timedelta(minutes=10))
                costs[machine][0] += time.perf_counter() - wall
                costs[machine][1] += time.process_time() - cpu
    for machine, (wall, cpu) in costs.items():
        print(f"{machine}: {1000 * wall / count:.1f} ms wall, {1000 * cpu / count:.1f} ms CPU per execution")


def trace(path: Path, days: float, peak: float) -> None:
    with path.open() as file:
        rates = [float(row["mean_rps"]) for row in csv.DictReader(file)]
    scale = peak / max(rates)
    demand = [rate * scale for rate in rates[: int(days * 1440)]]
    policy = DdbflowPolicy(5, 40000)
    wall, cpu = time.perf_counter(), time.process_time()
    policy.begin(START, max(5, round(demand[0] / 0.7)))
    throttled_units = 0.0
    for index, wanted in enumerate(demand):
        at = START + timedelta(minutes=index)
        capacity = policy.capacity_at(at)
        served = min(wanted, capacity)
        throttled_units += (wanted - served) * 60
        policy.observe(
            Minute(index, at, wanted, capacity, served * 60, (wanted - served) * 60, (wanted - served) * 60)
        )
    counts = policy.finish()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    total, ratio = sum(demand) * 60, len(demand) * 60 / wall
    print(
        f"{len(demand)} minutes: {wall:.1f} s wall, {cpu:.1f} s CPU, simulated/wall {ratio:,.0f}; "
        f"{counts}; throttled {throttled_units / total:.3%} of demand"
    )


def main(argv: list[str]) -> None:
    if argv[:1] == ["executions"]:
        executions(int(argv[1]) if len(argv) > 1 else 10)
    elif argv[:1] == ["trace"] and len(argv) >= 3:
        trace(Path(argv[1]), float(argv[2]), float(argv[3]) if len(argv) > 3 else 1000.0)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
