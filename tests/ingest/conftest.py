"""Fixtures for the loaders: hand-written source files and a second PostgreSQL database (the app's)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vitals.contracts import EVENTS, NPS_RESPONSES, RAW_TABLES, SENTRY_ERRORS, STRIPE_BILLING

Row = dict[str, Any]
WriteSource = Callable[..., Path]

ADMIN_DSN = os.environ.get("VITALS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def event(n: int, **overrides: Any) -> Row:
    """A valid events_big row; ``n`` makes the ids and times distinct."""
    row: Row = {
        "event_id": f"evt_{n}",
        "org_id": "550E8400-E29B-41D4-A716-446655440000",
        "provider_id": "7b44b47b-62d7-4fd6-8ef3-984f251c5c3a",
        "user_id": "",
        "occurred_at": f"2023-12-01 13:{n:02d}:23.456",
        "event_name": "note_submit",
        "session_id": "sess_1",
        "request_id": f"req_{n}",
        "source": "app",
        "endpoint": "/api/v1/notes",
        "device": "Chrome/Windows",
        "geo_country": "US",
        "properties": json.dumps({"note_id": f"n{n}", "length": 500, "patient_name": "Jane Doe"}),
        "inserted_at": f"2023-12-01 13:{n:02d}:24",
        "_ingest_source": "frontend_logger",
        "_ingest_ts": f"2023-12-01 13:{n:02d}:25.123",
    }
    row.update(overrides)
    return row


def invoice(n: int, **overrides: Any) -> Row:
    """A valid stripe_billing_big row."""
    row: Row = {
        "invoice_id": f"in_{n}",
        "org_id": "550e8400-e29b-41d4-a716-446655440000",
        "customer_id": "cus_1",
        "subscription_id": "sub_1",
        "price_id": "price_1",
        "product": "Enterprise Plan",
        "currency": "USD",
        "period_start": f"2023-{n:02d}-01",
        "period_end": f"2023-{n:02d}-28",
        "amount_cents": "100000",
        "subtotal_cents": "95000",
        "tax_cents": "5000",
        "discount_cents": "0",
        "quantity": "10",
        "status": "paid",
        "paid_at": f"2023-{n:02d}-01 00:00:00",
        "refunded_cents": "0",
        "mrr_cents": "100000",
        "churn_flag": "false",
        "expansion_flag": "true",
        "_ingest_source": "stripe_webhook",
        "_ingest_ts": f"2023-{n:02d}-01 00:00:01",
    }
    row.update(overrides)
    return row


def error(n: int, **overrides: Any) -> Row:
    """A valid sentry_errors_big row."""
    row: Row = {
        "event_id": f"err_{n}",
        "org_id": "550e8400-e29b-41d4-a716-446655440000",
        "provider_id": "",
        "project": "clinical-notes-web",
        "group_id": "grp_1",
        "level": "error",
        "message": "Failed to save note",
        "culprit": "NoteEditor.save()",
        "release": "v1.2.3",
        "environment": "production",
        "url": "/notes/123/edit",
        "user_id_raw": "user_456",
        "created_at": f"2023-12-01T13:{n:02d}:23Z",
        "tags": json.dumps({"request_id": f"req_{n}"}),
        "contexts": json.dumps({"os": "Windows"}),
        "group_first_seen": "2023-11-15",
        "group_last_seen": "2023-12-01",
        "group_count": "42",
        "_ingest_source": "sentry_webhook",
        "_ingest_ts": f"2023-12-01 13:{n:02d}:24",
    }
    row.update(overrides)
    return row


def nps(n: int, **overrides: Any) -> Row:
    """A valid nps_responses row."""
    row: Row = {
        "response_id": f"resp_{n}",
        "org_id": "550E8400-E29B-41D4-A716-446655440000",
        "provider_id": "7b44b47b-62d7-4fd6-8ef3-984f251c5c3a",
        "user_id": "",
        "score": str(n % 11),
        "comment": "Great, but slow on Mondays",
        "responded_at": f"2024-02-{n:02d}T09:30:00Z",
    }
    row.update(overrides)
    return row


class Rows:
    """Valid rows of each raw table, handed to tests by the ``rows`` fixture."""

    event = staticmethod(event)
    invoice = staticmethod(invoice)
    error = staticmethod(error)
    nps = staticmethod(nps)
    by_table: ClassVar[dict[str, Callable[..., Row]]] = {
        EVENTS.name: event,
        STRIPE_BILLING.name: invoice,
        SENTRY_ERRORS.name: error,
        NPS_RESPONSES.name: nps,
    }


@pytest.fixture
def rows() -> type[Rows]:
    """Builders of valid rows: ``rows.event(n, **overrides)``, ``rows.invoice``, ``rows.error``."""
    return Rows


def write_rows(path: Path, rows: list[Row], columns: list[str] | None = None) -> Path:
    """Write ``rows`` in the format named by ``path``'s suffix (csv, csv.gz, jsonl, ndjson, parquet)."""
    columns = columns or list(rows[0])
    name = path.name
    if name.endswith((".csv", ".csv.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "wt", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([[row.get(c) for c in columns] for row in rows])
    elif name.endswith((".jsonl", ".ndjson")):
        path.write_text("".join(json.dumps({c: row.get(c) for c in columns}) + "\n" for row in rows))
    elif name.endswith(".parquet"):
        pq.write_table(pa.table({c: [row.get(c) for row in rows] for c in columns}), path)
    else:
        raise ValueError(name)
    return path


@pytest.fixture
def write_source(tmp_path: Path) -> WriteSource:
    """``write_source(table, rows, fmt="csv", directory=None, columns=None)`` -> the written file."""

    def write(
        table: str,
        rows: list[Row],
        fmt: str = "csv",
        directory: Path | None = None,
        columns: list[str] | None = None,
    ) -> Path:
        assert table in RAW_TABLES
        folder = directory or tmp_path / "files"
        folder.mkdir(parents=True, exist_ok=True)
        return write_rows(folder / f"{table}.{fmt}", rows, columns or RAW_TABLES[table].column_names)

    return write


@pytest.fixture
def app_dsn() -> Iterator[str]:
    """A second fresh PostgreSQL database standing for the app's; yields its DSN (with a password,
    which the trust-auth test server ignores, to check it never shows)."""
    try:
        with psycopg.connect(ADMIN_DSN, connect_timeout=3):
            pass
    except psycopg.OperationalError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL not reachable at {ADMIN_DSN} (CI=true: the Postgres tests must run)")
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_DSN}")
    name = f"vitals_app_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as con:
        con.execute(f'create database "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_DSN)
    info.update(dbname=name, password="s3cret-app-pw")
    try:
        yield psycopg.conninfo.make_conninfo(**info)  # type: ignore[arg-type]
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as con:
            con.execute(f'drop database if exists "{name}" with (force)')
