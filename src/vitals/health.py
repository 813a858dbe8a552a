"""`vitals health [--org ID]`: the health score of each org (or of one org and its providers), read from
the customer-success marts of a built warehouse through ``vitals.metrics.health``, with its band, five
components and the sentence that explains its week-over-week move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from vitals.config import Settings
from vitals.errors import VitalsError
from vitals.metrics.health import COMPONENTS, HEALTH, ORG_HEALTH, org_rows, provider_rows, scored_day
from vitals.metrics.reader import WarehouseReader
from vitals.warehouse import open_warehouse

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class HealthError(VitalsError):
    """The health marts are missing, or the org asked for has no score."""


@dataclass(frozen=True)
class HealthLine:
    """One scored org or provider on the latest scored day."""

    entity_type: Literal["org", "provider"]
    entity_id: str
    name: str
    org_id: str | None
    as_of: date
    score: float
    band: str
    components: dict[str, float | None]
    """Each component's value in 0..1 (None: no data in the window)."""
    points: dict[str, float]
    """Each component's points (they add up to the score)."""
    change_7d: float | None
    move: str | None


def health_report(settings: Settings, org_id: str | None) -> list[HealthLine]:
    """Every org on the latest scored day, worst first; with ``org_id``: that org, then its providers."""
    wanted = _normalize_org(org_id) if org_id is not None else None
    with open_warehouse(settings) as warehouse:
        schema = warehouse.core_schema
        if not warehouse.table_exists(schema, HEALTH):
            raise HealthError(f"{schema}.{HEALTH} does not exist: run `vitals build` first")
        reader = WarehouseReader(warehouse)
        day = scored_day(reader, HEALTH, None)
        if day is None:
            return []
        conditions, params = (["h.org_id = ?"], [wanted]) if wanted else ([], [])
        orgs = org_rows(reader, day, conditions, params, source=ORG_HEALTH, columns="h.*")
        providers = provider_rows(reader, wanted, day) if wanted else []
    if wanted and not orgs:
        raise HealthError(f"org {wanted} has no health score on {day.isoformat()} (no provider active in 30 days)")
    lines = sorted((_line("org", row) for row in orgs), key=lambda line: (line.score, line.name))
    lines += sorted((_line("provider", row) for row in providers), key=lambda line: (line.score, line.name))
    return lines


TABLE_COLUMNS = ("name", "score", "band", "E", "Q", "D", "R", "L", "move")
"""The columns of the health table; E Q D R L are the five components (see ``health_legend``)."""


def health_legend(lines: list[HealthLine]) -> str:
    """The line above the health table: the day, what the component columns are and how an org is scored."""
    if not lines:
        return "no health scores yet: build the warehouse with `vitals build`"
    return (
        f"health as of {lines[0].as_of.isoformat()}; components over the trailing 7 days (0..1, - without data): "
        "E engagement, Q quality, D depth, R reliability, L latency; move: the week-over-week change and what "
        "drove it. An org's score is the mean over its providers active in the last 30 days."
    )


def health_table(lines: list[HealthLine]) -> list[tuple[str, ...]]:
    """One row per line under ``TABLE_COLUMNS``: the score to one decimal, components to two."""
    return [
        (
            line.name if line.entity_type == "org" else f"provider {line.entity_id}",
            f"{line.score:.1f}",
            line.band,
            *(_component(line.components[c]) for c in COMPONENTS),
            line.move or "no score 7 days earlier",
        )
        for line in lines
    ]


def _line(entity_type: Literal["org", "provider"], row: dict[str, Any]) -> HealthLine:
    entity_id = str(row["org_id"] if entity_type == "org" else row["provider_id"])
    name = str(row.get("org_name") or entity_id) if entity_type == "org" else entity_id
    return HealthLine(
        entity_type=entity_type,
        entity_id=entity_id,
        name=name,
        org_id=row.get("org_id"),
        as_of=_as_date(row["metric_date"]),
        score=float(row["health_score"]),
        band=str(row["health_band"]),
        components={c: _float(row[f"health_{c}"]) for c in COMPONENTS},
        points={c: float(row[f"health_{c}_points"]) for c in COMPONENTS},
        change_7d=_float(row["health_score_change_7d"]),
        move=row["health_move"],
    )


def _normalize_org(org_id: str) -> str:
    value = org_id.strip().lower()
    if not _UUID.match(value):
        raise HealthError(f"--org must be an org UUID, got {org_id!r}")
    return value


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _component(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


__all__ = [
    "COMPONENTS",
    "TABLE_COLUMNS",
    "HealthError",
    "HealthLine",
    "health_legend",
    "health_report",
    "health_table",
]
