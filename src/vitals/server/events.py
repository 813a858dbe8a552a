"""Events in real time: a JSON array in the ``events_big`` contract, checked row by row.

Each element must be an object whose keys are contract columns; values are strings, numbers, booleans
or null (``properties`` may also be a JSON object or array, kept as its JSON text). Missing
``_ingest_source`` becomes ``ingest_api`` and missing ``_ingest_ts`` the time the server received the
batch. Then the contract's checks (``validation.checks_for``: required columns, timestamps) apply, and
``occurred_at`` must fall inside the accepted ``Window`` (``serve.events_max_age_days`` back,
``serve.events_max_ahead_hours`` ahead of the time received); a string holding a lone surrogate is refused.
The rows that pass are sanitized (PHI dropped to the property allowlist) and hashed exactly like every other
way in (``sanitize.sanitized_select``). Plain rows take the equivalent Python path (``fast_rows``); the
others, and every rejection reason, come from one SQL pass over them. Only sanitized rows are journalled.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from vitals.contracts import EVENTS
from vitals.ingest.reader import sql_identifier
from vitals.ingest.sanitize import PHI_COLUMN, sanitized_select
from vitals.ingest.validation import checks_for
from vitals.json_body import unicode_problem
from vitals.server.fast_rows import fast_row
from vitals.server.journal import JournalRecord

INGEST_SOURCE = "ingest_api"
"""``_ingest_source`` of events posted without one."""

_COLUMNS = EVENTS.column_names
_KNOWN = frozenset(_COLUMNS)
_OCCURRED = _COLUMNS.index("occurred_at")


@dataclass(frozen=True)
class Window:
    """The accepted ``occurred_at`` range of a batch (UTC, inclusive): an event dated year 0 or decades
    ahead would stretch every daily metric table over the whole range."""

    earliest: datetime
    latest: datetime

    @classmethod
    def around(cls, now: datetime, max_age_days: float, max_ahead_hours: float) -> Window:
        """``max_age_days`` before ``now`` to ``max_ahead_hours`` after it."""
        return cls(now - timedelta(days=max_age_days), now + timedelta(hours=max_ahead_hours))

    def problem(self, moment: datetime) -> str | None:
        """Why ``moment`` (aware, or naive UTC) is refused, or None when it is inside."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if self.earliest <= moment <= self.latest:
            return None
        return f"occurred_at {_utc_text(moment)} UTC is {self.outside()}"

    def outside(self) -> str:
        """The reason's tail: the window and the settings that make it."""
        return (
            f"outside the accepted window {_utc_text(self.earliest)} .. {_utc_text(self.latest)} UTC "
            "(serve.events_max_age_days, serve.events_max_ahead_hours)"
        )

    def naive_bounds(self) -> tuple[str, str]:
        """The bounds as naive UTC timestamp literals for SQL."""
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        return self.earliest.astimezone(UTC).strftime(fmt), self.latest.astimezone(UTC).strftime(fmt)


@dataclass(frozen=True)
class Rejection:
    """A row that was not accepted: its index in the posted array and why."""

    index: int
    reason: str


@dataclass
class PreparedBatch:
    """A posted array after checking: the journal record of its accepted rows (None when there are
    none) and the rejected rows."""

    received: int
    record: JournalRecord | None
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Rows accepted (and journalled)."""
        return len(self.record.rows) if self.record else 0


_IDS = random.Random(os.urandom(16))
"""Batch id suffixes: unique, not secret (``uuid4`` reads the OS's entropy on every call, slow on some hosts)."""


def _utc_text(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC (four-digit years; the local text when UTC is out of range)."""
    with contextlib.suppress(OverflowError):
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "seconds")


def new_batch_id(now: datetime | None = None) -> str:
    """A batch id that sorts by time: ``20261202T011500123456Z-<12 hex>``."""
    moment = now or datetime.now(UTC)
    return f"{moment:%Y%m%dT%H%M%S%fZ}-{_IDS.getrandbits(48):012x}"


def _text(name: str, value: Any) -> str | None:
    """A JSON value as raw text; ``ValueError`` with the reason when the column cannot hold it."""
    if value is None:
        return value
    if isinstance(value, str):
        problem = unicode_problem(value)
        if problem is not None:
            raise ValueError(f"field {name} {problem}")
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"field {name} is not a finite number")
        return repr(value)
    if name == PHI_COLUMN and isinstance(value, dict | list):
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except RecursionError:
            raise ValueError(f"field {name} is nested too deeply") from None
        problem = unicode_problem(text)
        if problem is not None:
            raise ValueError(f"field {name} {problem}")
        return text
    raise ValueError(f"field {name} must be a string, number, boolean or null")


def _row(item: Any, received_at: str) -> list[str | None]:
    """One posted element as contract text values; ``ValueError`` with the reason when it cannot be."""
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    unknown = sorted(str(k) for k in item if k not in _KNOWN)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)} (not in the events_big contract)")
    values = {name: _text(name, item.get(name)) for name in _COLUMNS}
    if values["_ingest_source"] in (None, ""):
        values["_ingest_source"] = INGEST_SOURCE
    if values["_ingest_ts"] in (None, ""):
        values["_ingest_ts"] = received_at
    return [values[name] for name in _COLUMNS]


def _check_sql(table: str, window: Window | None) -> str:
    """One row per input row: its index and the contract checks it fails (NULL where it passes)."""
    cases = [
        f"case when {check.failing_sql} then {_literal(f'{check.column} {check.problem}')} end"
        for check in checks_for(EVENTS)
    ]
    if window is not None:
        # the instant as the contract's timestamp check reads it: naive text is UTC, offsets are honoured
        moment = (
            "coalesce(try_cast(occurred_at as timestamp), timezone('UTC', try_cast(trim(occurred_at) as timestamptz)))"
        )
        low, high = window.naive_bounds()
        cases.append(
            f"case when {moment} not between timestamp '{low}' and timestamp '{high}' "
            f"then 'occurred_at ' || strftime({moment}, '%Y-%m-%d %H:%M:%S') || ' UTC is ' || "
            f"{_literal(window.outside())} end"
        )
    return f"select __index, [{', '.join(cases)}] from {table}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def prepare_batch(
    items: list[Any],
    con: duckdb.DuckDBPyConnection,
    allowlist: list[str],
    *,
    now: datetime | None = None,
    window: Window | None = None,
) -> PreparedBatch:
    """Check the posted elements, sanitize and hash the valid ones; ``con`` is a DuckDB connection of
    this thread (an in-memory scratch database), used for the rows ``fast_rows`` leaves to SQL."""
    split = split_batch(items, allowlist, now=now, window=window)
    return split.finish(sanitize_with_sql(split.slow, con, allowlist, window) if split.slow else ({}, {}))


@dataclass
class SplitBatch:
    """A posted array after the Python checks: rows done, rows rejected, rows left to the SQL path."""

    received: int
    moment: datetime
    received_at: str
    accepted: dict[int, list[str | None]]
    rejected: dict[int, str]
    slow: list[tuple[int, list[str | None]]]
    window: Window | None = None

    def finish(self, sql: tuple[dict[int, list[str | None]], dict[int, str]]) -> PreparedBatch:
        """The prepared batch, with the SQL path's outcome for the ``slow`` rows."""
        accepted = {**self.accepted, **sql[0]}
        rejected = {**self.rejected, **sql[1]}
        rows = [accepted[i] for i in sorted(accepted)]
        record = JournalRecord(new_batch_id(self.moment), EVENTS.name, self.received_at, rows) if rows else None
        problems = [Rejection(i, rejected[i]) for i in sorted(rejected)]
        return PreparedBatch(received=self.received, record=record, rejected=problems)


def split_batch(
    items: list[Any], allowlist: list[str], *, now: datetime | None = None, window: Window | None = None
) -> SplitBatch:
    """The Python part of ``prepare_batch`` (cheap: fine on the event loop)."""
    moment = now or datetime.now(UTC)
    received_at = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    split = SplitBatch(len(items), moment, received_at, {}, {}, [], window)
    for index, item in enumerate(items):
        try:
            values = _row(item, received_at)
        except ValueError as exc:
            split.rejected[index] = str(exc)
            continue
        clean = fast_row(values, allowlist)
        if clean is None:
            split.slow.append((index, values))
            continue
        problem = _outside(window, clean[_OCCURRED])
        if problem is None:
            split.accepted[index] = clean
        else:
            split.rejected[index] = problem
    return split


def _outside(window: Window | None, occurred_at: str | None) -> str | None:
    """The window's reason for an ``occurred_at`` that ``fast_rows`` found certain (ISO text)."""
    if window is None or occurred_at is None:
        return None
    return window.problem(datetime.fromisoformat(occurred_at.replace("Z", "+00:00")))


def sanitize_with_sql(
    rows: list[tuple[int, list[str | None]]],
    con: duckdb.DuckDBPyConnection,
    allowlist: list[str],
    window: Window | None = None,
) -> tuple[dict[int, list[str | None]], dict[int, str]]:
    """The contract checks (``validation.checks_for``) and ``sanitize.sanitized_select`` over (index, values)
    rows: the accepted rows (sanitized, hashed) and the reasons of the rejected ones, by index."""
    name = f"posted_{uuid.uuid4().hex[:12]}"
    data = {c: pa.array([r[i] for _, r in rows], pa.string()) for i, c in enumerate(_COLUMNS)}
    data["__index"] = pa.array([index for index, _ in rows], pa.int64())
    rejected: dict[int, str] = {}
    con.register(name, pa.table(data))
    try:
        for index, problems in con.execute(_check_sql(name, window)).fetchall():
            found = [p for p in problems if p is not None]
            if found:
                rejected[int(index)] = "; ".join(found)
        good = [index for index, _ in rows if index not in rejected]
        if not good:
            return {}, rejected
        columns = ", ".join(sql_identifier(c) for c in _COLUMNS)
        listed = ", ".join(str(i) for i in good)
        source = f"select {columns} from {name} where __index in ({listed}) order by __index"
        query = sanitized_select(EVENTS, source, allowlist)
        clean = [list(r) for r in con.execute(query).fetchall()]  # rows keep their order
    finally:
        con.unregister(name)
    return dict(zip(good, clean, strict=True)), rejected
