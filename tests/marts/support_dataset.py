"""A hand-built help desk, worked out by hand, and the rows to land it.

Business time zone America/Los_Angeles (PDT = UTC-7 all along). The as-of time is 2026-06-30 20:00 UTC (13:00
PDT); D = 2026-06-30, whose trailing 30-day window is 2026-06-01 .. 2026-06-30. Every time is 17:00 UTC (10:00
PDT) unless said otherwise, so it falls on the day written. First-response targets are the defaults: low 1440,
normal 480, high 120, urgent 30 minutes.

Tickets (versions in time order; fr = first response, in seconds from creation; a solved version carries its
own time as resolved_at; SLA is met or breached, decided on the business day in brackets):

- ta0, A, low, created 05-01: new; open 05-01 18:00 (fr 3600); solved 05-02, rated 5. Resolution 86400. SLA met
  (05-01). CSAT 5 (05-02).
- t1, A, normal, 06-02: new; open 19:00 (fr 7200); solved 06-03, rated 5; closed 06-07. Resolution 86400. Met
  (06-02). CSAT 5 (06-03).
- t2, A, high, 06-05: new; open 20:00 (fr 10800); solved 06-06, rated 2. Resolution 86400. Breached: due 19:00
  (06-05). CSAT 2 (06-06).
- t3, A, urgent, 06-10: new; open 17:20 (fr 1200); escalated 18:00; solved 06-12, rated 4. Resolution 172800.
  Met (06-10). CSAT 4 (06-12). Escalated 06-10.
- t4, A, low, 06-20: new, never answered. Breached at its due time 06-21 17:00 (06-21).
- t5, A, normal, 06-25: new; pending 06-26 03:00 UTC = 06-25 20:00 PDT (fr 36000). Breached at its due time 06-26
  01:00 UTC = 06-25 18:00 PDT (06-25).
- t6, A, normal, 06-08: new; open 18:00 (fr 3600); solved 06-09; reopened 06-15; solved 06-16. Solved as it stands
  06-16: resolution 691200. Met (06-08).
- t7, B, high, 06-12: new (id "T7", org id in upper case); open 18:00 (fr 3600); solved 06-13, escalated.
  Resolution 86400. Met (06-12). Escalated 06-13.
- t8, B, normal, 06-01: one version only, dated 06-20 (sent late): closed, fr 06-01 20:00 (10800), resolved 06-18,
  rated 3. Resolution 1468800. Met (06-01). CSAT 3 (06-20).
- t9, B, urgent, 06-29: new (a version of 07-01 answering it is after T). Breached at 17:30 (06-29).
- t10, no org (its org id is not a UUID: global only), normal, 06-15: new; pending 18:00 (fr 3600). Met (06-15).
- t11, A, created 07-01: after T, never seen.

t8's version landed twice: the copy ingested later (rating 3) wins over the one ingested earlier (rating 5).

Active providers (app events): A has P1..P4 active on 06-10 and P5 on 05-15 only; B has P6..P8 active on 06-20.

On D, org A: opened in the window 6 (t1 t2 t3 t4 t5 t6); mau 4: per 100 active providers 150.
- first responses 1200, 3600, 7200, 10800, 36000: p50 7200; p90 at rank 0.9 x 4 = 3.6: 10800 + 0.6 x 25200 = 25920.
- resolutions 86400, 86400, 172800, 691200: p50 (86400 + 172800) / 2 = 129600; p90 at rank 2.7:
  172800 + 0.7 x 518400 = 535680.
- SLA decided 6, breached 3 (t2, t4, t5): 0.5; normal t1 t5 t6 1/3, high t2 1/1, urgent t3 0/1, low t4 1/1.
- CSAT ratings 5, 2, 4: 2/3. Backlog at the end of D: t4, t5 = 2. Nothing opened, solved or escalated on D.
- Earlier: backlog 06-08 1 (t6), 06-09 0 (t6 solved), 06-10 1 (t3), 06-15 1 (t6 reopened), 06-16 0,
  06-24 1 (t4), 06-25 2 (t5). Solved on 06-09: 0 (t6 counts on 06-16, when it was solved as it stands now),
  on 06-16: 1. Escalations on 06-10: 1. SLA on 06-24: t1 t2 t3 t6 t4 decided, t2 t4 breached: 2/5 = 0.4; on
  06-25, with t5 (decided 06-25 in business time): 3/6 = 0.5. On 05-30 the window (05-01 .. 05-30) holds ta0: SLA
  0/1 = 0, on 05-31 nothing (omitted); CSAT 1/1 on 05-31 (ta0 rated 05-02), omitted on 06-01.

On D, org B: opened 3 (t7 t8 t9); mau 3: per 100 = 100. First responses 3600, 10800: p50 7200, p90 3600 + 0.9 x
7200 = 10080. Resolutions 86400, 1468800: p50 777600, p90 86400 + 0.9 x 1382400 = 1330560. SLA 1/3 (t9); high
t7 0/1, normal t8 0/1, urgent t9 1/1, low: none (omitted). CSAT 0/1 (t8's 3). Backlog at D: t9 = 1. t8 is open
from its creation day 06-01 until its resolution day 06-18 (the version that tells it came later): backlog on
06-10 1, 06-12 2 (t7), 06-13 1, 06-17 1, 06-18 0. Opened on 06-01: 1 (t8). Escalations on 06-13: 1 (t7).

On D, global (A, B and t10): opened 10; mau 7 (P1..P4, P6..P8): per 100 = 1000 / 7 = 142.857...
- first responses 1200, 3600, 3600, 3600, 7200, 10800, 10800, 36000: p50 (3600 + 7200) / 2 = 5400; p90 at rank 6.3:
  10800 + 0.3 x 25200 = 18360.
- SLA 10 decided, 4 breached: 0.4; normal t1 t5 t6 t8 t10 1/5 = 0.2, high t2 t7 1/2, urgent t3 t9 1/2, low t4 1/1.
- CSAT 4 ratings, 2 satisfied: 0.5. Backlog at D: t4, t5, t9, t10 = 4; on 06-15: t6, t8, t10 = 3.
"""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from tests.transform.transform_dataset import event, land
from vitals.config import Settings
from vitals.contracts import LOADED_AT_COLUMN, RAW_SCHEMA, ROW_HASH_COLUMN, SUPPORT_TICKETS
from vitals.ingest.sanitize import row_hash
from vitals.warehouse import open_warehouse

AS_OF = datetime(2026, 6, 30, 20, 0, 0)
D = date(2026, 6, 30)
OA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
OB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
PROVIDERS_A = [f"{n}{n}{n}{n}{n}{n}{n}{n}-1111-4111-8111-111111111111" for n in range(1, 6)]
PROVIDERS_B = [f"{n}{n}{n}{n}{n}{n}{n}{n}-2222-4222-8222-222222222222" for n in range(6, 9)]

LOADED = "2026-06-30T19:00:00.000000Z"


def version(
    ticket_id: str,
    org: str | None,
    priority: str,
    created: str,
    updated: str,
    status: str,
    *,
    first_response: str | None = None,
    resolved: str | None = None,
    csat: int | None = None,
    escalated: bool = False,
    ingested: str | None = None,
) -> dict[str, str | None]:
    """One raw support_tickets row (every column text; a day alone means 17:00 UTC of that day)."""

    def at(moment: str | None) -> str | None:
        if moment is None:
            return ""
        return moment if " " in moment else f"{moment} 17:00:00"

    row: dict[str, str | None] = {
        "ticket_id": ticket_id,
        "org_id": org,
        "provider_id": None,
        "created_at": at(created),
        "first_response_at": at(first_response),
        "resolved_at": at(resolved),
        "status": status,
        "priority": priority,
        "channel": "email",
        "category": "how_to",
        "csat_score": "" if csat is None else str(csat),
        "escalated": "true" if escalated else "false",
        "updated_at": at(updated),
        "_ingest_source": "help-desk-export",
        "_ingest_ts": ingested or at(updated),
    }
    row[ROW_HASH_COLUMN] = row_hash([row[c] for c in SUPPORT_TICKETS.column_names])
    row[LOADED_AT_COLUMN] = LOADED
    return row


def _tickets() -> list[dict[str, str | None]]:
    a, b = OA, OB
    rows = [
        version("ta0", a, "low", "2026-05-01", "2026-05-01", "new"),
        version("ta0", a, "low", "2026-05-01", "2026-05-01 18:00:00", "open", first_response="2026-05-01 18:00:00"),
        version(
            "ta0",
            a,
            "low",
            "2026-05-01",
            "2026-05-02",
            "solved",
            first_response="2026-05-01 18:00:00",
            resolved="2026-05-02",
            csat=5,
        ),
        version("t1", a, "normal", "2026-06-02", "2026-06-02", "new"),
        version("t1", a, "normal", "2026-06-02", "2026-06-02 19:00:00", "open", first_response="2026-06-02 19:00:00"),
        version(
            "t1",
            a,
            "normal",
            "2026-06-02",
            "2026-06-03",
            "solved",
            first_response="2026-06-02 19:00:00",
            resolved="2026-06-03",
            csat=5,
        ),
        version(
            "t1",
            a,
            "normal",
            "2026-06-02",
            "2026-06-07",
            "closed",
            first_response="2026-06-02 19:00:00",
            resolved="2026-06-03",
            csat=5,
        ),
        version("t2", a, "high", "2026-06-05", "2026-06-05", "new"),
        version("t2", a, "high", "2026-06-05", "2026-06-05 20:00:00", "open", first_response="2026-06-05 20:00:00"),
        version(
            "t2",
            a,
            "high",
            "2026-06-05",
            "2026-06-06",
            "solved",
            first_response="2026-06-05 20:00:00",
            resolved="2026-06-06",
            csat=2,
        ),
        version("t3", a, "urgent", "2026-06-10", "2026-06-10", "new"),
        version("t3", a, "urgent", "2026-06-10", "2026-06-10 17:20:00", "open", first_response="2026-06-10 17:20:00"),
        version(
            "t3",
            a,
            "urgent",
            "2026-06-10",
            "2026-06-10 18:00:00",
            "open",
            first_response="2026-06-10 17:20:00",
            escalated=True,
        ),
        version(
            "t3",
            a,
            "urgent",
            "2026-06-10",
            "2026-06-12",
            "solved",
            first_response="2026-06-10 17:20:00",
            resolved="2026-06-12",
            csat=4,
            escalated=True,
        ),
        version("t4", a, "low", "2026-06-20", "2026-06-20", "new"),
        version("t5", a, "normal", "2026-06-25", "2026-06-25", "new"),
        version(
            "t5", a, "normal", "2026-06-25", "2026-06-26 03:00:00", "pending", first_response="2026-06-26 03:00:00"
        ),
        version("t6", a, "normal", "2026-06-08", "2026-06-08", "new"),
        version("t6", a, "normal", "2026-06-08", "2026-06-08 18:00:00", "open", first_response="2026-06-08 18:00:00"),
        version(
            "t6",
            a,
            "normal",
            "2026-06-08",
            "2026-06-09",
            "solved",
            first_response="2026-06-08 18:00:00",
            resolved="2026-06-09",
        ),
        version("t6", a, "normal", "2026-06-08", "2026-06-15", "open", first_response="2026-06-08 18:00:00"),
        version(
            "t6",
            a,
            "normal",
            "2026-06-08",
            "2026-06-16",
            "solved",
            first_response="2026-06-08 18:00:00",
            resolved="2026-06-16",
        ),
        version("T7", f" {b.upper()} ", "high", "2026-06-12", "2026-06-12", "new"),
        version(" t7 ", b, "high", "2026-06-12", "2026-06-12 18:00:00", "open", first_response="2026-06-12 18:00:00"),
        version(
            "t7",
            b,
            "high",
            "2026-06-12",
            "2026-06-13",
            "solved",
            first_response="2026-06-12 18:00:00",
            resolved="2026-06-13",
            escalated=True,
        ),
        version(
            "t8",
            b,
            "normal",
            "2026-06-01",
            "2026-06-20",
            "closed",
            first_response="2026-06-01 20:00:00",
            resolved="2026-06-18",
            csat=5,
            ingested="2026-06-20 17:01:00",
        ),
        version(
            "t8",
            b,
            "normal",
            "2026-06-01",
            "2026-06-20",
            "closed",
            first_response="2026-06-01 20:00:00",
            resolved="2026-06-18",
            csat=3,
            ingested="2026-06-20 17:05:00",
        ),
        version("t9", b, "urgent", "2026-06-29", "2026-06-29", "new"),
        version("t9", b, "urgent", "2026-06-29", "2026-07-01", "open", first_response="2026-07-01"),
        version("t10", "org-42", "normal", "2026-06-15", "2026-06-15", "new"),
        version(
            "t10",
            "org-42",
            "normal",
            "2026-06-15",
            "2026-06-15 18:00:00",
            "pending",
            first_response="2026-06-15 18:00:00",
        ),
        version("t11", a, "normal", "2026-07-01", "2026-07-01", "new"),
    ]
    return rows


TICKETS = _tickets()

EVENTS = [
    *(event(f"login-a{i}", "login", "2026-06-10 17:00:00", org=OA, provider=p) for i, p in enumerate(PROVIDERS_A[:4])),
    event("login-a5", "login", "2026-05-15 17:00:00", org=OA, provider=PROVIDERS_A[4]),
    *(event(f"login-b{i}", "login", "2026-06-20 17:00:00", org=OB, provider=p) for i, p in enumerate(PROVIDERS_B)),
]
"""App events that make providers active: A's P1..P4 in June (P5 in May only), B's three in June."""


def land_support(settings: Settings, tickets: list[dict[str, str | None]], events: list[dict[str, str | None]]) -> None:
    """Append the tickets to raw.support_tickets and the events to raw.events_big (creating the raw tables)."""
    land(settings, events, [], [])
    columns = [*SUPPORT_TICKETS.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
    table = pa.table({c: pa.array([r.get(c) for r in tickets], type=pa.string()) for c in columns})
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        warehouse.append_arrow(RAW_SCHEMA, SUPPORT_TICKETS.name, table)
