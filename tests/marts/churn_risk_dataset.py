"""A hand-built dataset for the churn-risk score: the customer-success dataset (``health_dataset.py``) plus
support tickets, a Stripe subscription and seven more orgs, as of the same moment (D = 2026-06-30, last 30
days = Jun 1 .. Jun 30). Every job is a note (2 features tracked: note, auto_coding). The expected values are
worked out in test_churn_risk_score.py.

| org | MRR (cents) | what it adds |
|---|---|---|
| OD Delta Medical | 30000 | 6 tickets in the 30 days (and one on May 31) |
| OB Beta Health | 80000 | exactly 5 tickets |
| OH | 40000 (subscription) | OD's jobs (health 100 -> 63), 7 tickets, 2 of 3 providers never succeeded, past_due |
| OI | 25000 | an uncollectible invoice May 15 .. Jun 15, a paid one covering D |
| OJ | 60000 | last event Jun 10 (20 days) |
| OK | 5000 | last event Jun 16 (exactly 14 days) |
| OL | 20000 | a job on Apr 30, logins on Jun 25: no feature used in the 30 days |
| OM | 15000 | 1 of 3 providers reached first value |
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from tests.marts.health_dataset import EVENTS as HEALTH_EVENTS
from tests.marts.health_dataset import INVOICES as HEALTH_INVOICES
from tests.marts.health_dataset import OB, OD
from tests.marts.support_dataset import version
from tests.transform.transform_dataset import event, invoice, land
from vitals.config import Settings
from vitals.contracts import LOADED_AT_COLUMN, RAW_SCHEMA, ROW_HASH_COLUMN, SUPPORT_TICKETS
from vitals.stripe.tables import SUBSCRIPTION_ITEMS
from vitals.warehouse import open_warehouse

OH = "10000000-0000-4000-8000-0000000000a1"
OI = "10000000-0000-4000-8000-0000000000a2"
OJ = "10000000-0000-4000-8000-0000000000a3"
OK = "10000000-0000-4000-8000-0000000000a4"
OL = "10000000-0000-4000-8000-0000000000a5"
OM = "10000000-0000-4000-8000-0000000000a6"
P7, P8, P9 = (f"10000000-0000-4000-8000-00000000000{n}" for n in (7, 8, 9))
P10, P11, P12, P13, P14, P15, P16 = (f"10000000-0000-4000-8000-0000000000{n}" for n in range(10, 17))


def _jobs(org: str, provider: str, day: str, count: int) -> list[dict[str, str | None]]:
    """``count`` successful notes of ``provider`` on ``day`` from 17:00 UTC, 300 s each (30 s summarizing)."""
    rows: list[dict[str, str | None]] = []
    for index in range(count):
        start = datetime.fromisoformat(f"{day} 17:00:00") + timedelta(minutes=index)
        note = f"cr-{provider[-2:]}-{day}-{index}"
        common = {"org": org, "provider": provider, "props": {"note_id": note}}
        stamps = [start, start + timedelta(seconds=270), start + timedelta(seconds=300), start + timedelta(seconds=360)]
        names = ["note_submit", "summarize_start", "summarize_success", "note_locked"]
        for name, moment in zip(names, stamps, strict=True):
            rows.append(event(f"{note}-{name}", name, moment.strftime("%Y-%m-%d %H:%M:%S"), **common))  # type: ignore[arg-type]
    return rows


def _org(org: str, name: str, providers: list[str]) -> list[dict[str, str | None]]:
    rows = [event(f"org-{name}", "org_created", "2026-05-01 16:00:00", org=org, props={"org_name": name})]
    for provider in providers:
        rows.append(
            event(
                f"prov-{provider}",
                "provider_created",
                "2026-05-02 16:00:00",
                org=org,
                provider=provider,
                props={"role": "doctor"},
            )
        )
    return rows


def _events() -> list[dict[str, str | None]]:
    rows = list(HEALTH_EVENTS)
    rows += _org(OH, "Hotel Health", [P7, P8, P9])
    rows += _jobs(OH, P7, "2026-05-28", 5) + _jobs(OH, P7, "2026-05-31", 5) + _jobs(OH, P7, "2026-06-29", 2)
    rows += _org(OI, "India Care", [P10]) + _jobs(OI, P10, "2026-06-29", 1)
    rows += _org(OJ, "Juliet Clinic", [P11]) + _jobs(OJ, P11, "2026-06-10", 1)
    rows += _org(OK, "Kilo Medical", [P12]) + _jobs(OK, P12, "2026-06-16", 1)
    rows += _org(OL, "Lima Practice", [P13]) + _jobs(OL, P13, "2026-04-30", 1)
    rows.append(event("login-l", "login", "2026-06-25 17:00:00", org=OL, provider=P13))
    rows += _org(OM, "Mike Health", [P14, P15, P16]) + _jobs(OM, P14, "2026-06-29", 1)
    return rows


EVENTS = _events()


def _paid(
    org: str,
    mrr: int,
    tag: str,
    *,
    start: str = "2026-06-15 00:00:00",
    end: str = "2026-07-15 00:00:00",
    status: str = "paid",
) -> dict[str, str | None]:
    return invoice(
        f"in_cr_{tag}",
        org,
        start=start,
        end=end,
        status=status,
        mrr=str(mrr),
        product="Pro",
        quantity="1",
        customer=f"cus_cr_{tag}",
    )


INVOICES = [
    *HEALTH_INVOICES,
    _paid(OI, 25000, "i"),
    _paid(OI, 25000, "i0", start="2026-05-15 00:00:00", end="2026-06-15 00:00:00", status="uncollectible"),
    _paid(OJ, 60000, "j"),
    _paid(OK, 5000, "k"),
    _paid(OL, 20000, "l"),
    _paid(OM, 15000, "m"),
]


def _tickets() -> list[dict[str, str | None]]:
    rows = [version("t-d-old", OD, "normal", "2026-05-31", "2026-05-31", "new")]
    rows += [
        version(f"t-d{i}", OD, "normal", f"2026-06-{10 + i:02d}", f"2026-06-{10 + i:02d}", "new") for i in range(6)
    ]
    rows += [version(f"t-b{i}", OB, "low", f"2026-06-{20 + i:02d}", f"2026-06-{20 + i:02d}", "new") for i in range(5)]
    rows += [version(f"t-h{i}", OH, "high", f"2026-06-{3 + i:02d}", f"2026-06-{3 + i:02d}", "new") for i in range(7)]
    return rows


TICKETS = _tickets()

SUBSCRIPTION_STATES = [
    # OH's subscription: active from May 1, past_due since its renewal on Jun 20 failed (within the 30-day grace,
    # so it still counts 40000 of MRR)
    {
        "subscription_item_id": "si_h",
        "subscription_id": "sub_h",
        "customer_id": "cus_h",
        "org_id": OH,
        "subscription_status": status,
        "price_id": "price_pro",
        "product": "Pro",
        "currency": "usd",
        "unit_amount_cents": "40000",
        "quantity": "1",
        "billing_interval": "month",
        "interval_count": "1",
        "usage_type": "licensed",
        "item_created_at": "2026-05-01 00:00:00",
        "subscription_created_at": "2026-05-01 00:00:00",
        "current_period_start": start,
        "current_period_end": end,
        "cancel_at_period_end": "false",
        "state_order": order,
        "_ingest_source": "stripe_webhook",
        "_ingest_ts": at,
        ROW_HASH_COLUMN: f"sub-h-{order}",
        LOADED_AT_COLUMN: "2026-06-30 19:00:00",
    }
    for status, start, end, order, at in (
        ("active", "2026-05-20 00:00:00", "2026-06-20 00:00:00", "0001", "2026-05-01 00:00:00"),
        ("past_due", "2026-06-20 00:00:00", "2026-07-20 00:00:00", "0002", "2026-06-20 01:00:00"),
    )
]


def land_churn_risk(settings: Settings, *, tickets: bool = True) -> None:
    """Land the events, invoices, subscription states and (unless ``tickets`` is false) support tickets."""
    land(settings, EVENTS, INVOICES, [])
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        item_columns = [*SUBSCRIPTION_ITEMS.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
        if not warehouse.table_exists(RAW_SCHEMA, SUBSCRIPTION_ITEMS.name):
            warehouse.create_table(RAW_SCHEMA, SUBSCRIPTION_ITEMS.name, [(c, "text") for c in item_columns])
        items = pa.table({c: pa.array([r.get(c) for r in SUBSCRIPTION_STATES], type=pa.string()) for c in item_columns})
        warehouse.append_arrow(RAW_SCHEMA, SUBSCRIPTION_ITEMS.name, items)
        if tickets:
            columns = [*SUPPORT_TICKETS.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
            table = pa.table({c: pa.array([r.get(c) for r in TICKETS], type=pa.string()) for c in columns})
            warehouse.append_arrow(RAW_SCHEMA, SUPPORT_TICKETS.name, table)
