"""Retention campaigns and the orgs' usage around them, worked out by hand, and the rows to land them.

Business time zone America/Los_Angeles (PDT = UTC-7 all along). The as-of time is 2026-06-30 20:00 UTC; D =
2026-06-30. Recovery is judged 30 days after the start: campaigns started by 05-31 are judged (on 06-30 at the
latest), the one started 06-01 is pending. Every job is a good note (turnaround 300 s, summarize 30 s, locked) at
17:00 UTC, so it falls on the day written, and an org's health comes from its notes in the trailing 7 days:
a provider with 1 note scores 40 x 0.1 + 25 + 15 x 1/3 + 10 + 10 = 54 (At risk), 3 notes 72 (Neutral), 10 notes
100 (Healthy), and 0 notes while active in the trailing 30 days 0 (Critical). WAP on a day = providers with a
successful job in the 7 days ending it.

Orgs (one provider each but O3), their notes, and their band and WAP on the days that matter:
- O1 (P1): 1 note 05-08, 10 on 06-05. 05-10 At risk, WAP 1; 05-20 and 06-01 Critical; 06-09 Healthy, WAP 1.
- O2 (P2): 1 note on 05-08, 05-15 and 06-05. 05-10 At risk, WAP 1; 05-20 At risk; 06-01 Critical; 06-09 At risk,
  WAP 1.
- O3 (P3a: 10 notes 05-18, 1 on 06-15; P3b: 1 note 05-01, 1 on 06-16). 05-10 Critical (P3b only, 0); 05-20 At
  risk (mean of 100 and 0 = 50), WAP 1; 06-01 Critical (P3a only, 0); 06-19 At risk (mean of 54 and 54), WAP 2.
- O4 (P4): 1 note 05-30. No score before; 06-01 At risk, WAP 1.
- C1 (P5): 1 note 05-09, 3 on 06-07. 05-10 At risk, WAP 1; 05-20 Critical, WAP 0; 06-01 Critical; 06-09 Neutral,
  WAP 1; 06-19 Critical, WAP 0.
- C2 (P6): 1 note on 05-01 and 05-25. Critical with WAP 0 on 05-10, 05-20, 06-01, 06-09 and 06-19.
- C4 (P7): 10 notes on 05-09, 05-18 and 05-30. Healthy on 05-10, 05-20 and 06-01.

Campaigns (each step a new version):
- cA: O1, win_back, email, started 05-10 17:00, sent 17:05, opened and clicked 05-11, answered 05-12, reported
  recovered on 06-09 (that version landed twice: the copy ingested earlier, reporting churned, loses). Recovered:
  At risk -> Healthy.
- cB: O2, training, in_app, started and sent 05-10 18:00 (id " CMP-B " in its first version), opened 05-13,
  reported no_response. Not recovered: At risk -> At risk, WAP 1 -> 1.
- cC: O3, check_in, call, started and sent 05-20 17:00, answered 17:30. Recovered by WAP (1 -> 2) while its band
  stays At risk (mean of 54 and 54).
- cD: O4, win_back, email, started 06-01 17:00, sent 17:10: pending (an opened version of 07-01 is after T).
- cE: an org id that is not a UUID, check_in, email, started 05-20 19:00, never sent: no org, never checked.

Control checks: on each start day (05-10, 05-20, 06-01), the orgs At risk or Critical that day with no campaign of
their own within 30 days either side: O1, O2, O3 started one near each of those days and O4 on 06-01; C4 is
Healthy. So 05-10: C1 (At risk -> Neutral: recovered), C2 (Critical -> Critical, WAP 0 -> 0: not); 05-20: C1
(Critical -> Critical on 06-19, WAP 0 -> 0: not), C2 (not); 06-01: C1, C2 pending.

Per kind:
- win_back: started 2, sent 2, opened 1, clicked 1, answered 1: rates 1, 0.5, 0.5, 0.5; pending 1; checked 1,
  recovered 1: recovery rate 1. Control on its days (05-10; 06-01 pending): 2 checks, 1 recovered: 0.5. Lift 0.5.
  Reported: recovered 1.
- training: started 1, sent 1, opened 1: rates 1, 1, 0, 0; checked 1, recovered 0: 0. Control (05-10): 0.5. Lift
  -0.5. Reported: no_response 1.
- check_in: started 2 (cC, cE), sent 1: sent rate 0.5; opened 0, clicked 0, answered 1: 0, 0, 1; checked 1 (cE has
  no org), recovered 1: 1. Control (05-20): 2 checks, 0 recovered: 0. Lift 1.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa

from tests.transform.transform_dataset import event, land
from vitals.config import Settings
from vitals.contracts import LOADED_AT_COLUMN, RAW_SCHEMA, RETENTION_CAMPAIGNS, ROW_HASH_COLUMN
from vitals.ingest.sanitize import row_hash
from vitals.warehouse import open_warehouse

AS_OF = datetime(2026, 6, 30, 20, 0, 0)
D = date(2026, 6, 30)


def _org(n: int) -> str:
    return f"{n}{n}{n}{n}{n}{n}{n}{n}-0000-4000-8000-00000000000{n}"


def _provider(n: int) -> str:
    return f"00000000-{n}{n}{n}{n}-4000-8000-000000000000"


O1, O2, O3, O4, C1, C2, C4 = (_org(n) for n in range(1, 8))
NOTES: dict[tuple[str, str], list[tuple[str, int]]] = {
    (O1, _provider(1)): [("2026-05-08", 1), ("2026-06-05", 10)],
    (O2, _provider(2)): [("2026-05-08", 1), ("2026-05-15", 1), ("2026-06-05", 1)],
    (O3, _provider(3)): [("2026-05-18", 10), ("2026-06-15", 1)],
    (O3, _provider(8)): [("2026-05-01", 1), ("2026-06-16", 1)],
    (O4, _provider(4)): [("2026-05-30", 1)],
    (C1, _provider(5)): [("2026-05-09", 1), ("2026-06-07", 3)],
    (C2, _provider(6)): [("2026-05-01", 1), ("2026-05-25", 1)],
    (C4, _provider(7)): [("2026-05-09", 10), ("2026-05-18", 10), ("2026-05-30", 10)],
}
"""(org, provider) -> (day, notes that day)."""


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _events() -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = []
    for org in (O1, O2, O3, O4, C1, C2, C4):
        rows.append(event(f"org-{org}", "org_created", "2026-04-01 16:00:00", org=org, props={"org_name": org[:1]}))
    for (org, provider), days in NOTES.items():
        common = {"org": org, "provider": provider}
        rows.append(
            event(f"prov-{provider}", "provider_created", "2026-04-01 17:00:00", props={"role": "doctor"}, **common)
        )
        for day, count in days:
            for index in range(count):
                start = datetime.fromisoformat(f"{day} 17:00:00") + timedelta(minutes=index)
                done = start + timedelta(seconds=300)
                note = f"note-{provider[9:13]}-{day}-{index}"
                props = {"note_id": note}
                rows += [
                    event(f"{note}-submit", "note_submit", _stamp(start), props=props, **common),
                    event(
                        f"{note}-start", "summarize_start", _stamp(done - timedelta(seconds=30)), props=props, **common
                    ),
                    event(f"{note}-success", "summarize_success", _stamp(done), props=props, **common),
                    event(f"{note}-locked", "note_locked", _stamp(done + timedelta(seconds=60)), props=props, **common),
                ]
    return rows


EVENTS = _events()

LOADED = "2026-06-30T19:00:00.000000Z"


def version(
    campaign_id: str,
    org: str,
    kind: str,
    channel: str,
    updated: str,
    *,
    started: str,
    sent: str = "",
    opened: str = "",
    clicked: str = "",
    responded: str = "",
    outcome: str = "",
    ingested: str | None = None,
) -> dict[str, str | None]:
    """One raw retention_campaigns row (every column text)."""
    row: dict[str, str | None] = {
        "campaign_id": campaign_id,
        "org_id": org,
        "kind": kind,
        "channel": channel,
        "started_at": started,
        "sent_at": sent,
        "opened_at": opened,
        "clicked_at": clicked,
        "responded_at": responded,
        "outcome": outcome,
        "updated_at": updated,
        "_ingest_source": "campaign-tool",
        "_ingest_ts": ingested or updated,
    }
    row[ROW_HASH_COLUMN] = row_hash([row[c] for c in RETENTION_CAMPAIGNS.column_names])
    row[LOADED_AT_COLUMN] = LOADED
    return row


def _campaigns() -> list[dict[str, str | None]]:
    a_sent = {"started": "2026-05-10 17:00:00", "sent": "2026-05-10 17:05:00"}
    a_clicked = {**a_sent, "opened": "2026-05-11 17:00:00", "clicked": "2026-05-11 17:10:00"}
    a_answered = {**a_clicked, "responded": "2026-05-12 17:00:00"}
    b_sent = {"started": "2026-05-10 18:00:00", "sent": "2026-05-10 18:00:00"}
    b_opened = {**b_sent, "opened": "2026-05-13 17:00:00"}
    c_sent = {"started": "2026-05-20 17:00:00", "sent": "2026-05-20 17:00:00"}
    d_sent = {"started": "2026-06-01 17:00:00", "sent": "2026-06-01 17:10:00"}
    win_back, training, check_in = ("win_back", "email"), ("training", "in_app"), ("check_in", "call")
    return [
        version("cA", O1, *win_back, "2026-05-10 17:00:00", started=a_sent["started"]),
        version("cA", O1, *win_back, "2026-05-10 17:05:00", **a_sent),
        version("cA", O1, *win_back, "2026-05-11 17:10:00", **a_clicked),
        version("cA", O1, *win_back, "2026-05-12 17:00:00", **a_answered),
        version(
            "cA", O1, *win_back, "2026-06-09 17:00:00", **a_answered, outcome="churned", ingested="2026-06-09 17:01:00"
        ),
        version(
            "cA",
            O1,
            *win_back,
            "2026-06-09 17:00:00",
            **a_answered,
            outcome="recovered",
            ingested="2026-06-09 17:02:00",
        ),
        version(" CMP-B ", O2, *training, "2026-05-10 18:00:00", **b_sent),
        version("cmp-b", O2, *training, "2026-05-13 17:00:00", **b_opened),
        version("cmp-b", O2, *training, "2026-06-09 18:00:00", **b_opened, outcome="no_response"),
        version("cC", O3, *check_in, "2026-05-20 17:00:00", **c_sent),
        version("cC", O3, *check_in, "2026-05-20 17:30:00", **c_sent, responded="2026-05-20 17:30:00"),
        version("cD", O4, *win_back, "2026-06-01 17:00:00", started=d_sent["started"]),
        version("cD", O4, *win_back, "2026-06-01 17:10:00", **d_sent),
        version("cD", O4, *win_back, "2026-07-01 17:00:00", **d_sent, opened="2026-07-01 17:00:00"),
        version("cE", "org-77", "check_in", "email", "2026-05-20 19:00:00", started="2026-05-20 19:00:00"),
    ]


CAMPAIGNS = _campaigns()


def land_campaigns(
    settings: Settings, campaigns: list[dict[str, str | None]], events: list[dict[str, str | None]]
) -> None:
    """Append the campaigns to raw.retention_campaigns and the events to raw.events_big (creating the raw tables)."""
    land(settings, events, [], [])
    columns = [*RETENTION_CAMPAIGNS.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
    table = pa.table({c: pa.array([r.get(c) for r in campaigns], type=pa.string()) for c in columns})
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        warehouse.append_arrow(RAW_SCHEMA, RETENTION_CAMPAIGNS.name, table)
