"""Stripe subscription states and failed payments, told as webhook events, for the daily subscription counts.

Business time zone UTC in ``test_subscription_states`` (as of 2026-03-10 12:00). Every subscription is $100 a
month; a state applies from its event's time.

| org    | subscription | story                                                                             |
|--------|--------------|-----------------------------------------------------------------------------------|
| TRIALS | sub_t        | trialing from 03-01 00:00 (trial to 03-05 00:00), active from 03-05 00:00:02       |
| TRIALS | sub_l        | trialing from 03-01 00:00 (trial to 03-08 00:00), canceled 03-06 10:00 in the trial |
| LATE   | sub_p        | active from 02-01, past_due from 03-03 00:05; in_p's payment fails 03-03 00:04 and   |
|        |              | again 03-06 00:00 (two attempts)                                                  |
| GONE   | sub_c        | active from 02-01, canceled 03-04 10:00                                           |

Subscriptions by status at the end of each day (global; TRIALS / LATE / GONE):

| day   | active        | trialing | past_due | canceled      | trials ended / converted | payment failures |
|-------|---------------|----------|----------|---------------|--------------------------|------------------|
| 02-01 | 2 (LATE, GONE)| 0        | 0        | 0             | 0 / 0                    | 0                |
| 03-02 | 2             | 2 TRIALS | 0        | 0             | 0 / 0                    | 0                |
| 03-03 | 1 GONE        | 2        | 1 LATE   | 0             | 0 / 0                    | 1 LATE           |
| 03-04 | 0             | 2        | 1        | 1 GONE        | 0 / 0                    | 0                |
| 03-05 | 1 TRIALS      | 1        | 1        | 1             | 1 / 1 (rate 1.0) TRIALS  | 0                |
| 03-06 | 1             | 0        | 1        | 2 (TRIALS 1)  | 1 / 0 (rate 0.0) TRIALS  | 1 LATE           |
| 03-10 | 1             | 0        | 1        | 2             | 0 / 0 (no rate)          | 0                |
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.stripe import stripe_data as d
from vitals.config import Settings
from vitals.stripe import store
from vitals.stripe.flatten import flatten
from vitals.warehouse import open_warehouse

AS_OF = "2026-03-10 12:00:00"
ORG = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"vitals-subscriptions-{name}")) for name in ("TRIALS", "LATE", "GONE")}
Obj = dict[str, Any]


def story() -> list[Obj]:
    """The webhook events of the module docstring, in the order Stripe sends them."""
    events: list[Obj] = []

    def send(obj: Obj, kind: str, at: str) -> None:
        events.append(d.event(obj, kind, at, f"evt_sub_{len(events) + 1:04d}"))

    monthly = d.price("price_sub_monthly", "prod_notes", 10_000, "month")
    send(monthly, "price.created", "2025-01-01 00:00:00")
    for name, org in ORG.items():
        send(d.customer(f"cus_{name}", "2025-01-01 00:00:00", org), "customer.created", "2025-01-01 00:00:00")

    def subscription(name: str, sub_id: str, period: tuple[str, str], created: str, **fields: Any) -> Obj:
        return d.subscription(sub_id, f"cus_{name}", created, [(f"si_{sub_id}", monthly, 1)], period, **fields)

    trial, lapsed = ("2026-03-01 00:00:00", "2026-03-05 00:00:00"), ("2026-03-01 00:00:00", "2026-03-08 00:00:00")
    trial_fields = {"trial_start": d.epoch(trial[0]), "trial_end": d.epoch(trial[1])}
    lapsed_fields = {"trial_start": d.epoch(lapsed[0]), "trial_end": d.epoch(lapsed[1])}
    created = "customer.subscription.created"
    updated = "customer.subscription.updated"
    deleted = "customer.subscription.deleted"
    send(subscription("TRIALS", "sub_t", trial, trial[0], status="trialing", **trial_fields), created, trial[0])
    send(
        subscription("TRIALS", "sub_t", (trial[1], "2026-04-05 00:00:00"), trial[0], **trial_fields),
        updated,
        "2026-03-05 00:00:02",
    )
    send(subscription("TRIALS", "sub_l", lapsed, lapsed[0], status="trialing", **lapsed_fields), created, lapsed[0])
    gone_at = d.epoch("2026-03-06 10:00:00")
    send(
        subscription(
            "TRIALS", "sub_l", lapsed, lapsed[0], status="canceled", canceled_at=gone_at, ended_at=gone_at,
            **lapsed_fields,
        ),
        deleted,
        "2026-03-06 10:00:00",
    )  # fmt: skip

    feb, mar = ("2026-02-01 00:00:00", "2026-03-01 00:00:00"), ("2026-03-01 00:00:00", "2026-04-01 00:00:00")
    send(subscription("LATE", "sub_p", feb, feb[0]), created, feb[0])
    line = d.new_line("il_p", "price_sub_monthly", "prod_notes", 1, 10_000, mar, subscription_id="sub_p")
    unpaid = d.new_invoice(
        "in_p", "cus_LATE", "sub_p", [line], status="open", created="2026-03-03 00:00:00", subtotal=10_000, tax=0,
        finalized_at="2026-03-03 00:00:00",
    )  # fmt: skip
    send(unpaid, "invoice.finalized", "2026-03-03 00:00:00")
    send({**unpaid, "attempt_count": 1}, "invoice.payment_failed", "2026-03-03 00:04:00")
    send(subscription("LATE", "sub_p", mar, feb[0], status="past_due"), updated, "2026-03-03 00:05:00")
    send({**unpaid, "attempt_count": 2}, "invoice.payment_failed", "2026-03-06 00:00:00")

    send(subscription("GONE", "sub_c", feb, feb[0]), created, feb[0])
    canceled_at = d.epoch("2026-03-04 10:00:00")
    send(
        subscription("GONE", "sub_c", mar, feb[0], status="canceled", canceled_at=canceled_at, ended_at=canceled_at),
        deleted,
        "2026-03-04 10:00:00",
    )
    return events


def land_story(settings: Settings) -> None:
    """Store the events as the webhook receiver does and flatten them into the raw tables."""
    with open_warehouse(settings) as warehouse:
        store.ensure_tables(warehouse)
        for event in story():
            store.store_event(warehouse, json.dumps(event), event)
        flatten(warehouse, settings.stripe)
