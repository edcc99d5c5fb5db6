from collections.abc import Iterator
from typing import Any

import pytest

from ddbflow.engine import Engine
from ddbflow.world import CONFIG, WORLD, read_json, seed
from helpers import FIXED_START


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
