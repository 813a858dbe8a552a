"""One generated, loaded and built warehouse per test session (copied per test, so tests stay independent)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from vitals.config import Settings
from vitals.generate import generate
from vitals.generate.runner import GenerateResult
from vitals.ingest.files import load_directory
from vitals.warehouse.dbt import build


@dataclass(frozen=True)
class Built:
    warehouse: Path
    made: GenerateResult

    def copy_to(self, directory: Path) -> Path:
        target = directory / "w.duckdb"
        shutil.copy(self.warehouse, target)
        return target


def build_generated(directory: Path, land_more: Callable[[Settings], None] | None = None) -> Built:
    """Generate 12 orgs over 35 days, load them (and what ``land_more`` lands) and build with the data tests."""
    made = generate(
        directory / "data", orgs=12, days=35, seed=42, fmt="parquet", end=date(2026, 11, 30), progress=False
    )
    settings = Settings(warehouse=directory / "w.duckdb", state_dir=directory / "state")
    load_directory(settings, directory / "data", progress=False)
    if land_more is not None:
        land_more(settings)
    result = build(settings, as_of=made.window_end, tests=True)
    assert result.success and not result.failures()
    return Built(settings.warehouse, made)
