"""Admin endpoints, and `vitals build` / `vitals load` asking the server that owns the DuckDB file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.server.conftest import ADMIN_SECRET, ServerProcess, event
from vitals.config import Settings
from vitals.ingest.contracts import EVENTS
from vitals.warehouse import open_warehouse


def vitals(server: ServerProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vitals", *args],
        env={**server.env, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_build_and_load_are_done_by_the_running_server(duckdb_settings: Settings, tmp_path: Path) -> None:
    server = ServerProcess(duckdb_settings, tmp_path).start()
    try:
        build = server.url + "/api/v1/admin/build"
        assert httpx.post(build).status_code == 401
        assert httpx.post(build, headers={"Authorization": "Bearer wrong"}).status_code == 401

        # another process cannot open the file: it is told so, not shown a stack trace
        query = vitals(server, "sql", "select 1")
        assert query.returncode == 1
        assert "in use by another process" in query.stderr and "Traceback" not in query.stderr

        # `vitals load` hands the directory to the server
        files = tmp_path / "files"
        files.mkdir()
        header = ",".join(EVENTS.column_names)
        blank = "," * (len(EVENTS.column_names) - 3)
        lines = [
            header,
            f"evt-file-1,,,,2026-12-01 09:00:00,login{blank}",
            f"evt-file-2,,,,2026-12-01 09:05:00,logout{blank}",
        ]
        (files / "events_big.csv").write_text("\n".join(lines) + "\n")
        loaded = vitals(server, "load", str(files))
        assert loaded.returncode == 0, loaded.stderr
        assert "loaded by the server" in loaded.stdout

        # an event posted just before is applied before the build starts
        assert server.post_events([event("evt-posted")]).status_code == 200
        built = vitals(server, "build")
        assert built.returncode == 0, built.stderr
        assert "built by the server" in built.stdout
        last = server.status()["build"]["last"]
        assert last["outcome"] == "success" and last["trigger"] == "admin"
        assert last["kind"] == "first"
        # after the build the writer goes on applying what is posted
        assert server.post_events([event("evt-after-build")]).status_code == 200
        server.wait_applied()
        # without the secret the command says what to set
        refused = vitals(server, "build", VITALS_SERVE__ADMIN_SECRET="")
        assert refused.returncode == 1
        assert "VITALS_SERVE__ADMIN_SECRET" in refused.stderr.replace("\n", "")
    finally:
        server.stop()
    with open_warehouse(duckdb_settings) as warehouse:
        raw = [r[0] for r in warehouse.query("select event_id from raw.events_big order by event_id")]
        staged = [r[0] for r in warehouse.query("select event_id from stg_app__events order by event_id")]
        built_tables = {r[0] for r in warehouse.query("select table_name from information_schema.tables")}
    assert raw == ["evt-after-build", "evt-file-1", "evt-file-2", "evt-posted"]
    assert staged == raw[1:]  # the build saw the posted event: the journal is applied before a build
    assert "metrics_daily" in built_tables


def test_admin_endpoints_are_disabled_without_a_secret(duckdb_settings: Settings, tmp_path: Path) -> None:
    server = ServerProcess(duckdb_settings, tmp_path, admin_secret="").start()
    try:
        response = httpx.post(server.url + "/api/v1/admin/build", headers={"Authorization": f"Bearer {ADMIN_SECRET}"})
        assert response.status_code == 503
        assert "serve.admin_secret" in response.json()["detail"]
    finally:
        server.stop()
