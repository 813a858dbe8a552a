"""Synthetic metric series written into the real tables the alert engine reads: ``metrics_daily`` and
``mart_reliability_hourly`` (same columns as the built models), in the warehouse's core schema."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import yaml

from vitals.config import Settings
from vitals.warehouse import open_warehouse

METRICS_DAILY = [
    ("metric_date", "date"),
    ("metric_name", "text"),
    ("domain", "text"),
    ("entity_type", "text"),
    ("entity_id", "text"),
    ("value", "double precision"),
    ("tier", "integer"),
]
HOURLY = [
    ("hour_start", "timestamp"),
    ("metric_date", "date"),
    ("business_hour", "integer"),
    ("entity_type", "text"),
    ("entity_id", "text"),
    ("attempt_events", "bigint"),
    ("error_events", "bigint"),
    ("error_rate_per_100_attempts_hourly", "double precision"),
    ("successful_jobs", "bigint"),
    ("quality_passed_jobs", "bigint"),
    ("quality_pass_rate_hourly", "double precision"),
]


def create_tables(settings: Settings) -> None:
    with open_warehouse(settings) as wh:
        wh.execute(f"create schema if not exists {wh.core_schema}")
        wh.create_table(wh.core_schema, "metrics_daily", METRICS_DAILY)
        wh.create_table(wh.core_schema, "mart_reliability_hourly", HOURLY)


def put_daily(settings: Settings, metric: str, values: dict[date, float], entity: str = "global") -> None:
    """Daily values of ``metric`` for ``entity`` (``global`` or an org id)."""
    entity_type = "global" if entity == "global" else "org"
    with open_warehouse(settings) as wh:
        for day, value in values.items():
            wh.execute(
                f"insert into {wh.core_schema}.metrics_daily values (?, ?, 'test', ?, ?, ?, 1)",
                [day, metric, entity_type, entity, value],
            )


def put_hour(settings: Settings, hour_start: datetime, *, jobs: int, passed: int, entity: str = "global") -> None:
    """One business hour (local wall clock, naive) of quality figures."""
    entity_type = "global" if entity == "global" else "org"
    rate = passed / jobs if jobs else None
    with open_warehouse(settings) as wh:
        wh.execute(
            f"insert into {wh.core_schema}.mart_reliability_hourly values (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)",
            [hour_start, hour_start.date(), hour_start.hour, entity_type, entity, jobs, jobs, passed, rate],
        )


def write_rules(path: Path, *rules: dict[str, object]) -> str:
    path.write_text(yaml.safe_dump({"rules": list(rules)}, sort_keys=False))
    return str(path)


def put_source(settings: Settings, name: str, *, connected: bool) -> None:
    """The optional source's row in ``source_status`` (the table the build writes), created if missing."""
    with open_warehouse(settings) as wh:
        wh.create_table(
            wh.core_schema,
            "source_status",
            [("source_name", "text"), ("connected", "boolean"), ("rows_kept", "bigint")],
        )
        wh.execute(f"delete from {wh.core_schema}.source_status where source_name = ?", [name])
        wh.execute(
            f"insert into {wh.core_schema}.source_status values (?, ?, ?)", [name, connected, 10 if connected else 0]
        )
