"""A small hand-built dataset for the KPI, product and reliability marts, and a per-engine build.

All times below are UTC; the business time zone is America/Los_Angeles (PST = UTC-8 all along, the
data stays clear of DST), so 17:00-23:59 UTC falls on the same business date and 06:30 UTC falls on
the previous one. The as-of time is Friday 2026-02-20 20:00 UTC = 12:00 PST. Mondays (week
starts): 2025-11-24, 12-01, 12-08, ..., 2026-02-02, 02-09, 02-16.

Providers (first event = joining day; cohort week = its Monday):
- P1 doctor, org A, joined 2025-11-24; active 11-24, 12-01, 12-22, then 02-16 .. 02-20 (jobs daily).
- P2 nurse, org A, joined 2025-11-25; active 11-25, 12-23 and 02-09 (an event at 02-10 06:30 UTC).
- P3 doctor, org A, joined 2026-02-09; active 02-09, 02-10, 02-17, 02-18.
- P4 doctor, org B, joined 2026-02-03; active 02-03, 02-12, 02-19.

Jobs (created_at business date = completed date; duration = success - submit, summarize = success -
start; pass = quality_score >= 0.7 and no hard error):

| job | provider/org | day   | feature     | outcome | duration_ms | summarize_ms | quality        | hour (PST) |
|-----|--------------|-------|-------------|---------|-------------|--------------|----------------|------------|
| J1  | P3 / A       | 02-10 | note        | success | 120000      | 90000        | 0.9 pass       | 10         |
| J2  | P4 / B       | 02-12 | auto_coding | success | 700000      | 640000       | 0.8 hard: fail | 10         |
| J3  | P1 / A       | 02-16 | note        | success | 40000       | 30000        | 0.95 pass      | 10         |
| J4  | P1 / A       | 02-17 | auto_coding | success | 300000      | 280000       | 0.5 fail       | 10         |
| J5  | P3 / A       | 02-17 | note        | success | 600000      | 500000       | 0.7 pass       | 11         |
| J6  | P1 / A       | 02-18 | note        | success | 65000       | 60000        | 0.75 pass      | 10         |
| J7  | P3 / A       | 02-18 | note        | error   |             |              |                | 12         |
| J8  | P1 / A       | 02-19 | note        | success | 50000       | (no start)   | none: fail     | 10         |
| J9  | P4 / B       | 02-19 | note        | success | 1300000     | 1290000      | 0.9 pass       | 13         |
| J10 | P1 / A       | 02-20 | auto_coding | success | 20000       | 10000        | 0.8 pass       | 10         |
| JX  | (no org)     | 02-17 | note        | timeout: left out of summarization_jobs, counted in data health  |

Attempt events (note_submit, summarize_start, note_save) per business day: 02-10: 2, 02-12: 2,
02-16: 3 (J3 submit + start + a note_save; a second landed copy of the submit is dropped), 02-17: 5
(J4 2, J5 2, JX 1 of no org), 02-18: 4, 02-19: 3 (J8 1 in A, J9 2 in B), 02-20: 2.
Sentry: E1 error A 02-18 12:00 PST, E2 warning A 02-18 (not an error; invalid tags JSON), E3 fatal of
no org 02-18 13:00 PST, E4 error B 02-19 13:30 PST.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.transform.transform_dataset import OA, OB, P1, P2, P3, engine_warehouse, error, event, invoice, land, query
from vitals.config import Settings
from vitals.warehouse.dbt import build

P4 = "44444444-4444-4444-8444-444444444444"

AS_OF = datetime(2026, 2, 20, 20, 0, 0)
"""Friday 2026-02-20 12:00 PST."""

__all__ = ["AS_OF", "ERRORS", "EVENTS", "INVOICES", "OA", "OB", "P1", "P2", "P3", "P4", "built_marts", "query"]


def _at(text: str, seconds: int = 0) -> str:
    return (datetime.fromisoformat(text) + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def job(
    key: str,
    provider: str | None,
    org: str | None,
    at: str,
    *,
    feature: str = "note",
    start_after: int | None = None,
    success_after: int | None = None,
    failed_after: int | None = None,
    quality: float | None = None,
    hard_error: bool = False,
) -> list[dict[str, str | None]]:
    """The events of one job: note_submit at ``at``, then summarize_start / success / failed."""
    note = f"N-{key}"
    rows = [
        event(
            f"{key}-submit", "note_submit", at, org=org, provider=provider, props={"note_id": note, "feature": feature}
        )
    ]
    if start_after is not None:
        rows.append(
            event(
                f"{key}-start",
                "summarize_start",
                _at(at, start_after),
                org=org,
                provider=provider,
                props={"note_id": note},
            )
        )
    if success_after is not None:
        props: dict[str, Any] = {"note_id": note, "hard_error": hard_error}
        if quality is not None:
            props["quality_score"] = quality
        rows.append(
            event(
                f"{key}-success", "summarize_success", _at(at, success_after), org=org, provider=provider, props=props
            )
        )
    if failed_after is not None:
        rows.append(
            event(
                f"{key}-failed",
                "summarize_failed",
                _at(at, failed_after),
                org=org,
                provider=provider,
                props={"note_id": note},
            )
        )
    return rows


EVENTS: list[dict[str, str | None]] = [
    # org A, P1 and P2 join in the week of 2025-11-24
    event("a01", "org_created", "2025-11-24 17:00:00", props={"org_name": "Clinic A"}),
    event("a02", "provider_created", "2025-11-24 18:00:00", provider=P1, props={"role": "doctor"}),
    event("a03", "provider_created", "2025-11-25 18:00:00", provider=P2, props={"role": "nurse"}),
    event("a04", "page_view", "2025-12-01 18:00:00", provider=P1),
    event("a05", "login", "2025-12-22 18:00:00", provider=P1),
    event("a06", "login", "2025-12-23 18:00:00", provider=P2),
    # 2026-02-10 06:30 UTC = 2026-02-09 22:30 PST: P2 is active on Monday 02-09
    event("a07", "page_view", "2026-02-10 06:30:00", provider=P2),
    event("a08", "provider_created", "2026-02-09 18:00:00", provider=P3, props={"role": "doctor"}),
    # org B and P4
    event("b01", "org_created", "2026-02-02 17:00:00", org=OB, props={"org_name": "Clinic B"}),
    event("b02", "provider_created", "2026-02-03 18:00:00", org=OB, provider=P4, props={"role": "doctor"}),
    # jobs
    *job("J1", P3, OA, "2026-02-10 18:00:00", start_after=30, success_after=120, quality=0.9),
    *job(
        "J2",
        P4,
        OB,
        "2026-02-12 18:00:00",
        feature="auto_coding",
        start_after=60,
        success_after=700,
        quality=0.8,
        hard_error=True,
    ),
    *job("J3", P1, OA, "2026-02-16 18:00:00", start_after=10, success_after=40, quality=0.95),
    *job("J4", P1, OA, "2026-02-17 18:00:00", feature="auto_coding", start_after=20, success_after=300, quality=0.5),
    *job("J5", P3, OA, "2026-02-17 19:00:00", start_after=100, success_after=600, quality=0.7),
    *job("J6", P1, OA, "2026-02-18 18:00:00", start_after=5, success_after=65, quality=0.75),
    *job("J7", P3, OA, "2026-02-18 20:00:00", start_after=10, failed_after=30),
    *job("J8", P1, OA, "2026-02-19 18:00:00", success_after=50),
    *job("J9", P4, OB, "2026-02-19 21:00:00", start_after=10, success_after=1300, quality=0.9),
    *job("J10", P1, OA, "2026-02-20 18:00:00", feature="auto_coding", start_after=10, success_after=20, quality=0.8),
    # a job of no known org: it times out (created 02-17), is left out and counted
    *job("JX", None, "", "2026-02-17 17:45:00"),
    # a later landed copy of J3's note_submit: dropped (a duplicate on 02-16)
    event(
        "J3-submit",
        "note_submit",
        "2026-02-16 18:00:00",
        provider=P1,
        props={"note_id": "N-J3"},
        ingest_ts="2026-02-16 19:00:00",
    ),
    event("a13", "note_save", "2026-02-16 18:05:00", provider=P1, props={"note_id": "N-J3"}),
    # invalid JSON properties (kept; still P1's activity), an event of no org, an invalid provider id
    event("a09", "page_view", "2026-02-16 17:00:00", provider=P1, props="{bad"),
    event("a10", "page_view", "2026-02-17 17:00:00", org=""),
    event("a11", "page_view", "2026-02-17 17:30:00", provider="not-a-uuid"),
]

INVOICES: list[dict[str, str | None]] = [
    # period_start 2026-02-01 00:00 UTC = 2026-01-31 16:00 PST; an older open state of it is dropped
    invoice(
        "in_A1",
        OA,
        start="2026-02-01 00:00:00",
        end="2026-03-01 00:00:00",
        status="paid",
        mrr="50000",
        product="Pro",
        quantity="5",
        customer="cus_A",
        ingest_ts="2026-02-02 00:00:00",
    ),
    invoice(
        "in_A1",
        OA,
        start="2026-02-01 00:00:00",
        end="2026-03-01 00:00:00",
        status="open",
        mrr="50000",
        product="Pro",
        quantity="5",
        customer="cus_A",
        ingest_ts="2026-02-01 00:00:00",
    ),
]

ERRORS: list[dict[str, str | None]] = [
    error("E1", "2026-02-18 20:00:30", tags={"note_id": "N-J7"}, group="G1"),
    error("E2", "2026-02-18 20:10:00", level="warning", tags="#bad"),
    error("E3", "2026-02-18 21:00:00", level="fatal", org=""),
    error("E4", "2026-02-19 21:30:00", org=OB),
]


@contextmanager
def built_marts(engine: str, directory: Path, models: list[str]) -> Iterator[Settings]:
    """A warehouse of ``engine`` holding the dataset, with ``models`` (and what they need) built at AS_OF."""
    with engine_warehouse(engine, directory) as settings:
        land(settings, EVENTS, INVOICES, ERRORS)
        # the core tests of organizations and sessions run with their parents: build those too
        select = " ".join(f"+{model}" for model in models) + " +organizations +providers +sessions"
        result = build(settings, as_of=AS_OF, select=select)
        assert result.success and not result.failures()
        yield settings


def rows(settings: Settings, sql: str) -> list[dict[str, Any]]:
    """Rows of a query (``{core}`` = the core schema)."""
    return query(settings, sql)


def metric_values(settings: Settings, model: str, day: str) -> dict[tuple[str, str], float]:
    """{(metric_name, entity_id): value} of a long-form model on one business day."""
    found = query(settings, f"select * from {{core}}.{model} where metric_date = cast('{day}' as date)")
    return {(r["metric_name"], r["entity_id"]): r["value"] for r in found}
