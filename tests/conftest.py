import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from ddbflow.engine import Engine
from ddbflow.world import CONFIG, WORLD, read_json, seed
from helpers import FIXED_START

# Property tests draw the same examples on every run (a test that fails on one run in ten is a failing
# test nobody can reproduce); set HYPOTHESIS_PROFILE=explore to search afresh.
settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))


@pytest.fixture
def config() -> dict[str, Any]:
    return read_json(CONFIG)


@pytest.fixture
def engine(config: dict[str, Any]) -> Iterator[Engine]:
    """The local world: config/example.json, the tables of config/local-world.json and their alarms,
    no traffic yet, at a fixed instant outside every schedules window."""
    with Engine(start=FIXED_START) as running:
        seed(running, config, read_json(WORLD), traffic=False)
        yield running
