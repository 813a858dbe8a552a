"""`vitals doctor`: check the configuration, the engine and the warehouse, and say what to fix."""

from __future__ import annotations

from dataclasses import dataclass

from vitals.config import ConfigError, Settings, config_path, load_settings
from vitals.contracts import OPTIONAL_SOURCES, RAW_SCHEMA, RAW_TABLES
from vitals.warehouse.base import Warehouse, WarehouseError

CORE_TABLES = ("organizations", "providers", "summarization_jobs", "sessions")


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``fix`` says what to do when it did not pass."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks() -> list[Check]:
    """Every check, in order; later checks are skipped when an earlier one makes them meaningless."""
    checks: list[Check] = []
    path = config_path()
    try:
        settings = load_settings()
    except ConfigError as exc:
        return [Check("configuration", False, str(exc), f"edit {path} or the VITALS_* variables")]
    origin = str(path) if path.exists() else "defaults (no vitals.toml; `vitals init` writes one)"
    checks.append(Check("configuration", True, f"engine {settings.engine}, time zone {settings.timezone}, {origin}"))
    try:
        from vitals.warehouse.connect import open_warehouse

        warehouse = open_warehouse(settings)
    except WarehouseError as exc:
        checks.append(Check("warehouse reachable", False, str(exc), _reach_fix(settings)))
        return checks
    with warehouse:
        checks.append(Check("warehouse reachable", True, _where(settings)))
        checks += _table_checks(warehouse)
    return checks


def _where(settings: Settings) -> str:
    if settings.engine == "duckdb":
        return f"DuckDB file {settings.warehouse}"
    if settings.engine == "postgres":
        from vitals.warehouse.postgres_engine import redact_dsn

        return f"PostgreSQL {redact_dsn(settings.postgres.dsn)}"
    return f"Spark {settings.spark.master}, warehouse dir {settings.spark.warehouse_dir}"


def _reach_fix(settings: Settings) -> str:
    if settings.engine == "postgres":
        return "start PostgreSQL or correct postgres.dsn (VITALS_POSTGRES__DSN)"
    if settings.engine == "duckdb":
        return "stop the process holding the file, or set VITALS_WAREHOUSE to another file"
    return "check that Java 17+ is installed and spark.warehouse_dir is writable"


def _table_checks(warehouse: Warehouse) -> list[Check]:
    checks = []
    raw_counts = {}
    for table in RAW_TABLES:
        if warehouse.table_exists(RAW_SCHEMA, table):
            raw_counts[table] = warehouse.query(f"select count(*) from {RAW_SCHEMA}.{table}")[0][0]
    if not raw_counts or not any(raw_counts.values()):
        checks.append(Check("raw data", False, "no raw rows yet", "load data: `vitals load DIR` or `vitals demo`"))
    else:
        # an optional source is named once it has rows
        detail = ", ".join(f"{t} {n:,}" for t, n in raw_counts.items() if n or t not in OPTIONAL_SOURCES)
        checks.append(Check("raw data", True, detail))
    missing = [t for t in CORE_TABLES if not warehouse.table_exists(warehouse.core_schema, t)]
    if missing:
        checks.append(Check("core model", False, f"not built: {', '.join(missing)}", "run `vitals build`"))
    else:
        checks.append(Check("core model", True, "organizations, providers, summarization_jobs, sessions built"))
    return checks
