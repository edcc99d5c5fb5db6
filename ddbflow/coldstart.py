"""Cold-start import cost of the handlers a scale-up runs, side by side with a bare ``import boto3``.

Every scale-up runs about ten functions in a row, so their imports add up on the path that matters most.
Each round starts one fresh interpreter per handler and one for ``python -c 'import boto3'`` (what every
function pays anyway), in a shuffled order so load on the machine hits all alike; the table shows medians
of wall and CPU time (user + sys) and their ratio to the bare import. The target is ≤ 1.5× for every
scale-up handler. Lambda's environment variables are set so Powertools behaves as on Lambda.

    python -m ddbflow.coldstart [-n 10]
"""

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .engine.template import Template

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.5
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "ddbflow-coldstart",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "ddbflow",
    "POWERTOOLS_METRICS_NAMESPACE": "ddbflow",
}


def scale_up_handlers(root: Path = ROOT) -> dict[str, str]:
    """Function logical id → handler module, for every function the scale-up machine calls."""
    template = Template.load(root)
    machine = template.state_machines["ScaleUpStateMachine"]
    called = [
        value["Fn::GetAtt"][0]
        for value in machine.substitutions.values()
        if isinstance(value, dict) and "Fn::GetAtt" in value and value["Fn::GetAtt"][0] in template.functions
    ]
    return {name: imports(template.functions[name].handler.rsplit(".", 1)[0]) for name in called}


def imports(module: str) -> str:
    """What a cold start of the handler loads: its module, plus jsonschema when it validates the config
    (aws.load_config imports it on the first call, so an import alone would not show it)."""
    source = (ROOT / "functions" / Path(*module.split("."))).with_suffix(".py").read_text()
    return f"{module}, jsonschema" if "load_config" in source else module


def timed_import(module: str) -> tuple[float, float]:
    """(wall, CPU) seconds of a fresh interpreter that imports ``module``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", f"import {module}"], check=True, env=os.environ | LAMBDA_ENV, cwd=ROOT
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(modules: dict[str, str], rounds: int) -> dict[str, tuple[float, float]]:
    """Label → (median wall, median CPU); "boto3" is the bare import, measured in every round."""
    samples: dict[str, list[tuple[float, float]]] = {"boto3": [], **{label: [] for label in modules}}
    order = [("boto3", "boto3"), *modules.items()]
    for _ in range(rounds):
        # A fresh order each round, so a burst of load elsewhere does not always hit the same imports.
        random.shuffle(order)
        for label, module in order:
            samples[label].append(timed_import(module))
    return {
        label: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for label, runs in samples.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    handlers = scale_up_handlers()
    medians = measure(handlers, args.rounds)
    base_wall, base_cpu = medians["boto3"]
    print(f"{'import':28} {'wall s':>7} {'× boto3':>8} {'CPU s':>7} {'× boto3':>8}   ({args.rounds} rounds)")
    worst = 0.0
    for label, (wall, cpu) in medians.items():
        ratio = wall / base_wall
        if label != "boto3":
            worst = max(worst, ratio)
        print(f"{label:28} {wall:7.3f} {ratio:8.2f} {cpu:7.3f} {cpu / base_cpu:8.2f}")
    validating = [label for label, module in handlers.items() if module.endswith(", jsonschema")]
    print(f"({', '.join(validating)}: with jsonschema, which validating the config loads on the first call)")
    verdict = "meets" if worst <= TARGET else "misses"
    print(f"slowest scale-up handler: {worst:.2f}× a bare boto3 import: {verdict} the {TARGET}× target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
