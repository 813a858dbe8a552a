"""`vitals sql`: a person's query on the warehouse, read-only unless they ask to write.

Read-only (the default):

- DuckDB: the warehouse file is opened read-only, so DROP, DELETE, TRUNCATE, CREATE, INSERT and UPDATE are
  refused by DuckDB itself.
- PostgreSQL: the query runs alone (one statement: a server-side prepared statement refuses ``select 1; drop
  ...``) in a ``READ ONLY`` transaction that is rolled back, and only statements that read are taken (``select``,
  ``with``, ``values``, ``table``, ``show``, ``explain``): ``COPY ... TO`` a server file or program is not.
- Spark: only the statements that read are taken.

Always, on DuckDB, with or without ``--write``: external access is off (no ``read_csv('/etc/passwd')``, ``COPY
TO`` a file, ``ATTACH``, ``EXPORT DATABASE``), extensions are neither installed nor loaded (``INSTALL`` never
reaches the network), and the configuration is locked so the query cannot switch any of that back on.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import psycopg
import pyarrow as pa

from vitals.config import Settings
from vitals.warehouse.base import WarehouseError

DUCKDB_LOCKDOWN = (
    "set enable_external_access = false",
    "set autoinstall_known_extensions = false",
    "set autoload_known_extensions = false",
    "set allow_community_extensions = false",
    "set lock_configuration = true",
)
"""Run on every `vitals sql` DuckDB connection before the query; the last one makes them final."""

READ_STATEMENTS = ("select", "with", "values", "table", "show", "explain", "describe", "desc")
"""First words of the statements read-only `vitals sql` takes on PostgreSQL and Spark."""

WRITE_HINT = "vitals sql is read-only: add --write to change the warehouse"
ISOLATION_HINT = "vitals sql reaches no file, extension or other database, even with --write"

_LEADING_NOISE = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.DOTALL)


class SqlRefused(WarehouseError):
    """`vitals sql` does not run this statement in this mode; the message says why and what to do."""


def run_user_sql(settings: Settings, query: str, *, write: bool = False) -> pa.Table:
    """Run ``query`` on the configured warehouse and return its rows; read-only unless ``write``.

    Raises ``SqlRefused`` for what the mode does not allow; other engine errors propagate unchanged."""
    if settings.engine == "duckdb":
        return _duckdb(settings, query, write=write)
    if not write:
        require_read_statement(query)
    if settings.engine == "postgres":
        return _postgres(settings, query, write=write)
    from vitals.warehouse.spark_engine import SparkWarehouse

    with SparkWarehouse(settings) as warehouse:
        return warehouse.query_arrow(query)


def require_read_statement(query: str) -> None:
    """Refuse a statement whose first word (after comments and parentheses) is not one of ``READ_STATEMENTS``."""
    rest = _LEADING_NOISE.sub("", query, count=1)
    word = re.match(r"[A-Za-z_]+", rest)
    first = word.group().lower() if word else ""
    if first not in READ_STATEMENTS:
        shown = first.upper() or "this statement"
        raise SqlRefused(f"{shown} is not a query: {WRITE_HINT} (read-only takes {', '.join(READ_STATEMENTS)})")


def _duckdb(settings: Settings, query: str, *, write: bool) -> pa.Table:
    from vitals.warehouse.duckdb_engine import DuckDBWarehouse

    path = settings.warehouse
    if not write and not path.exists():
        raise WarehouseError(f"no DuckDB warehouse at {path} yet: load data first (`vitals load DIR`, `vitals build`)")
    warehouse = DuckDBWarehouse(path, read_only=not write)
    try:
        for statement in DUCKDB_LOCKDOWN:
            warehouse.execute(statement)
        return warehouse.query_arrow(query)
    except duckdb.PermissionException as exc:
        raise SqlRefused(f"{_first_line(exc)} ({ISOLATION_HINT})") from exc
    except duckdb.Error as exc:
        if not write and "read-only mode" in str(exc):
            raise SqlRefused(f"{_first_line(exc)} ({WRITE_HINT})") from exc
        raise
    finally:
        warehouse.close()


def _postgres(settings: Settings, query: str, *, write: bool) -> pa.Table:
    from vitals.warehouse.postgres_engine import PostgresWarehouse

    warehouse = PostgresWarehouse(settings.postgres.dsn, settings.postgres.schema_name)
    con = warehouse.con
    try:
        if write:
            return _arrow(con.execute(query))
        con.autocommit = False
        con.read_only = True
        con.execute("select 1")  # the READ ONLY transaction has begun: no SET TRANSACTION READ WRITE can follow
        try:
            return _arrow(con.cursor().execute(query, prepare=True))
        except psycopg.errors.ReadOnlySqlTransaction as exc:
            raise SqlRefused(f"{_first_line(exc)} ({WRITE_HINT})") from exc
        finally:
            con.rollback()
    finally:
        warehouse.close()


def _arrow(cursor: psycopg.Cursor[Any]) -> pa.Table:
    names = [d.name for d in cursor.description or []]
    rows = cursor.fetchall() if cursor.description else []
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
