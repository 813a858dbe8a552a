"""The tables a BI tool reads, as the dbt project shipped in the package declares them: every mart
(``models/marts/<domain>/mart_*.sql``), ``metrics_daily`` and the core tables, each with the description and
the columns its model YAML gives."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from vitals.warehouse.dbt import PROJECT_DIR

TableKind = Literal["mart", "metrics", "core"]

METRICS_TABLE = "metrics_daily"
"""The long table of every daily metric."""

TIME_SUFFIXES = ("_date", "_at", "_start", "_week", "_month")
TIME_NAMES = frozenset({"as_of", "last_day"})
"""Columns that hold a day or a timestamp, by the naming convention (``<event>_at``, ``metric_date``...)."""


@dataclass(frozen=True)
class Column:
    """A column of a model, as its YAML describes it."""

    name: str
    description: str


@dataclass(frozen=True)
class BiTable:
    """A model a BI tool reads: a mart, ``metrics_daily`` or a core table."""

    name: str
    kind: TableKind
    domain: str | None
    """The folder under ``models/marts`` a mart sits in (kpi, revenue, customer_success, ...); None otherwise."""
    description: str
    columns: tuple[Column, ...]


def is_time_column(name: str) -> bool:
    """Whether a column holds a day or a timestamp (by its name)."""
    return name in TIME_NAMES or name.endswith(TIME_SUFFIXES)


def bi_tables(project_dir: Path = PROJECT_DIR) -> tuple[BiTable, ...]:
    """The marts (by domain, then name), ``metrics_daily`` and the core tables of the dbt project."""
    return _bi_tables(project_dir.resolve())


def marts(project_dir: Path = PROJECT_DIR) -> tuple[BiTable, ...]:
    """The marts alone."""
    return tuple(table for table in bi_tables(project_dir) if table.kind == "mart")


@cache
def _bi_tables(project_dir: Path) -> tuple[BiTable, ...]:
    models = project_dir / "models"
    described = _described(models)
    found: list[BiTable] = []
    for path in sorted((models / "marts").glob("*/mart_*.sql"), key=lambda p: (p.parent.name, p.stem)):
        found.append(_table(path.stem, "mart", path.parent.name, described))
    if (models / "metrics" / f"{METRICS_TABLE}.sql").exists():
        found.append(_table(METRICS_TABLE, "metrics", None, described))
    for path in sorted((models / "core").glob("*.sql")):
        found.append(_table(path.stem, "core", None, described))
    return tuple(found)


def _table(name: str, kind: TableKind, domain: str | None, described: dict[str, dict[str, Any]]) -> BiTable:
    entry = described.get(name, {})
    columns = tuple(
        Column(str(column["name"]), _text(column.get("description"))) for column in entry.get("columns") or []
    )
    return BiTable(name, kind, domain, _text(entry.get("description")), columns)


def _described(models: Path) -> dict[str, dict[str, Any]]:
    """Model name -> its YAML entry, over every model YAML file of the project."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(models.rglob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        for model in data.get("models") or []:
            entries[str(model["name"])] = model
    return entries


def _text(value: object) -> str:
    return " ".join(str(value or "").split())
