"""Map iterations as the clock's running executions (part of moto_hooks' patch set; every moto internal
touched here is in ``INTERNALS``, checked by tests/integration/test_moto_internals.py).

The clock jumps only once every running execution is asleep. moto runs a Map's iterations — a
Distributed Map's child executions too — in worker threads of the parent execution, which the clock
did not count: with one child asleep and nine between two states, the clock jumped to the sleeper's
wake-up, so under CPU load the children's waits added up instead of running side by side and a check's
engine time varied from run to run (a 24-table check: 2:10 and 2:58 before, 1:30 to 1:35 now). Now
each worker counts as running from its start to its end, and the parent, while it only waits for its
workers, does not.
"""

import threading
import types
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import inline_iteration_component
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.job import JobPool

from .clock import VirtualClock

InlineIterationComponent = inline_iteration_component.InlineIterationComponent

INTERNALS: dict[str, tuple[Any, str]] = {
    "Map iteration worker threads": (inline_iteration_component, "threading"),
    "Map iteration worker start": (InlineIterationComponent, "_launch_worker"),
    "Map state waiting for its iterations": (JobPool, "await_jobs"),
}


def map_worker_patches(clock: VirtualClock) -> list[tuple[Any, str, Any]]:
    original_await: Callable[[JobPool], None] = JobPool.await_jobs
    original_launch: Callable[..., Any] = InlineIterationComponent._launch_worker

    class WorkerThread(threading.Thread):
        """A Map iteration worker: a running execution for the clock until its last job is done."""

        def start(self) -> None:
            clock.execution_started()  # before the parent counts itself out in await_jobs
            try:
                super().start()
            except BaseException:
                clock.execution_finished()
                raise

        def run(self) -> None:
            try:
                super().run()
            finally:
                clock.execution_finished()

    # moto starts MaxConcurrency workers however few the items are; one beyond the items finds no job
    # and ends (ten thread starts for the scheduled check of one table). At least one, as for an empty Map.
    def launch_worker(self: InlineIterationComponent, env: Any, eval_input: Any, job_pool: JobPool) -> Any:
        launched = job_pool.__dict__.get("workers_launched", 0)
        if launched >= max(1, job_pool._jobs_number):
            return None
        job_pool.__dict__["workers_launched"] = launched + 1
        return original_launch(self, env=env, eval_input=eval_input, job_pool=job_pool)

    def await_jobs(self: JobPool) -> None:
        if self._is_terminated():  # nothing to wait for (an empty Map)
            return original_await(self)
        clock.execution_finished()
        try:
            original_await(self)
        finally:
            clock.execution_started()

    return [
        (inline_iteration_component, "threading", types.SimpleNamespace(Thread=WorkerThread)),
        (JobPool, "await_jobs", await_jobs),
        (InlineIterationComponent, "_launch_worker", launch_worker),
    ]
