"""The BI snapshot: a read-only copy of what BI tools read, published after each successful DuckDB build.

DuckDB lets one process write a file, and `vitals serve` holds the warehouse open for its whole life, so a BI
tool cannot open the warehouse itself. After each successful build the marts, ``metrics_daily`` and the core
tables are copied into a new DuckDB file written beside the snapshot, which then replaces the snapshot in one
rename (``os.replace``). A tool that opens the snapshot read-only sees the previous build or the new one, never a
half-written file; a connection held open keeps reading the build it opened until it reconnects.

The copy runs through the warehouse's own DuckDB instance (``ATTACH``), so it works inside the server, whose
builds hold the writer lock while it runs: nothing changes the tables during the copy.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vitals.bi.tables import BiTable, bi_tables
from vitals.config import Settings
from vitals.errors import VitalsError
from vitals.warehouse.duckdb_engine import DuckDBWarehouse

log = logging.getLogger("vitals.bi.snapshot")

SNAPSHOT_SUFFIX = ".snapshot.duckdb"
INFO_TABLE = "vitals_snapshot"
"""One row in the snapshot: when it was published and as of which build."""


class SnapshotError(VitalsError):
    """The snapshot could not be published; the message names the file and why."""


@dataclass(frozen=True)
class Snapshot:
    """A published snapshot."""

    path: Path
    tables: tuple[str, ...]
    published_at: datetime
    built_as_of: datetime | None
    seconds: float


def snapshot_path(settings: Settings) -> Path:
    """Where the snapshot is published: ``bi.snapshot_path``, else ``<warehouse stem>.snapshot.duckdb`` beside
    the warehouse (an absolute path)."""
    if settings.bi.snapshot_path:
        return Path(settings.bi.snapshot_path).resolve()
    warehouse = settings.warehouse.resolve()
    return warehouse.with_name(warehouse.stem + SNAPSHOT_SUFFIX)


def publish_after_build(settings: Settings, built_as_of: datetime | None = None) -> Snapshot | None:
    """What a successful build calls: publish the snapshot when the engine is DuckDB and ``bi.snapshot`` is on.
    A failure is logged, never raised: the build itself succeeded, and BI tools keep the previous snapshot."""
    if settings.engine != "duckdb" or not settings.bi.snapshot:
        return None
    try:
        return publish_snapshot(settings, built_as_of=built_as_of)
    except Exception as exc:
        log.warning("the BI snapshot was not published (BI tools keep the previous one): %s", exc)
        return None


def publish_snapshot(settings: Settings, *, built_as_of: datetime | None = None) -> Snapshot:
    """Copy the BI tables of the DuckDB warehouse into a new file and swap it in as the snapshot atomically."""
    if settings.engine != "duckdb":
        raise SnapshotError(
            f"the BI snapshot is for the DuckDB engine; with engine {settings.engine!r}, BI tools connect to the "
            "warehouse itself (see docs/bi.md)"
        )
    target = snapshot_path(settings)
    if target == settings.warehouse.resolve():
        raise SnapshotError(f"bi.snapshot_path {target} is the warehouse itself; name another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    published_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    _discard(partial)
    warehouse = DuckDBWarehouse(settings.warehouse)
    try:
        present = {
            row[0]
            for row in warehouse.query(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = ?",
                [warehouse.core_schema],
            )
        }
        tables = [table for table in bi_tables() if table.name in present]
        if not tables:
            raise SnapshotError(f"the warehouse {settings.warehouse} has no built marts yet: run `vitals build`")
        alias = f"vitals_snapshot_{uuid.uuid4().hex[:12]}"
        warehouse.execute(f"attach '{_quote(str(partial))}' as {alias}")
        try:
            for table in tables:
                warehouse.execute(
                    f'create table {alias}.main."{table.name}" as select * from {warehouse.core_schema}."{table.name}"'
                )
            _describe(warehouse, alias, tables)
            warehouse.execute(
                f"create table {alias}.main.{INFO_TABLE} as select "
                "cast(? as timestamp) as published_at, cast(? as timestamp) as built_as_of, ? as tables",
                [published_at, _naive_utc(built_as_of), len(tables)],
            )
            warehouse.execute(f"checkpoint {alias}")
        finally:
            warehouse.execute(f"detach {alias}")
    except Exception as exc:
        _discard(partial)
        if isinstance(exc, VitalsError):
            raise
        raise SnapshotError(f"cannot write the BI snapshot {target}: {exc}") from exc
    finally:
        warehouse.close()
    _swap(partial, target)
    snapshot = Snapshot(
        path=target,
        tables=tuple(table.name for table in tables),
        published_at=published_at,
        built_as_of=_naive_utc(built_as_of),
        seconds=time.monotonic() - started,
    )
    log.info("published the BI snapshot %s (%d tables) in %.2f s", target, len(tables), snapshot.seconds)
    return snapshot


def _describe(warehouse: DuckDBWarehouse, alias: str, tables: list[BiTable]) -> None:
    """The tables' and columns' descriptions as comments (BI tools show them), in one transaction."""
    present = {
        (row[0], row[1])
        for row in warehouse.query(
            "select table_name, column_name from information_schema.columns where table_catalog = ?", [alias]
        )
    }
    statements = []
    for table in tables:
        name = f'{alias}.main."{table.name}"'
        if table.description:
            statements.append(f"comment on table {name} is '{_quote(table.description)}'")
        statements += [
            f"comment on column {name}.\"{column.name}\" is '{_quote(column.description)}'"
            for column in table.columns
            if column.description and (table.name, column.name) in present
        ]
    warehouse.execute("begin transaction")
    try:
        for statement in statements:
            warehouse.execute(statement)
    except Exception:
        warehouse.execute("rollback")
        raise
    warehouse.execute("commit")


def _swap(partial: Path, target: Path) -> None:
    """Make the new file durable, then replace the snapshot with it in one rename."""
    wal = partial.with_name(partial.name + ".wal")
    if wal.exists():  # a checkpointed, detached database leaves none; never publish one half-applied
        _discard(partial)
        raise SnapshotError(f"the new BI snapshot {partial} still had a write-ahead log; nothing was published")
    try:
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        _remove(target.with_name(target.name + ".wal"))
        os.replace(partial, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as exc:
        _discard(partial)
        raise SnapshotError(f"cannot replace the BI snapshot {target}: {exc}") from exc


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _discard(partial: Path) -> None:
    """Remove a partial snapshot and the write-ahead log DuckDB may have left beside it."""
    _remove(partial)
    _remove(partial.with_name(partial.name + ".wal"))


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
