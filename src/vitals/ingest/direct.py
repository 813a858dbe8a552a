"""Land a CSV or Parquet file into a DuckDB warehouse in one streaming statement.

The warehouse's DuckDB reads the file itself: rows are parsed, checked (``validation.guard_sql``),
cleaned of PHI and hashed in vectors of a few thousand rows and appended to ``raw.<table>`` as they
go, so memory does not grow with the file (what must be kept, such as the hash join's table, spills
to disk past ``ingest.memory_limit``). The statement is

    insert into raw.<table> select ... from (select ... from <file> where <guard>) as s
    anti join (select _row_hash from raw.<table>) as t on t._row_hash = s._row_hash

one hash anti-join against the raw table's hashes per file, never per batch: the hashes already
there are the join's build side (spilled to disk past the memory limit), the file's rows stream past
it. Rows repeated within the file are all new to the raw table, so the extra copies are removed
afterwards, looking at this load's rows only (they carry this load's ``_loaded_at``; row groups of
earlier loads are skipped by their min/max).

The caller holds the transaction: a guard that stops the statement, a file that cannot be parsed
or a refused insert leave nothing behind once it rolls back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from vitals.contracts import LOADED_AT_COLUMN, RAW_SCHEMA, ROW_HASH_COLUMN
from vitals.ingest.file_formats import PreparedSource
from vitals.ingest.reader import sql_identifier, sql_literal
from vitals.ingest.validation import guard_sql
from vitals.warehouse.duckdb_engine import DuckDBWarehouse

POLL_SECONDS = 0.25
"""How often the progress of the running statement is read."""

Progress = Callable[[int, int], None]
"""Told (rows done, rows in the file) as the statement goes; rows done is DuckDB's estimate."""


@dataclass(frozen=True)
class DirectLanding:
    """What landing one file did."""

    rows_read: int
    rows_inserted: int


def land_file(
    warehouse: DuckDBWarehouse, prepared: PreparedSource, loaded_at: str, on_progress: Progress | None = None
) -> DirectLanding:
    """Stream ``prepared`` into its raw table, stamped ``loaded_at`` (unique to this load); run inside a
    transaction. DuckDB errors (unreadable file, failing guard, refused insert) propagate as they are."""
    raw = prepared.source.table
    table = f"{RAW_SCHEMA}.{raw.name}"
    quoted = [sql_identifier(c) for c in raw.column_names]
    columns = ", ".join(quoted)
    rows_read = _count(warehouse, prepared)
    on_share: Callable[[float], None] | None = None
    if on_progress is not None:
        tell = on_progress
        tell(0, rows_read)

        def on_share(share: float) -> None:
            tell(round(share * rows_read), rows_read)

    statement = (
        f"insert into {table} ({columns}, {ROW_HASH_COLUMN}, {LOADED_AT_COLUMN}) "
        f"select {', '.join(f's.{c}' for c in [*quoted, ROW_HASH_COLUMN])}, {sql_literal(loaded_at)} "
        f"from (select * from ({prepared.landed_sql}) where {guard_sql(raw)}) as s "
        f"anti join (select {ROW_HASH_COLUMN} from {table}) as t on t.{ROW_HASH_COLUMN} = s.{ROW_HASH_COLUMN}"
    )
    found = _run_with_progress(warehouse, statement, on_share)
    inserted = int(found[0]) if found else 0
    inserted -= _drop_repeats(warehouse, table, loaded_at)
    return DirectLanding(rows_read=rows_read, rows_inserted=inserted)


def _count(warehouse: DuckDBWarehouse, prepared: PreparedSource) -> int:
    """The file's rows: from the footer for Parquet, a parse without conversions for CSV."""
    found = warehouse.con.execute(f"select count(*) from ({prepared.rows_sql})").fetchone()
    return int(found[0]) if found else 0


def _run_with_progress(
    warehouse: DuckDBWarehouse, statement: str, on_progress: Callable[[float], None] | None
) -> tuple[int] | None:
    """Run ``statement`` and return its one row; meanwhile tell ``on_progress`` the share (0..1) done."""
    if on_progress is None:
        return warehouse.con.execute(statement).fetchone()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["row"] = warehouse.con.execute(statement).fetchone()
        except BaseException as exc:  # handed to the calling thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="vitals-load", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            done = warehouse.con.query_progress()
            if done >= 0:
                on_progress(min(done, 100.0) / 100.0)
    except BaseException:  # Ctrl-C: stop the statement too, then let the transaction roll back
        warehouse.con.interrupt()
        worker.join()
        raise
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    on_progress(1.0)
    return outcome.get("row")  # type: ignore[return-value]


def _drop_repeats(warehouse: DuckDBWarehouse, table: str, loaded_at: str) -> int:
    """Delete all but one copy of each row hash among this load's rows; return how many went."""
    mine = f"{LOADED_AT_COLUMN} = {sql_literal(loaded_at)}"
    found = warehouse.con.execute(
        f"select count(*) - count(distinct {ROW_HASH_COLUMN}) from {table} where {mine}"
    ).fetchone()
    repeats = int(found[0]) if found else 0
    if repeats:
        warehouse.con.execute(
            f"delete from {table} where {mine} and rowid in (select rowid from (select rowid, row_number() over "
            f"(partition by {ROW_HASH_COLUMN} order by rowid) as copy from {table} where {mine}) where copy > 1)"
        )
    return repeats
