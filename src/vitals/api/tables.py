"""The API's own tables, in the warehouse's ``api`` schema (created when missing, DuckDB and PostgreSQL).

Times are stored as naive UTC timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime

from vitals.warehouse.base import Warehouse
from vitals.warehouse.once import ensure_once

SCHEMA = "api"

TABLES: dict[str, list[tuple[str, str]]] = {
    "tokens": [
        ("token_id", "text"),
        ("name", "text"),
        ("role", "text"),
        ("org_id", "text"),
        ("token_sha256", "text"),
        ("created_at", "timestamp"),
        ("revoked_at", "timestamp"),
    ],
    "audit_log": [
        ("audit_id", "text"),
        ("logged_at", "timestamp"),
        ("token_name", "text"),
        ("role", "text"),
        ("action", "text"),
        ("target", "text"),
        ("client", "text"),
        ("detail", "text"),
    ],
    "config_versions": [
        ("version", "integer"),
        ("created_at", "timestamp"),
        ("token_name", "text"),
        ("changes", "text"),
        ("config", "text"),
    ],
    "dashboard_sessions": [
        ("session_sha256", "text"),
        ("token_id", "text"),
        ("created_at", "timestamp"),
        ("expires_at", "timestamp"),
    ],
}


LAST_TABLE = list(TABLES)[-1]
"""Created last: when it exists, every table does."""


def ensure_api_tables(warehouse: Warehouse) -> None:
    """Create the ``api`` schema and its tables if missing (once per warehouse and process: every request
    authenticates, and the DDL would otherwise run each time)."""

    def create() -> None:
        warehouse.execute(f"create schema if not exists {SCHEMA}")
        for table, columns in TABLES.items():
            warehouse.create_table(SCHEMA, table, columns)

    ensure_once(warehouse, f"{SCHEMA}.{LAST_TABLE}", create)


def utc_now() -> datetime:
    """Now, as the naive UTC timestamp the tables store."""
    return datetime.now(UTC).replace(tzinfo=None)
