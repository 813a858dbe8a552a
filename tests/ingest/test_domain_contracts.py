"""The optional domain contracts (SPEC 2.6) land like every raw table: from files and from Postgres, checked,
all or nothing, and only once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from vitals.config import Settings
from vitals.contracts import DOMAIN_TABLES, OPTIONAL_SOURCES, RAW_TABLES
from vitals.ingest.errors import LoadError
from vitals.ingest.files import load_directory
from vitals.ingest.postgres import ingest_postgres
from vitals.warehouse import open_warehouse

ORG = "550e8400-e29b-41d4-a716-446655440000"


def _row(table: str, n: int) -> dict[str, str]:
    """A valid row of ``table``; ``n`` makes its key and times distinct."""
    at = f"2026-05-{n:02d}T10:00:00Z"
    common = {"_ingest_source": "crm_export", "_ingest_ts": at}
    rows: dict[str, dict[str, str]] = {
        "crm_deals": {
            "deal_id": f"deal_{n}", "org_id": "", "company_name": "Lakeside Health",
            "company_domain": "lakeside.example", "owner_id": "owner_1", "pipeline": "default", "stage": "qualified",
            "amount_cents": "150000", "currency": "USD", "created_at": "2026-04-01T00:00:00Z",
            "expected_close_date": "2026-06-30", "closed_at": "", "is_won": "", "lost_reason": "",
            "source_channel": "paid_search", "updated_at": at, **common,
        },
        "crm_activities": {
            "activity_id": f"act_{n}", "deal_id": "deal_1", "org_id": ORG, "owner_id": "owner_1", "kind": "Call",
            "occurred_at": at, **common,
        },
        "crm_quotas": {
            "owner_id": f"owner_{n}", "owner_name": "Ada", "team": "west", "month": "2026-05-01",
            "quota_cents": "5000000", "currency": "USD", **common,
        },
        "marketing_spend": {
            "spend_date": f"2026-05-{n:02d}", "channel": "paid_search", "campaign": "spring", "spend_cents": "12345",
            "currency": "USD", **common,
        },
        "marketing_leads": {
            "lead_id": f"lead_{n}", "created_at": "2026-04-20T08:00:00Z", "company_domain": "mercy.example",
            "channel": "paid_search", "campaign": "spring", "mql_at": "2026-04-25T00:00:00Z", "sql_at": "",
            "deal_id": "", "org_id": "", "updated_at": at, **common,
        },
        "support_tickets": {
            "ticket_id": f"tkt_{n}", "org_id": ORG, "provider_id": "", "created_at": "2026-05-01T09:00:00Z",
            "first_response_at": "2026-05-01T09:30:00Z", "resolved_at": "", "status": "open", "priority": "High",
            "channel": "email", "category": "billing", "csat_score": "", "escalated": "false", "updated_at": at,
            **common,
        },
        "retention_campaigns": {
            "campaign_id": f"camp_{n}", "org_id": ORG, "kind": "win_back", "channel": "email",
            "started_at": "2026-05-01", "sent_at": "2026-05-01T12:00:00Z", "opened_at": "", "clicked_at": "",
            "responded_at": "", "outcome": "", "updated_at": at, **common,
        },
        "nps_responses": {
            "response_id": f"resp_{n}", "org_id": ORG, "provider_id": "", "user_id": "u1", "score": "9",
            "comment": "", "responded_at": at,
        },
    }  # fmt: skip
    return rows[table]


BAD_VALUES: dict[str, tuple[str, str, str]] = {
    "crm_deals": ("amount_cents", "1500.50", "is not a valid integer"),
    "crm_activities": ("kind", "fax", "is not one of call, email, meeting, note"),
    "crm_quotas": ("month", "next month", "is not a valid timestamp"),
    "marketing_spend": ("spend_cents", "", "is empty, but the column is required"),
    "marketing_leads": ("mql_at", "soon", "is not a valid timestamp"),
    "support_tickets": ("csat_score", "6", "is outside 1..5"),
    "retention_campaigns": ("outcome", "maybe", "is not one of recovered, churned, no_response"),
    "nps_responses": ("score", "11", "is outside 0..10"),
}
"""Per contract: a column, a value it refuses and how the message says so."""

NEW = [t.name for t in DOMAIN_TABLES if t.name != "nps_responses"]


def _count(settings: Settings, table: str) -> int:
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        return int(warehouse.query(f"select count(*) from raw.{table}")[0][0])


def test_every_domain_contract_is_an_optional_source_with_its_exact_columns() -> None:
    assert set(OPTIONAL_SOURCES) == set(BAD_VALUES)
    for name in OPTIONAL_SOURCES:
        assert RAW_TABLES[name].column_names == list(_row(name, 1)), name
    snapshots = {t.name for t in DOMAIN_TABLES if t.versioned_by == "updated_at"}
    assert snapshots == {"crm_deals", "marketing_leads", "support_tickets", "retention_campaigns"}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("table", NEW)
def test_a_domain_file_lands_once_and_a_bad_row_refuses_the_whole_load(
    engine_settings: Settings, write_source: Any, rows: Any, tmp_path: Path, table: str, fmt: str
) -> None:
    good = write_source(table, [_row(table, 1), _row(table, 2), _row(table, 2)], fmt, tmp_path / "good")

    first = load_directory(engine_settings, good.parent, progress=False)
    again = load_directory(engine_settings, good.parent, progress=False)

    assert (first.table(table).rows_read, first.table(table).rows_inserted) == (3, 2)
    assert (again.table(table).rows_read, again.table(table).rows_inserted) == (3, 0)
    column, value, problem = BAD_VALUES[table]
    folder = tmp_path / "bad"
    write_source("events_big", [rows.event(1)], fmt, folder)  # valid, and would land first
    write_source(table, [_row(table, 3), {**_row(table, 4), column: value}], fmt, folder)

    with pytest.raises(LoadError) as caught:
        load_directory(engine_settings, folder, progress=False)

    shown = "NULL" if value == "" and fmt == "csv" else f"'{value}'"
    assert f"{table}.{fmt}:row 2 column {column}: value {shown} {problem}" in str(caught.value)
    assert (caught.value.row, caught.value.column) == (2, column)
    assert _count(engine_settings, table) == 2 and _count(engine_settings, "events_big") == 0


@pytest.mark.postgres
@pytest.mark.parametrize("table", NEW)
def test_a_domain_contract_is_pulled_from_postgres(tmp_path: Path, app_dsn: str, pg_database: str, table: str) -> None:
    from tests.conftest import make_settings

    settings = make_settings("postgres", tmp_path, pg_database)
    raw = RAW_TABLES[table]
    with psycopg.connect(app_dsn, autocommit=True) as app:
        app.execute(f"create table source_{table} ({', '.join(f'{c} text' for c in raw.column_names)})")
        for n in (1, 2):
            values = _row(table, n)
            app.execute(
                f"insert into source_{table} values ({', '.join('%s' for _ in raw.column_names)})",
                [values[c] for c in raw.column_names],
            )
    pull = {"table": f"source_{table}", "cursor_column": "_ingest_ts", "into": table, "progress": False}

    first = ingest_postgres(settings, app_dsn, **pull)
    again = ingest_postgres(settings, app_dsn, **pull)

    assert (first.table(table).rows_read, first.table(table).rows_inserted) == (2, 2)
    assert again.table(table).rows_inserted == 0
    assert _count(settings, table) == 2
