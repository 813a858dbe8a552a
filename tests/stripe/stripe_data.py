"""Stripe objects for the tests, built on the shared fixtures' shapes (stripe/openapi fixtures3, before and
since 2025-03-31), and the settings the tests run with.

``old_*`` builders give the pre-2025-03-31 shape (``lines.data[].price.recurring``, ``proration``,
invoice ``subscription``); ``new_*`` the current one (``pricing.price_details``, ``parent.*_details``,
item-level periods). Every builder deep-copies the fixture object and overrides the fields a test
reasons about, so unknown fields keep the real shapes.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import stripe
from vitals.config import Settings

FIXTURES = Path("/work/shared/fixtures/stripe")
NEW = json.loads((FIXTURES / "openapi-fixtures3.json").read_text())["resources"]
OLD = json.loads((FIXTURES / "openapi-fixtures3-pre-2025-03.json").read_text())["resources"]

OA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
OB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
OC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"

SECRET = "whsec_test_current"
OLD_SECRET = "whsec_test_previous"

Obj = dict[str, Any]


StripeTestSettings = Settings
"""The settings the Stripe tests use (kept as a name for readability)."""


def make_settings(
    tmp_path: Path, engine: str = "duckdb", pg_dsn: str | None = None, **stripe: Any
) -> StripeTestSettings:
    """Settings for a throwaway warehouse with the given ``stripe`` options (secrets default to SECRET)."""
    base: dict[str, Any] = {
        "engine": engine,
        "warehouse": tmp_path / "vitals.duckdb",
        "state_dir": tmp_path / ".vitals",
    }
    if engine == "postgres":
        base["postgres"] = {"dsn": pg_dsn}
    base["stripe"] = {"webhook_secrets": [SECRET], **stripe}
    return StripeTestSettings(**base)


def epoch(text: str) -> int:
    """'2025-01-01 00:00:00' (UTC) -> epoch seconds."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


# --------------------------------------------------------------------------- signing


def sign(body: str, secret: str = SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header the stripe library computes for ``body``."""
    return stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=at)


def event(obj: Obj, kind: str, created: str, event_id: str, api_version: str = "2026-10-28.endive") -> Obj:
    """A webhook event (the fixture's event shape) carrying ``obj``."""
    found = copy.deepcopy(NEW["event"])
    found.update(id=event_id, type=kind, created=epoch(created), api_version=api_version, data={"object": obj})
    return found


# --------------------------------------------------------------------------- objects


def product(product_id: str, name: str) -> Obj:
    """A product."""
    found = copy.deepcopy(NEW["product"])
    found.update(id=product_id, name=name, created=epoch("2024-01-01 00:00:00"))
    return found


def price(
    price_id: str, product_id: str, unit_amount: int, interval: str | None, count: int = 1, *, shape: Obj = NEW
) -> Obj:
    """A price; ``interval`` None makes it one-time."""
    found = copy.deepcopy(shape["price"])
    found.update(id=price_id, product=product_id, unit_amount=unit_amount, unit_amount_decimal=str(unit_amount))
    found.update(created=epoch("2024-01-01 00:00:00"), currency="usd", transform_quantity=None)
    if interval is None:
        found.update(type="one_time", recurring=None)
    else:
        found.update(type="recurring")
        found["recurring"] = {**found["recurring"], "interval": interval, "interval_count": count}
    return found


def customer(customer_id: str, created: str, org: str | None = None) -> Obj:
    """A customer, with ``metadata.org_id`` when ``org`` is given."""
    found = copy.deepcopy(NEW["customer"])
    found.update(id=customer_id, created=epoch(created), metadata={"org_id": org} if org else {})
    return found


def subscription(
    sub_id: str,
    customer_id: str,
    created: str,
    items: list[tuple[str, Obj, int]],
    period: tuple[str, str],
    *,
    status: str = "active",
    shape: Obj = NEW,
    **overrides: Any,
) -> Obj:
    """A subscription with items (item id, price, quantity); the period sits on the items in the new shape,
    on the subscription in the old one."""
    found = copy.deepcopy(shape["subscription"])
    template = found["items"]["data"][0]
    data = []
    for item_id, item_price, quantity in items:
        item = copy.deepcopy(template)
        item.update(id=item_id, price=item_price, quantity=quantity, subscription=sub_id, created=epoch(created))
        item["plan"] = None
        if shape is NEW:
            item.update(current_period_start=epoch(period[0]), current_period_end=epoch(period[1]))
        data.append(item)
    found["items"] = {**found["items"], "data": data, "url": f"/v1/subscription_items?subscription={sub_id}"}
    found.update(
        id=sub_id,
        customer=customer_id,
        created=epoch(created),
        start_date=epoch(created),
        status=status,
        metadata={},
        cancel_at=None,
        canceled_at=None,
        ended_at=None,
        cancel_at_period_end=False,
        trial_start=None,
        trial_end=None,
        discount=None,
        discounts=[],
        pending_update=None,
    )
    if shape is OLD:
        found.update(current_period_start=epoch(period[0]), current_period_end=epoch(period[1]))
    found.update(overrides)
    return found


def old_line(
    line_id: str,
    line_price: Obj,
    quantity: int,
    amount: int,
    period: tuple[str, str],
    *,
    subscription_id: str | None = None,
    proration: bool = False,
    discount: int = 0,
) -> Obj:
    """A pre-2025-03-31 invoice line: the price expanded, with its ``recurring``."""
    found = copy.deepcopy(OLD["line_item"])
    found.update(
        id=line_id,
        price=line_price,
        quantity=quantity,
        amount=amount,
        amount_excluding_tax=amount,
        period={"start": epoch(period[0]), "end": epoch(period[1])},
        proration=proration,
        subscription=subscription_id,
        type="subscription" if subscription_id and not proration else "invoiceitem",
        discount_amounts=[{"amount": discount, "discount": "di_1"}] if discount else [],
    )
    return found


def new_line(
    line_id: str,
    price_id: str,
    product_id: str,
    quantity: int,
    amount: int,
    period: tuple[str, str],
    *,
    subscription_id: str | None = None,
    proration: bool = False,
    tax: int = 0,
) -> Obj:
    """A 2025-03-31+ invoice line: ``pricing.price_details`` ids and ``parent.*_details``."""
    found = copy.deepcopy(NEW["line_item"])
    if subscription_id:
        parent = {
            "type": "subscription_item_details",
            "subscription_item_details": {
                "invoice_item": None,
                "proration": proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription_id,
                "subscription_item": f"si_{line_id}",
            },
            "invoice_item_details": None,
        }
    else:
        parent = {
            "type": "invoice_item_details",
            "invoice_item_details": {
                "invoice_item": f"ii_{line_id}",
                "proration": proration,
                "proration_details": {"credited_items": None},
                "subscription": None,
            },
            "subscription_item_details": None,
        }
    found.update(
        id=line_id,
        quantity=quantity,
        amount=amount,
        subtotal=amount,
        period={"start": epoch(period[0]), "end": epoch(period[1])},
        parent=parent,
        pricing={"type": "price_details", "price_details": {"price": price_id, "product": product_id}},
        taxes=[{"amount": tax, "tax_behavior": "exclusive", "type": "tax_rate_details"}] if tax else [],
        discount_amounts=[],
    )
    return found


def old_invoice(
    invoice_id: str,
    customer_id: str,
    subscription_id: str | None,
    lines: list[Obj],
    *,
    status: str,
    created: str,
    subtotal: int,
    discount: int,
    tax: int,
    paid_at: str | None = None,
    finalized_at: str | None = None,
    charge: str | None = None,
) -> Obj:
    """A pre-2025-03-31 invoice (``subscription``, ``tax``, ``charge`` on the invoice)."""
    found = copy.deepcopy(OLD["invoice"])
    found.update(
        id=invoice_id,
        customer=customer_id,
        subscription=subscription_id,
        status=status,
        created=epoch(created),
        currency="usd",
        subtotal=subtotal,
        subtotal_excluding_tax=subtotal,
        tax=tax,
        total=subtotal - discount + tax,
        total_excluding_tax=subtotal - discount,
        total_discount_amounts=[{"amount": discount, "discount": "di_1"}] if discount else [],
        total_tax_amounts=[{"amount": tax, "inclusive": False, "tax_rate": "txr_1"}] if tax else [],
        charge=charge,
        metadata={},
        period_start=epoch(created),
        period_end=epoch(created),
    )
    found["lines"] = {**found["lines"], "data": lines, "has_more": False, "url": f"/v1/invoices/{invoice_id}/lines"}
    found["status_transitions"] = {
        "finalized_at": epoch(finalized_at) if finalized_at else None,
        "paid_at": epoch(paid_at) if paid_at else None,
        "voided_at": None,
        "marked_uncollectible_at": None,
    }
    return found


def new_invoice(
    invoice_id: str,
    customer_id: str,
    subscription_id: str | None,
    lines: list[Obj],
    *,
    status: str,
    created: str,
    subtotal: int,
    tax: int,
    paid_at: str | None = None,
    finalized_at: str | None = None,
    has_more: bool = False,
) -> Obj:
    """A 2025-03-31+ invoice (``parent.subscription_details``, ``total_taxes``)."""
    found = copy.deepcopy(NEW["invoice"])
    found.update(
        id=invoice_id,
        customer=customer_id,
        status=status,
        created=epoch(created),
        currency="usd",
        subtotal=subtotal,
        subtotal_excluding_tax=subtotal,
        total=subtotal + tax,
        total_excluding_tax=subtotal,
        total_discount_amounts=[],
        total_taxes=[{"amount": tax, "tax_behavior": "exclusive", "type": "tax_rate_details"}] if tax else [],
        metadata={},
        period_start=epoch(created),
        period_end=epoch(created),
        parent={
            "type": "subscription_details",
            "subscription_details": {"metadata": {}, "subscription": subscription_id},
            "quote_details": None,
        }
        if subscription_id
        else None,
    )
    found["lines"] = {**found["lines"], "data": lines, "has_more": has_more, "url": f"/v1/invoices/{invoice_id}/lines"}
    found["status_transitions"] = {
        "finalized_at": epoch(finalized_at) if finalized_at else None,
        "paid_at": epoch(paid_at) if paid_at else None,
        "voided_at": None,
        "marked_uncollectible_at": None,
    }
    return found


def credit_note(
    note_id: str, invoice_id: str, amount: int, created: str, *, status: str = "issued", refund: str | None = None
) -> Obj:
    """A credit note on an invoice (``refund``: the refund it issued, old shape)."""
    found = copy.deepcopy(OLD["credit_note"])
    found.update(id=note_id, invoice=invoice_id, amount=amount, created=epoch(created), status=status, refund=refund)
    found["customer"] = "cus_A"
    return found


def refund(refund_id: str, charge: str, amount: int, created: str, *, status: str = "succeeded") -> Obj:
    """A refund of a charge."""
    found = copy.deepcopy(NEW["refund"])
    found.update(id=refund_id, charge=charge, amount=amount, created=epoch(created), status=status, payment_intent=None)
    return found
