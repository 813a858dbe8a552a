"""The scheduled pull from the app's Postgres: rows committed between ticks are picked up by the next one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.ingest.test_postgres_ingest import TYPED_TABLE, app_event, insert
from tests.server.conftest import ServerProcess, wait_for
from vitals.config import Settings
from vitals.ingest.postgres import source_key
from vitals.warehouse import open_warehouse

pytestmark = pytest.mark.postgres


def test_scheduled_pull_lands_new_rows_each_tick(duckdb_settings: Settings, pg_database: str, tmp_path: Path) -> None:
    import psycopg

    with psycopg.connect(pg_database) as con:
        con.execute(TYPED_TABLE)
    now = datetime.now(UTC)
    insert(pg_database, "events_big", [app_event(n, now) for n in range(3)])
    server = ServerProcess(duckdb_settings, tmp_path, source_dsn=pg_database, pull_interval_minutes=0.005).start()
    try:
        source = source_key(pg_database, "events_big")

        def pull_runs() -> int:
            job = server.status()["jobs"]["postgres_pull"]
            assert job["failures"] == 0, job["last_error"]
            return int(job["runs"])

        wait_for("a first pull", lambda: pull_runs() >= 1)
        status = server.status()
        assert status["sources"]["events_big"]["last_load"]["source"] == source
        insert(pg_database, "events_big", [app_event(n, datetime.now(UTC)) for n in range(3, 5)])
        runs = pull_runs()
        wait_for("a pull after the insert", lambda: pull_runs() >= runs + 2)
    finally:
        server.stop()
    with open_warehouse(duckdb_settings) as warehouse:
        rows = warehouse.query("select event_id, count(*) from raw.events_big group by event_id order by event_id")
    assert rows == [(f"evt_{n}", 1) for n in range(5)]
