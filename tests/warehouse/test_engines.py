"""The warehouse interface behaves the same on each engine; DuckDB's single writer gets a clear message."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

from vitals.config import Settings
from vitals.contracts import RAW_TABLES
from vitals.warehouse import WarehouseLockedError, open_warehouse
from vitals.warehouse.postgres_engine import redact_dsn


def test_raw_tables_and_roundtrip(engine_settings: Settings) -> None:
    with open_warehouse(engine_settings) as wh:
        wh.ensure_raw_tables()
        wh.ensure_raw_tables()  # idempotent
        for table in RAW_TABLES:
            assert wh.table_exists("raw", table)
        wh.append_arrow("raw", "events_big", pa.table({"event_id": ["e1", "e2"], "org_id": ["A", None]}))
        rows = wh.query("select event_id, org_id from raw.events_big order by event_id")
        assert rows == [("e1", "A"), ("e2", None)]
        assert wh.query_arrow("select count(*) as n from raw.events_big").to_pylist() == [{"n": 2}]
        assert not wh.table_exists("raw", "nope")


def test_transaction_rollback_leaves_nothing(engine_settings: Settings) -> None:
    with open_warehouse(engine_settings) as wh:
        wh.ensure_raw_tables()
        wh.begin()
        wh.append_arrow("raw", "events_big", pa.table({"event_id": ["e1"]}))
        wh.rollback()
        assert wh.query("select count(*) from raw.events_big") == [(0,)]


def test_locked_duckdb_file_gets_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(path)!r})
                print("ready", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseLockedError) as error:
            open_warehouse(Settings(warehouse=path))
        message = str(error.value)
        assert str(path) in message
        assert "one writer" in message
    finally:
        holder.communicate("")


def test_dsn_password_is_redacted() -> None:
    shown = redact_dsn("postgresql://alice:s3cret@db.example:5432/app")
    assert "s3cret" not in shown
    assert "alice" in shown


def test_postgres_test_databases_plan_parallel_queries(pg_database: str) -> None:
    """The PostgreSQL suite runs with parallel plans forced, so code that breaks in a parallel plan (a
    function with an exception block declared parallel safe) fails on test-sized data too."""
    import psycopg

    with psycopg.connect(pg_database) as con:
        version = int(con.execute("show server_version_num").fetchone()[0])  # type: ignore[index]
        setting = "debug_parallel_query" if version >= 160000 else "force_parallel_mode"
        assert con.execute(f"show {setting}").fetchone() == ("on",)
        assert con.execute("show min_parallel_table_scan_size").fetchone() == ("0",)
