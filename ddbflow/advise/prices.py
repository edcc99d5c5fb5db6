"""Published prices, one JSON file per region (``prices/<region>.json``), each section with its source and
the date it was last confirmed; a section older than a year is a warning, judged against a date the
caller gives (the run's), never the wall clock."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

PRICES_DIR = Path(__file__).resolve().parent / "prices"
STALE_DAYS = 365


class PriceFileMissing(LookupError):
    """No price file for the region asked for."""


@dataclass(frozen=True)
class Prices:
    region: str
    document: dict[str, Any]

    def section(self, *path: str) -> Any:
        node: Any = self.document
        for key in path:
            node = node[key]
        return node

    # -- the numbers the comparison uses ---------------------------------------------------------------

    def on_demand_per_unit(self, dimension: str) -> float:
        """$ per request unit (read or write) in on-demand mode."""
        return float(self.section("dynamodb", "on_demand", f"{dimension}_per_million")) / 1e6

    def unit_hour(self, dimension: str) -> float:
        """$ per provisioned capacity-unit-hour (RCU or WCU)."""
        key = "rcu_hour" if dimension == "read" else "wcu_hour"
        return float(self.section("dynamodb", "provisioned", key))

    def reserved(self) -> dict[str, Any] | None:
        reserved: dict[str, Any] | None = self.section("dynamodb", "reserved")
        return reserved

    @property
    def per_transition(self) -> float:
        return float(self.section("stepfunctions", "standard_per_1000_transitions")) / 1000

    @property
    def per_lambda_request(self) -> float:
        return float(self.section("lambda", "per_million_requests")) / 1e6

    @property
    def per_gb_second(self) -> float:
        return float(self.section("lambda", "arm64_per_gb_second"))

    @property
    def alarm_month(self) -> float:
        return float(self.section("cloudwatch", "standard_alarm_metric_month"))

    @property
    def high_resolution_alarm_month(self) -> float:
        return float(self.section("cloudwatch", "high_resolution_alarm_metric_month"))

    @property
    def per_metric_requested(self) -> float:
        return float(self.section("cloudwatch", "get_metric_data_per_1000_metrics")) / 1000

    def stale(self, today: date) -> list[str]:
        """One sentence naming every priced section last confirmed more than a year before ``today``."""
        old = [
            f"{name} ({section['date']}, {section['source'].split(' ', 1)[0]})"
            for name, section in _dated_sections(self.document)
            if (today - date.fromisoformat(section["date"])).days > STALE_DAYS
        ]
        if not old:
            return []
        return [
            f"{self.region} prices last confirmed over a year before {today}, check them: " + "; ".join(old)
        ]


def _dated_sections(document: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for key, value in document.items():
        if isinstance(value, dict):
            name = f"{prefix}{key}".replace("_", "-")
            found += [(name, value)] if "date" in value else _dated_sections(value, f"{name} ")
    return found


def available_regions(folder: Path = PRICES_DIR) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.json"))


def load_prices(region: str, folder: Path = PRICES_DIR) -> Prices:
    path = folder / f"{region}.json"
    if not path.is_file():
        raise PriceFileMissing(
            f"no price file for region {region!r} ({path.name} is not in {folder}); "
            f"known: {', '.join(available_regions(folder))}. Add one with its source and date."
        )
    return Prices(region, json.loads(path.read_text()))
