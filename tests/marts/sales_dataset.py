"""A small CRM and marketing history, worked out by hand, and the rows to land it.

Business time zone America/Los_Angeles (PDT = UTC-7 from March 8 on); every time below is 17:00 UTC = 10:00 PDT
unless said otherwise, so each falls on the day written. The as-of time is 2026-06-30 20:00 UTC; D = 2026-06-30,
in Q2 (April 1 .. June 30). EUR converts at 1.5 (one rate from 2026-01-01). Settings are the defaults: stage
probabilities appointmentscheduled 0.2, qualifiedtobuy 0.4, presentationscheduled 0.6, decisionmakerboughtin 0.8,
contractsent 0.9; forecast contractsent commit, decisionmakerboughtin and presentationscheduled best case; a deal
is stalled after 14 days without a stage change or an activity.

Deals (owner R1 is Rita of team east, R2 is Sam of team west; amounts in USD cents unless said):

deal (org, owner, amount): versions, the stage each one starts, dated by its updated_at -> outcome
- d10 (-, R2, 30000): 03-20 qualifiedtobuy, 04-15 closedwon -> won 04-15 after 26 days
- d3 (-, R1, 50000): 04-20 appointmentscheduled, 05-05 qualifiedtobuy, 05-30 closedlost -> lost after 40 days
- d1 (A, R1, 120000): 05-01 appointmentscheduled, 05-11 qualifiedtobuy, 05-21 contractsent, 06-05 closedwon ->
  won after 35 days
- d2 (B, R2, 80000): 06-01 qualifiedtobuy, 06-08 decisionmakerboughtin, 06-16 closedwon with closed_at 06-15 (the
  win was recorded the next day) -> won 06-15 after 14 days
- d4 (C, R1, 100000): 06-02 presentationscheduled, expected to close 06-25; a call 06-10 -> open
- d7 (-, R1, 70000): 06-05 appointmentscheduled, 06-25 closedlost -> lost after 20 days
- d5 (-, R2, EUR 60000 = 90000): 06-10 appointmentscheduled, 06-20 contractsent, expected to close 07-20; an email
  06-25 -> open
- d6 (X, R2, 40000): 06-15 decisionmakerboughtin, expected to close 06-28; a meeting 06-29 -> open (X pays:
  expansion pipeline)
- d8 (-, R2, 30000): 06-03 qualifiedtobuy, 06-18 deleted -> gone from 06-18
- d9 (-, R1, 10000): 06-20 appointmentscheduled, no expected close date (a 07-02 won version is after T) -> open

d4's first version landed twice: the copy ingested later (amount 100000) wins over the first (90000).

On D (global):
- open: d4, d5, d6, d9 = 4; pipeline 100000 + 90000 + 40000 + 10000 = 240000; weighted 0.6 x 100000 + 0.9 x 90000
  + 0.8 x 40000 + 0.2 x 10000 = 60000 + 81000 + 32000 + 2000 = 175000.
- stalled: d4 only (stage 06-02, call 06-10: 20 days untouched); d9 10 days, d5 5 (email 06-25), d6 1 (meeting).
  Earlier: on 06-23 d7 (05 June, untouched 18 days) only = 1; on 06-24 d7 and d4 (14 days) = 2; on 06-25 d7 is
  lost: 1.
- expansion pipeline: d6 (X pays 80000 on D) = 40000.
- expected to close in Q2: d4 (06-25) + d6 (06-28) = 140000. Won in Q2: d10 30000 + d1 120000 + d2 80000 =
  230000. Q2 quota: R1 100000 (April) + 100000 (May) + 200000 (June) + R2 100000 (June) = 500000. Coverage =
  140000 / (500000 - 230000) = 0.518518...
- quota attainment month to date: won in June 200000 / June quota 300000 = 0.666...
- trailing 90 days (04-02 .. 06-30): won d10, d1, d2 (230000), lost d3, d7 (120000): win rate 3/5 = 0.6, by
  amount 230000 / 350000 = 0.657142...; average won deal 76666.67, median 80000; sales cycle median of 26, 35,
  14 days = 26.
- d2 on 06-15 is open (its won version was recorded on 06-16) and won (closed 06-15) the same day.

Per org on D: C open 1 (100000, weighted 60000, stalled 1); X open 1 (40000); A won d1 on 06-05.

June (mart_sales_monthly): created d2, d4, d7, d5, d6, d9 = 6 (d8 is deleted) for 390000; won d1, d2 (200000),
lost d7 (70000): win rate 2/3, by amount 200000 / 270000; median cycle (35, 14) = 24.5; quota 300000.

Quota attainment, June: R1 120000 / 200000 = 0.6 (her June quota landed twice: 150000, then 200000, which wins),
R2 80000 / 100000 = 0.8, teams likewise. April: R2 won d10 (30000) without a quota: attainment null.

Stage funnel (finished visits, days): appointmentscheduled d1 10 moved, d3 15 moved, d5 10 moved, d7 20 lost, d9
still there: conversion 3/4, median 12.5, average 13.75; deals now won d1, lost d3 and d7: stage win rate 1/3.
qualifiedtobuy d10 26 won, d3 25 lost, d1 10 moved, d2 7 moved, d8 15 removed: conversion 3/4, median 15; won
after d10, d1, d2, lost d3: 3/4. decisionmakerboughtin d2 8 won (06-08 to its 06-16 version), d6 still there.

Forecast as of D: June: d4 and d6 (best case 140000, weighted 92000) and June's won 200000: commit forecast
200000, best case 340000. July: d5 (commit 90000, weighted 81000). d9 has no expected close: not forecast.

Activities: a4 note and a5 call on d1 in May (R1); a1 call d4 06-10 (R1), a6 email to org A without a deal
06-12 (R1), a2 email d5 06-25 (R2), a3 meeting d6 06-29 (R2); a7 on 07-01 is after T. June per rep: R1 2
activities on 1 deal (1 per deal), R2 2 on 2 (1 per deal); May R1 2 on 1 (2 per deal).

Closed-won to first value: A won 06-05 17:00; its first successful job after is 06-08 17:05 (one on 06-01
does not count): 3 days 5 minutes = 3.003472 days. B (won 06-15) has no job yet.

Marketing (leads as they stand at T; spend in USD cents):

| lead | channel | created | MQL   | SQL   | deal | org |
|------|---------|---------|-------|-------|------|-----|
| l6   | ads     | 05-20   | 05-25 | 05-28 | d3   | -   |
| l1   | ads     | 06-02   | 06-04 | 06-06 | d1   | A   |
| l2   | ads     | 06-03   | 06-08 | -     | -    | -   |
| l3   | ads     | 06-05   | -     | -     | -    | -   |
| l4   | webinar | 06-12   | 06-13 | 06-14 | d2   | B   |
| l5   | webinar | 06-12   | 06-20 (second version) | - | - | - |
| l7   | webinar | 06-28   | - (a 07-01 version is after T) | - | - | - |

Spend: ads 10000 on 05-20, 40000 on 06-05, 20000 on 06-20; webinar 30000 on 06-12 and EUR 10000 (= 15000) on
06-25. June: ads 60000, webinar 45000, all 105000.

Revenue: X pays 100000 a month from April (new in April), 80000 from June 1 (contraction 20000); A pays 50000 from
06-10, B 30000 from 06-15: both new in June. June's revenue churn rate = 20000 / 100000 (start MRR) = 0.2.

- CAC June: all 105000 / 2 = 52500, ads 60000 / 1 (A), webinar 45000 / 1 (B). ARPA of the new orgs: all 40000,
  ads 50000, webinar 30000. Payback months: 52500 / 40000 = 1.3125, ads 1.2, webinar 1.5. LTV = ARPA / 0.2: all
  200000, ads 250000, webinar 150000; LTV:CAC 3.8095..., ads 4.1666..., webinar 3.3333...
- May: spend 10000, 1 lead, 1 MQL (cost per lead and per MQL 10000), no new org: no CAC.
- Trailing 30 days on D (06-01 .. 06-30): spend 105000, 6 leads (17500 per lead), 4 MQLs by MQL day (26250 per
  MQL).
- Funnel, June cohort: ads 3 leads, 2 MQL, 1 SQL, 1 deal, 1 won (lead to MQL 2/3, lead to won 1/3); webinar 3, 2,
  1, 1, 1; all 6, 4, 2, 2, 2. May cohort: ads 1, 1, 1, 1 deal (d3), 0 won.
- By acquisition channel: ads brought A (paying), webinar brought B (paying).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pyarrow as pa

from tests.transform.transform_dataset import event, invoice, land
from vitals.config import Settings
from vitals.contracts import (
    CRM_ACTIVITIES,
    CRM_DEALS,
    CRM_QUOTAS,
    CURRENCY_RATES,
    LOADED_AT_COLUMN,
    MARKETING_LEADS,
    MARKETING_SPEND,
    RAW_SCHEMA,
    ROW_HASH_COLUMN,
    RawTable,
)
from vitals.ingest.sanitize import row_hash
from vitals.warehouse import open_warehouse

AS_OF = datetime(2026, 6, 30, 20, 0, 0)
D = date(2026, 6, 30)
OA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
OB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
OC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
OX = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
P1 = "11111111-1111-4111-8111-111111111111"

FIRST_LOAD = "2026-06-30T10:00:00.000000Z"
SECOND_LOAD = "2026-06-30T11:00:00.000000Z"

Row = dict[str, str | None]


def at(day: str, time: str = "17:00:00") -> str:
    """A UTC timestamp text on 2026-``day`` ('06-30')."""
    return f"2026-{day} {time}"


def _row(table: RawTable, values: dict[str, Any], loaded_at: str) -> Row:
    row: Row = {c: (None if values.get(c) is None else str(values[c])) for c in table.column_names}
    row[ROW_HASH_COLUMN] = row_hash([row[c] for c in table.column_names])
    row[LOADED_AT_COLUMN] = loaded_at
    return row


def deal(
    deal_id: str,
    version_day: str,
    stage: str,
    *,
    owner: str,
    amount: int,
    created: str,
    org: str | None = None,
    currency: str = "USD",
    expected_close: str | None = None,
    closed: str | None = None,
    won: bool | None = None,
    channel: str | None = None,
    ingest_ts: str | None = None,
    loaded_at: str = FIRST_LOAD,
) -> Row:
    """One version of a deal (crm_deals), dated ``version_day`` at 17:00 UTC."""
    values = {
        "deal_id": deal_id,
        "org_id": org or "",
        "company_name": f"Company {deal_id}",
        "company_domain": f"{deal_id}.example",
        "owner_id": owner,
        "pipeline": "default",
        "stage": stage,
        "amount_cents": amount,
        "currency": currency,
        "created_at": at(created),
        "expected_close_date": f"2026-{expected_close}" if expected_close else "",
        "closed_at": at(closed) if closed else "",
        "is_won": "" if won is None else str(won).lower(),
        "lost_reason": "no budget" if won is False else "",
        "source_channel": channel or "",
        "updated_at": at(version_day),
        "_ingest_source": "hubspot",
        "_ingest_ts": ingest_ts or at(version_day),
    }
    return _row(CRM_DEALS, values, loaded_at)


def _d1(day: str, stage: str, **kw: Any) -> Row:
    return deal("d1", day, stage, owner="R1", amount=120000, created="05-01", org=OA, channel="ads", **kw)


def _d2(day: str, stage: str, **kw: Any) -> Row:
    return deal("D2", day, stage, owner=" R2 ", amount=80000, created="06-01", org=OB, **kw)


DEALS: list[Row] = [
    deal("d10", "03-20", "qualifiedtobuy", owner="R2", amount=30000, created="03-20"),
    deal("d10", "04-15", "closedwon", owner="R2", amount=30000, created="03-20", closed="04-15", won=True),
    deal("d3", "04-20", "appointmentscheduled", owner="R1", amount=50000, created="04-20", channel="ads"),
    deal("d3", "05-05", "qualifiedtobuy", owner="R1", amount=50000, created="04-20", channel="ads"),
    deal("d3", "05-30", "closedlost", owner="R1", amount=50000, created="04-20", closed="05-30", won=False),
    _d1("05-01", "appointmentscheduled"),
    _d1("05-11", "qualifiedtobuy"),
    _d1("05-21", "contractsent", expected_close="06-10"),
    _d1("06-05", "closedwon", closed="06-05", won=True),
    _d2("06-01", "qualifiedtobuy"),
    _d2("06-08", "decisionmakerboughtin"),
    # the won version is recorded the day after the deal closed
    _d2("06-16", "closedwon", closed="06-15", won=True),
    deal(
        "d4",
        "06-02",
        "presentationscheduled",
        owner="R1",
        amount=90000,
        created="06-02",
        org=OC,
        expected_close="06-25",
        ingest_ts=at("06-02", "17:30:00"),
    ),
    deal(
        "d4",
        "06-02",
        "PresentationScheduled",
        owner="R1",
        amount=100000,
        created="06-02",
        org=f" {OC.upper()} ",
        expected_close="06-25",
        ingest_ts=at("06-02", "18:00:00"),
    ),
    deal("d7", "06-05", "appointmentscheduled", owner="R1", amount=70000, created="06-05"),
    deal("d7", "06-25", "closedlost", owner="R1", amount=70000, created="06-05", closed="06-25", won=False),
    deal(
        "d5",
        "06-10",
        "appointmentscheduled",
        owner="R2",
        amount=60000,
        currency="eur",
        created="06-10",
        expected_close="07-20",
    ),
    deal(
        "d5", "06-20", "contractsent", owner="R2", amount=60000, currency="EUR", created="06-10", expected_close="07-20"
    ),
    deal(
        "d6",
        "06-15",
        "decisionmakerboughtin",
        owner="R2",
        amount=40000,
        created="06-15",
        org=OX,
        expected_close="06-28",
    ),
    deal("d8", "06-03", "qualifiedtobuy", owner="R2", amount=30000, created="06-03"),
    deal("d8", "06-18", "deleted", owner="R2", amount=30000, created="06-03"),
    deal("d9", "06-20", "appointmentscheduled", owner="R1", amount=10000, created="06-20"),
    deal("d9", "07-02", "closedwon", owner="R1", amount=10000, created="06-20", closed="07-02", won=True),
]


def activity(activity_id: str, kind: str, day: str, *, owner: str, deal_id: str = "", org: str = "") -> Row:
    """One crm_activities row."""
    values = {
        "activity_id": activity_id,
        "deal_id": deal_id,
        "org_id": org,
        "owner_id": owner,
        "kind": kind,
        "occurred_at": at(day),
        "_ingest_source": "hubspot",
        "_ingest_ts": at(day),
    }
    return _row(CRM_ACTIVITIES, values, FIRST_LOAD)


ACTIVITIES: list[Row] = [
    activity("a4", "note", "05-15", owner="R1", deal_id="d1", org=OA),
    activity("a5", "call", "05-16", owner="R1", deal_id="d1", org=OA),
    activity("a1", "Call", "06-10", owner="R1", deal_id="d4", org=OC),
    activity("a6", "email", "06-12", owner="R1", org=OA),
    activity("a2", "email", "06-25", owner="R2", deal_id="d5"),
    activity("a3", "meeting", "06-29", owner="R2", deal_id="d6", org=OX),
    activity("a7", "call", "07-01", owner="R2", deal_id="d6", org=OX),
]


def quota(owner: str, name: str, team: str, month: str, cents: int, loaded_at: str = FIRST_LOAD) -> Row:
    """One crm_quotas row."""
    values = {
        "owner_id": owner,
        "owner_name": name,
        "team": team,
        "month": f"2026-{month}-01",
        "quota_cents": cents,
        "currency": "USD",
        "_ingest_source": "sheet",
        "_ingest_ts": "2026-03-01 00:00:00",
    }
    return _row(CRM_QUOTAS, values, loaded_at)


QUOTAS: list[Row] = [
    quota("R1", "Rita", "east", "04", 100000),
    quota("R1", "Rita", "east", "05", 100000),
    quota("R1", "Rita", "east", "06", 150000),
    quota("R1", "Rita", "east", "06", 200000, loaded_at=SECOND_LOAD),
    quota("R2", "Sam", "west", "06", 100000),
]


def spend(day: str, channel: str, cents: int, currency: str = "USD") -> Row:
    """One marketing_spend row."""
    values = {
        "spend_date": f"2026-{day}",
        "channel": channel,
        "campaign": f"{channel}-summer",
        "spend_cents": cents,
        "currency": currency,
        "_ingest_source": "ads_export",
        "_ingest_ts": at(day),
    }
    return _row(MARKETING_SPEND, values, FIRST_LOAD)


SPEND: list[Row] = [
    spend("05-20", "ads", 10000),
    spend("06-05", "Ads", 40000),
    spend("06-20", "ads", 20000),
    spend("06-12", "webinar", 30000),
    spend("06-25", "webinar", 10000, currency="EUR"),
]


def lead(
    lead_id: str,
    version_day: str,
    channel: str,
    created: str,
    *,
    mql: str | None = None,
    sql: str | None = None,
    deal_id: str = "",
    org: str = "",
) -> Row:
    """One version of a lead (marketing_leads)."""
    values = {
        "lead_id": lead_id,
        "created_at": at(created),
        "company_domain": f"{lead_id}.example",
        "channel": channel,
        "campaign": f"{channel}-summer",
        "mql_at": at(mql) if mql else "",
        "sql_at": at(sql) if sql else "",
        "deal_id": deal_id,
        "org_id": org,
        "updated_at": at(version_day),
        "_ingest_source": "hubspot",
        "_ingest_ts": at(version_day),
    }
    return _row(MARKETING_LEADS, values, FIRST_LOAD)


LEADS: list[Row] = [
    lead("l6", "05-28", "ads", "05-20", mql="05-25", sql="05-28", deal_id="d3"),
    lead("l1", "06-06", "ads", "06-02", mql="06-04", sql="06-06", deal_id="d1", org=OA),
    lead("l2", "06-08", "ads", "06-03", mql="06-08"),
    lead("l3", "06-05", "ads", "06-05"),
    lead("l4", "06-14", "webinar", "06-12", mql="06-13", sql="06-14", deal_id="D2", org=OB.upper()),
    lead("l5", "06-12", "webinar", "06-12"),
    lead("l5", "06-20", "webinar", "06-12", mql="06-20"),
    lead("l7", "06-28", "webinar", "06-28"),
    lead("l7", "07-01", "webinar", "06-28", mql="07-01"),
]

RATES: list[Row] = [_row(CURRENCY_RATES, {"currency": "EUR", "rate_date": "2026-01-01", "rate": "1.5"}, FIRST_LOAD)]

INVOICES: list[Row] = [
    invoice(
        "in_x4",
        OX,
        start=at("04-01"),
        end=at("05-01"),
        status="paid",
        mrr="100000",
        product="pro",
        quantity="10",
        customer="cus_x",
    ),
    invoice(
        "in_x5",
        OX,
        start=at("05-01"),
        end=at("06-01"),
        status="paid",
        mrr="100000",
        product="pro",
        quantity="10",
        customer="cus_x",
    ),
    invoice(
        "in_x6",
        OX,
        start=at("06-01"),
        end=at("07-01"),
        status="paid",
        mrr="80000",
        product="pro",
        quantity="8",
        customer="cus_x",
    ),
    invoice(
        "in_a6",
        OA,
        start=at("06-10"),
        end=at("07-10"),
        status="paid",
        mrr="50000",
        product="pro",
        quantity="5",
        customer="cus_a",
    ),
    invoice(
        "in_b6",
        OB,
        start=at("06-15"),
        end=at("07-15"),
        status="paid",
        mrr="30000",
        product="pro",
        quantity="3",
        customer="cus_b",
    ),
]

EVENTS: list[Row] = [
    event("v1", "provider_created", at("05-20"), org=OA, provider=P1, props={"role": "doctor"}),
    event("v2", "note_submit", at("06-01"), org=OA, provider=P1, props={"note_id": "n-early"}),
    event("v3", "summarize_success", at("06-01", "17:01:00"), org=OA, provider=P1, props={"note_id": "n-early"}),
    event("v4", "note_submit", at("06-08"), org=OA, provider=P1, props={"note_id": "n-after"}),
    event("v5", "summarize_success", at("06-08", "17:05:00"), org=OA, provider=P1, props={"note_id": "n-after"}),
]

SALES_TABLES: dict[RawTable, list[Row]] = {
    CRM_DEALS: DEALS,
    CRM_ACTIVITIES: ACTIVITIES,
    CRM_QUOTAS: QUOTAS,
    MARKETING_SPEND: SPEND,
    MARKETING_LEADS: LEADS,
}


def land_tables(settings: Settings, tables: dict[RawTable, list[Row]]) -> None:
    """Append the rows to their raw tables as text (creating the raw tables)."""
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        for table, rows in tables.items():
            columns = [*table.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
            arrow = pa.table({c: pa.array([r.get(c) for r in rows], type=pa.string()) for c in columns})
            warehouse.append_arrow(RAW_SCHEMA, table.name, arrow)


def land_sales(settings: Settings, *, with_revenue: bool = True) -> None:
    """Land the CRM and marketing rows and, by default, the revenue, rates and product events they meet."""
    land_tables(settings, SALES_TABLES)
    if with_revenue:
        land_tables(settings, {CURRENCY_RATES: RATES})
        land(settings, EVENTS, INVOICES, [])
