"""The Python path for plain posted rows gives exactly what the contract's SQL checks and sanitizing give."""

from __future__ import annotations

import itertools
import json

import duckdb

from vitals.config import DEFAULT_PROPERTY_ALLOWLIST
from vitals.contracts import EVENTS
from vitals.server.events import _row, prepare_batch, sanitize_with_sql
from vitals.server.fast_rows import fast_row

TIMESTAMPS = [
    "2026-12-01T10:00:00Z",
    "2026-12-01 10:00:00",
    "2026-12-01T10:00:00.123456+02:00",
    "2026-12-01T10:00:00.5-08:00",
    "2026-12-01",
    "2026-02-30 10:00:00",  # no such day
    "2026-12-01T25:00:00Z",
    "2026-12-01 10:00",
    " 2026-12-01 10:00:00 ",
    "yesterday",
    "",
]
PROPERTIES: list[object] = [
    None,
    "",
    {"note_id": "n-1", "feature": "note", "patient_name": "Jane Doe"},
    {"quality_score": 0.93, "hard_error": False, "length": 1200},
    {"quality_score": 0.1 + 0.2, "length": 2**60},
    {"quality_score": 1.0, "client_release": 'web 1.2.3 / "beta"'},
    {"note_id": "Ünïcode", "error_code": None},
    {"feature": ["a", "b"], "plan": {"tier": 1}},
    {"transcript": "only PHI"},
    '{"note_id": "n-2", "note_id": "n-3"}',
    '{"note_id": "n-4"',
    "[1, 2]",
    "null",
    '"just a string"',
    {"org_name": "Clinic\\tNorth", "role": "doctor"},
    {"quality_score": 1e-07},
]

SESSIONS = [None, "s-1", "tab\tand\nnewline", "unit\x1fsep\x0b", 'quote " and \\ backslash', "Ünïcode ✓", "/slash"]


def rows() -> list[tuple[int, list[str | None]]]:
    found = []
    combos = itertools.product(TIMESTAMPS, PROPERTIES, ["evt-1", "", None], SESSIONS)
    for n, (occurred, props, event_id, session) in enumerate(combos):
        item = {
            "event_id": event_id,
            "occurred_at": occurred,
            "event_name": "note_submit",
            "properties": props,
            "session_id": session,
        }
        found.append((n, _row(item, "2026-12-01T10:00:01.000000Z")))
    return found


def test_the_python_path_equals_the_sql_path() -> None:
    con = duckdb.connect()
    cases = rows()
    sql_accepted, sql_rejected = sanitize_with_sql(cases, con, DEFAULT_PROPERTY_ALLOWLIST)
    fast_count = 0
    for index, values in cases:
        fast = fast_row(values, DEFAULT_PROPERTY_ALLOWLIST)
        if fast is None:
            continue
        fast_count += 1
        assert index not in sql_rejected, (values, sql_rejected.get(index))
        assert fast == sql_accepted[index], values
    # the Python path never takes a row the SQL refuses, and it takes the plain ones
    assert len(sql_rejected) > 0
    assert fast_count >= 100
    plain = _row(
        {"event_id": "e", "occurred_at": "2026-12-01T10:00:00Z", "event_name": "x", "properties": PROPERTIES[3]},
        "2026-12-01T10:00:01.000000Z",
    )
    assert fast_row(plain, DEFAULT_PROPERTY_ALLOWLIST) is not None


def test_a_batch_mixing_both_paths_keeps_the_posted_order() -> None:
    con = duckdb.connect()
    items = [
        {"event_id": "a", "occurred_at": "2026-12-01T10:00:00Z", "event_name": "login"},
        {"event_id": "b", "occurred_at": " 2026-12-01 10:00:00 ", "event_name": "login"},  # left to SQL
        {"event_id": "c", "occurred_at": "2026-12-01T10:00:00Z", "event_name": "login", "properties": "[1]"},
        {"event_id": "d", "occurred_at": "nope", "event_name": "login"},
        {"event_id": "e", "occurred_at": "2026-12-01T10:00:00Z", "event_name": "login"},
    ]
    batch = prepare_batch(items, con, DEFAULT_PROPERTY_ALLOWLIST)
    assert batch.record is not None
    assert [r[0] for r in batch.record.rows] == ["a", "b", "c", "e"]
    assert [(r.index, r.reason) for r in batch.rejected] == [(3, "occurred_at is not a valid timestamp")]
    properties = EVENTS.column_names.index("properties")
    assert batch.record.rows[2][properties] == "#invalid-json"
    assert json.loads(json.dumps(batch.record.rows))  # journal-ready
