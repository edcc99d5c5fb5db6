from collections.abc import Iterator
from typing import Any

import pytest

from ddbflow.engine import Engine
from ddbflow.world import CONFIG, WORLD, read_json, seed


@pytest.fixture
def config() -> dict[str, Any]:
    return read_json(CONFIG)


@pytest.fixture
def engine(config: dict[str, Any]) -> Iterator[Engine]:
    """The local world: config/example.json, the tables of config/local-world.json and their alarms,
    no traffic yet."""
    with Engine() as running:
        seed(running, config, read_json(WORLD), traffic=False)
        yield running
