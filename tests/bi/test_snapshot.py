"""The BI snapshot: published by every successful DuckDB build, swapped in atomically, opened read-only by another
process while `vitals serve` owns the warehouse."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import httpx
import pytest
from typer.testing import CliRunner

from tests.alerts.generated import Built
from tests.conftest import cli_env, make_settings
from tests.server.conftest import ADMIN_SECRET, ServerProcess
from vitals.bi.snapshot import INFO_TABLE, SnapshotError, publish_after_build, publish_snapshot, snapshot_path
from vitals.bi.tables import METRICS_TABLE, bi_tables
from vitals.cli import app
from vitals.config import Settings
from vitals.warehouse.base import WarehouseLockedError
from vitals.warehouse.duckdb_engine import connect_duckdb


def tables_of(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}


def copy_of(built: Built, directory: Path) -> Settings:
    """Settings over a private copy of the built warehouse (no snapshot yet)."""
    directory.mkdir(parents=True, exist_ok=True)
    return make_settings("duckdb", directory, warehouse=built.copy_to(directory))


def test_snapshot_path_defaults_beside_the_warehouse_and_can_be_set(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    assert snapshot_path(settings) == (tmp_path / "vitals.snapshot.duckdb").resolve()
    elsewhere = make_settings("duckdb", tmp_path, bi={"snapshot_path": str(tmp_path / "bi" / "s.duckdb")})
    assert snapshot_path(elsewhere) == (tmp_path / "bi" / "s.duckdb").resolve()
    itself = make_settings("duckdb", tmp_path, bi={"snapshot_path": str(tmp_path / "vitals.duckdb")})
    with pytest.raises(SnapshotError, match="is the warehouse itself"):
        publish_snapshot(itself)


def test_the_snapshot_holds_the_marts_metrics_and_core_tables(bi_built: Built) -> None:
    settings = Settings(warehouse=bi_built.warehouse)
    snapshot = snapshot_path(settings)
    assert snapshot.exists(), "no snapshot was published"
    expected = {table.name for table in bi_tables()}
    assert tables_of(snapshot) == expected | {INFO_TABLE}
    with duckdb.connect(str(snapshot), read_only=True) as con:
        copied = con.execute(f"select count(*) from {METRICS_TABLE}").fetchone()
        (built_as_of,) = con.execute(f"select built_as_of from {INFO_TABLE}").fetchone() or (None,)
        described = con.execute(
            "select comment from duckdb_columns() where table_name = ? and column_name = 'metric_date'",
            [METRICS_TABLE],
        ).fetchone()
    with duckdb.connect(str(bi_built.warehouse), read_only=True) as con:
        assert con.execute(f"select count(*) from {METRICS_TABLE}").fetchone() == copied
    assert copied and copied[0] > 0
    assert built_as_of == bi_built.made.window_end.replace(tzinfo=None)
    assert described and described[0]
    assert not list(snapshot.parent.glob("*.partial")), "a partial file was left behind"


def test_a_reader_keeps_its_snapshot_while_a_new_one_is_swapped_in(bi_built: Built, tmp_path: Path) -> None:
    settings = copy_of(bi_built, tmp_path)
    first = publish_snapshot(settings)
    reader = duckdb.connect(str(first.path), read_only=True)
    try:
        before = reader.execute(f"select published_at, (select count(*) from {METRICS_TABLE}) from {INFO_TABLE}")
        published, rows = before.fetchone() or (None, None)
        with connect_duckdb(settings.warehouse) as con:
            con.execute(f"delete from {METRICS_TABLE} where metric_name = 'mrr_cents'")
        second = publish_snapshot(settings)
        # the open connection still reads the snapshot it opened, whole
        assert reader.execute(f"select count(*) from {METRICS_TABLE}").fetchone() == (rows,)
    finally:
        reader.close()
    with duckdb.connect(str(second.path), read_only=True) as con:
        (now_rows,) = con.execute(f"select count(*) from {METRICS_TABLE}").fetchone() or (0,)
        (now_published,) = con.execute(f"select published_at from {INFO_TABLE}").fetchone() or (None,)
    assert now_rows < rows
    assert published is not None and now_published is not None and now_published >= published
    assert sorted(p.name for p in tmp_path.iterdir() if "snapshot" in p.name) == ["w.snapshot.duckdb"]


def test_no_snapshot_when_turned_off_or_on_other_engines(tmp_path: Path) -> None:
    off = make_settings("duckdb", tmp_path, bi={"snapshot": False})
    assert publish_after_build(off) is None
    assert not snapshot_path(off).exists()
    postgres = make_settings("postgres", tmp_path, "postgresql://127.0.0.1:1/none")
    assert publish_after_build(postgres) is None
    with pytest.raises(SnapshotError, match="DuckDB engine"):
        publish_snapshot(postgres)


def test_a_failed_publish_warns_and_keeps_the_previous_snapshot(
    bi_built: Built, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = copy_of(bi_built, tmp_path)
    previous = publish_snapshot(settings).path.read_bytes()
    blocked = make_settings(
        "duckdb", tmp_path, warehouse=settings.warehouse, bi={"snapshot_path": str(tmp_path / "file" / "s.duckdb")}
    )
    (tmp_path / "file").write_text("a file where a directory is needed")
    with caplog.at_level(logging.WARNING, logger="vitals.bi.snapshot"):
        assert publish_after_build(blocked) is None
    assert "the BI snapshot was not published" in caplog.text
    assert snapshot_path(settings).read_bytes() == previous


def test_another_process_reads_the_snapshot_while_the_server_owns_the_warehouse(
    bi_built: Built, tmp_path: Path
) -> None:
    settings = copy_of(bi_built, tmp_path / "served")
    snapshot = snapshot_path(settings)
    server = ServerProcess(settings, tmp_path).start()
    try:
        with pytest.raises(WarehouseLockedError):
            connect_duckdb(settings.warehouse, read_only=True)
        assert not snapshot.exists()
        as_of = (bi_built.made.window_end + timedelta(hours=1)).isoformat()
        reply = httpx.post(
            server.url + "/api/v1/admin/build",
            json={"as_of": as_of},
            headers={"Authorization": f"Bearer {ADMIN_SECRET}"},
            timeout=600.0,
        )
        assert reply.status_code == 200 and reply.json()["success"], reply.text
        # a separate process, as a BI tool is, opens the snapshot read-only while the server runs
        probe = (
            "import duckdb, sys\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            f"print(con.execute('select count(*) from {METRICS_TABLE}').fetchone()[0])\n"
            f"print(con.execute('select built_as_of from {INFO_TABLE}').fetchone()[0])\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe, str(snapshot)], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        rows, built_as_of = done.stdout.split("\n")[:2]
        assert int(rows) > 0
        assert built_as_of.startswith(as_of[:16].replace("T", " "))
        assert server.status()["build"]["last"]["outcome"] == "success"
        assert httpx.get(server.url + "/readyz", timeout=5.0).status_code == 200
    finally:
        server.stop()
    shutil.rmtree(tmp_path / "served", ignore_errors=True)


def test_cli_publishes_the_snapshot(bi_built: Built, tmp_path: Path) -> None:
    settings = copy_of(bi_built, tmp_path)
    result = CliRunner().invoke(app, ["bi", "snapshot"], env=cli_env(settings))
    assert result.exit_code == 0, result.output
    assert "published" in result.output
    assert INFO_TABLE in tables_of(snapshot_path(settings))
