"""Raw Stripe objects -> ``stripe_billing_big`` rows (one per invoice) and subscription-item rows.

Each invoice is flattened from its current state (see ``objects``) with its customer, subscription,
prices, credit notes and refunds:

- org_id: ``stripe.customer_org_map``, else ``raw.stripe_customer_orgs``, else the ``org_id`` metadata
  of the customer, the subscription, the invoice's subscription details, the invoice.
- price_id, product, quantity, period: from the invoice's main recurring line (the greatest monthly
  value; else its first line); product is the product's name when known, else its id.
- amount_cents = total; subtotal_cents = subtotal excluding tax; tax_cents; discount_cents (all
  invoice-level sums); refunded_cents = non-void credit notes plus refunds not issued through one.
- mrr_cents: the recurring, non-proration lines' amounts, excluding tax and less discounts, each
  normalized to a month by its price's interval (year / 12 / interval_count, week x 52 / 12), summed and
  rounded half up. Trial lines are 0; status is left to the revenue models (void counts as none there).
- churn_flag: the subscription ends within the invoice's period (ended, ``cancel_at``, or cancelling at
  the period end); expansion_flag: more seats than the subscription's previous paid or open invoice.
- _ingest_ts: the newest state time among the objects the row was built from. A row identical to the
  invoice's last landed row is not landed again; a changed row gets an ``_ingest_ts`` at least that of
  the last one, so staging's "latest ``_ingest_ts`` wins" picks it.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pyarrow as pa

from vitals.contracts import LOADED_AT_COLUMN, LOADS, RAW_SCHEMA, ROW_HASH_COLUMN, STRIPE_BILLING, RawTable
from vitals.ingest.landing import LoadRecord, land_batches, new_load_id, record_load, transaction, utc_now_text
from vitals.ingest.report import LoadReport, TableLoad
from vitals.ingest.sanitize import row_hash
from vitals.stripe import lines as ln
from vitals.stripe import objects as o
from vitals.stripe.settings import StripeSettings
from vitals.stripe.store import _WRITE_LOCK, customer_org_table, ensure_tables, read_states
from vitals.stripe.tables import OBJECTS, SUBSCRIPTION_ITEMS
from vitals.warehouse.base import Warehouse

Row = dict[str, str | None]

FLATTEN_SOURCE = "stripe:flatten"
"""``raw._loads.source`` of flatten runs."""

SOURCES = {"webhook": "stripe_webhook", "backfill": "stripe_backfill"}
"""``_ingest_source`` of flattened rows, by how the invoice's current state arrived."""

_TYPES = ("customer", "subscription", "invoice", "price", "product", "credit_note", "refund")
_COMPARED = [c for c in STRIPE_BILLING.column_names if c not in ("_ingest_source", "_ingest_ts")]


@dataclass
class Snapshot:
    """The current state of every stored object, by type and id (subscriptions: every state too)."""

    latest: dict[str, dict[str, o.ObjectState]] = field(default_factory=lambda: defaultdict(dict))
    subscription_states: list[o.ObjectState] = field(default_factory=list)

    @classmethod
    def of(cls, states: Iterable[o.ObjectState]) -> Snapshot:
        """Group states by type, keeping the current one per object."""
        snapshot = cls()
        by_type: dict[str, list[o.ObjectState]] = defaultdict(list)
        for state in states:
            by_type[state.object_type].append(state)
        for kind, found in by_type.items():
            snapshot.latest[kind] = o.latest_states(found)
        snapshot.subscription_states = by_type.get("subscription", [])
        return snapshot

    def payloads(self, kind: str) -> dict[str, Mapping[str, Any]]:
        """Current payloads of one object type, by id."""
        return {oid: s.payload for oid, s in self.latest.get(kind, {}).items()}

    def products(self) -> dict[str, Mapping[str, Any]]:
        """Products by id: the stored ones, and those expanded in stored prices."""
        found: dict[str, Mapping[str, Any]] = {}
        for price in self.payloads("price").values():
            product = price.get("product")
            if isinstance(product, Mapping) and o.ref_id(product):
                found[str(o.ref_id(product))] = product
        return {**found, **self.payloads("product")}


class OrgResolver:
    """Customer -> org: the settings map, then the mapping table, then metadata (customer first)."""

    def __init__(self, settings: StripeSettings, table: Mapping[str, str], customers: Mapping[str, Mapping[str, Any]]):
        self.explicit = {**table, **settings.customer_org_map}
        self.customers = customers
        self.key = settings.org_metadata_key

    def org(self, customer_id: str | None, *others: Any) -> str | None:
        """The org of a customer, falling back to the metadata of ``others`` (objects or metadata dicts)."""
        if customer_id and self.explicit.get(customer_id):
            return self.explicit[customer_id]
        for metadata in (o.get(self.customers.get(customer_id or ""), "metadata"), *others):
            value = o.get(metadata, self.key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None


MALFORMED = (AttributeError, TypeError, ValueError, KeyError, OverflowError)
"""What reading a stored object of an unexpected shape raises (a list where Stripe sends an object, ...)."""


def invoice_rows(
    snapshot: Snapshot,
    settings: StripeSettings,
    org_table: Mapping[str, str],
    skipped: list[str] | None = None,
) -> list[Row]:
    """One ``stripe_billing_big`` row per invoice (without ``_row_hash``/``_loaded_at``). An invoice whose
    stored objects do not have Stripe's shapes is left out, its id appended to ``skipped``."""
    skipped = [] if skipped is None else skipped
    customers = snapshot.payloads("customer")
    subscriptions = snapshot.latest.get("subscription", {})
    prices = snapshot.payloads("price")
    products = snapshot.products()
    resolver = OrgResolver(settings, org_table, customers)
    credits = _by_invoice(snapshot.latest.get("credit_note", {}).values())
    refunds = list(snapshot.latest.get("refund", {}).values())
    rows: list[tuple[Row, int | None]] = []
    for state in snapshot.latest.get("invoice", {}).values():
        try:
            inv = state.payload
            main = _main_line(inv, prices)
            price = ln.price_ref(main) if main else None
            price_id = o.ref_id(price)
            price_obj = prices.get(price_id or "") or (price if isinstance(price, Mapping) else None)
            customer_id = o.ref_id(inv.get("customer"))
            subscription_id = (
                o.ref_id(inv.get("subscription"))
                or o.ref_id(o.get(inv, "parent", "subscription_details", "subscription"))
                or (ln.subscription_of(main) if main else None)
            )
            sub_state = subscriptions.get(subscription_id or "")
            sub = sub_state.payload if sub_state else None
            start, end = _period(inv, main)
            inv_credits = credits.get(str(inv.get("id")), [])
            inv_refunds = _refunds_of(inv, inv_credits, refunds)
            contributing = [state, sub_state, snapshot.latest.get("customer", {}).get(customer_id or "")]
            contributing += [*inv_credits, *inv_refunds, snapshot.latest.get("price", {}).get(price_id or "")]
            quantity = o.as_int(main.get("quantity")) if main else None
            row: Row = {
                "invoice_id": str(inv.get("id")),
                "org_id": resolver.org(
                    customer_id,
                    o.get(sub, "metadata"),
                    o.get(inv, "subscription_details", "metadata"),
                    o.get(inv, "parent", "subscription_details", "metadata"),
                    o.get(inv, "metadata"),
                ),
                "customer_id": customer_id,
                "subscription_id": subscription_id,
                "price_id": price_id,
                "product": _product_name(main, price_obj, products) if main else None,
                "currency": _text(inv.get("currency")),
                "period_start": o.ts_text(start),
                "period_end": o.ts_text(end),
                "amount_cents": _text(o.as_int(inv.get("total"))),
                "subtotal_cents": _text(_first_int(inv.get("subtotal_excluding_tax"), inv.get("subtotal"))),
                "tax_cents": str(_tax(inv)),
                "discount_cents": str(_sum_amounts(inv.get("total_discount_amounts"))),
                "quantity": _text(quantity),
                "status": "void" if state.deleted else _text(inv.get("status")),
                "paid_at": o.ts_text(o.get(inv, "status_transitions", "paid_at")),
                "refunded_cents": str(
                    sum(o.as_int(c.payload.get("amount")) or 0 for c in inv_credits)
                    + sum(o.as_int(r.payload.get("amount")) or 0 for r in inv_refunds)
                ),
                "mrr_cents": str(_mrr(inv, prices)),
                "churn_flag": "true" if _churns(sub, start, end) else "false",
                "expansion_flag": "false",
                "_ingest_source": SOURCES.get(state.received_via, state.received_via),
                "_ingest_ts": max(s.state_ts for s in contributing if s is not None),
            }
            rows.append((row, quantity))
        except MALFORMED:  # one object of a shape Stripe never sends must not stop every other row
            skipped.append(state.object_id)
    _flag_expansions(rows)
    return [row for row, _ in rows]


def subscription_item_rows(
    snapshot: Snapshot,
    settings: StripeSettings,
    org_table: Mapping[str, str],
    skipped: list[str] | None = None,
) -> list[Row]:
    """One ``stripe_subscription_items`` row per item of every stored subscription state (a state of an
    unexpected shape is left out, its id appended to ``skipped``)."""
    skipped = [] if skipped is None else skipped
    prices = snapshot.payloads("price")
    products = snapshot.products()
    resolver = OrgResolver(settings, org_table, snapshot.payloads("customer"))
    rows: list[Row] = []
    for state in snapshot.subscription_states:
        try:
            sub = state.payload
            customer_id = o.ref_id(sub.get("customer"))
            org = resolver.org(customer_id, sub.get("metadata"))
            order = f"{state.object_ts}|{state.lifecycle_rank}|{state.state_ts}"
            percent, amount_off, discount_end = _discount(sub)
            for item in o.list_data(sub.get("items")):
                item_price = item.get("price") or item.get("plan")
                price_id = o.ref_id(item_price)
                price = item_price if isinstance(item_price, Mapping) else prices.get(price_id or "", {})
                recurring = ln.recurring_of(price) or ln.recurring_of(item.get("plan"))
                rows.append(
                    {
                        "subscription_item_id": o.ref_id(item.get("id")),
                        "subscription_id": state.object_id,
                        "customer_id": customer_id,
                        "org_id": org,
                        "subscription_status": "canceled" if state.deleted else _text(sub.get("status")),
                        "price_id": price_id,
                        "product": _product_name({}, price, products),
                        "currency": _text(price.get("currency") or sub.get("currency")),
                        "unit_amount_cents": _text(o.as_int(price.get("unit_amount"))),
                        "quantity": _text(o.as_int(item.get("quantity"))),
                        "billing_interval": recurring.interval if recurring else None,
                        "interval_count": str(recurring.interval_count) if recurring else None,
                        "usage_type": _text(
                            o.get(price, "recurring", "usage_type") or o.get(item, "plan", "usage_type")
                        ),
                        "discount_percent_off": _text(percent),
                        "discount_amount_off_cents": _text(amount_off),
                        "discount_end": o.ts_text(discount_end),
                        "item_created_at": o.ts_text(item.get("created")),
                        "subscription_created_at": o.ts_text(sub.get("created")),
                        "current_period_start": o.ts_text(
                            _first_int(item.get("current_period_start"), sub.get("current_period_start"))
                        ),
                        "current_period_end": o.ts_text(
                            _first_int(item.get("current_period_end"), sub.get("current_period_end"))
                        ),
                        "trial_start": o.ts_text(sub.get("trial_start")),
                        "trial_end": o.ts_text(sub.get("trial_end")),
                        "cancel_at_period_end": "true" if sub.get("cancel_at_period_end") is True else "false",
                        "cancel_at": o.ts_text(sub.get("cancel_at")),
                        "canceled_at": o.ts_text(sub.get("canceled_at")),
                        "ended_at": o.ts_text(sub.get("ended_at")),
                        "state_order": order,
                        "_ingest_source": SOURCES.get(state.received_via, state.received_via),
                        "_ingest_ts": state.state_ts,
                    }
                )
        except MALFORMED:
            skipped.append(state.object_id)
    return [r for r in rows if r["subscription_item_id"]]


def flatten(warehouse: Warehouse, settings: StripeSettings, load_id: str | None = None) -> LoadReport:
    """Flatten the stored objects and land the new or changed rows (idempotent: a re-run lands nothing)."""
    report = LoadReport(load_id=load_id or new_load_id())
    ensure_tables(warehouse)
    started_at, started = utc_now_text(), time.perf_counter()
    snapshot = Snapshot.of(read_states(warehouse, _TYPES))
    org_table = customer_org_table(warehouse)
    skipped: list[str] = []
    invoices = invoice_rows(snapshot, settings, org_table, skipped)
    items = subscription_item_rows(snapshot, settings, org_table, skipped)
    with _WRITE_LOCK, transaction(warehouse):
        warehouse.lock_for_writes(RAW_SCHEMA, STRIPE_BILLING.name)  # another process's flatten waits here
        changed = _changed_invoices(warehouse, invoices)
        for raw, rows, read in ((STRIPE_BILLING, changed, len(invoices)), (SUBSCRIPTION_ITEMS, items, len(items))):
            inserted = land_batches(warehouse, raw, [_batch(raw, rows)])
            record_load(
                warehouse,
                LoadRecord(report.load_id, FLATTEN_SOURCE, raw.name, read, inserted, started_at, utc_now_text()),
            )
            report.tables.append(TableLoad(raw.name, FLATTEN_SOURCE, read, inserted))
    for entry in report.tables:
        entry.seconds = time.perf_counter() - started
    if skipped and report.tables:
        shown = ", ".join(sorted(set(skipped))[:5])
        report.tables[0].notes.append(f"{len(set(skipped))} stored object(s) of an unexpected shape skipped: {shown}")
    return report


PENDING_MARGIN_SECONDS = 300
"""Objects stored up to this long before the last flatten began count as pending too: a store that took
its time before that flatten read the states but committed after it must not be missed."""


def pending(warehouse: Warehouse) -> bool:
    """Whether stored objects may not be flattened yet: some were stored after the last flatten began
    (less ``PENDING_MARGIN_SECONDS``), or none was ever flattened."""
    if not warehouse.table_exists(RAW_SCHEMA, OBJECTS.name):
        return False
    newest = warehouse.query(f"select max(_loaded_at) from {RAW_SCHEMA}.{OBJECTS.name}")[0][0]
    if newest is None:
        return False
    last = warehouse.query(f"select max(started_at) from {RAW_SCHEMA}.{LOADS.name} where source = ?", [FLATTEN_SOURCE])[
        0
    ][0]
    if last is None:
        return True
    began = datetime.strptime(str(last), _STAMP).replace(tzinfo=UTC)
    return str(newest) >= (began - timedelta(seconds=PENDING_MARGIN_SECONDS)).strftime(_STAMP)


def flatten_pending(warehouse: Warehouse, settings: StripeSettings) -> LoadReport | None:
    """``flatten`` when objects are pending (``pending``); None when there was nothing to do."""
    return flatten(warehouse, settings) if pending(warehouse) else None


_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def _changed_invoices(warehouse: Warehouse, rows: list[Row]) -> list[Row]:
    """Drop rows equal to their invoice's last landed row; raise a changed row's ``_ingest_ts`` to at
    least the last one's."""
    columns = ", ".join(STRIPE_BILLING.column_names)
    landed = warehouse.query(
        f"select {columns}, {LOADED_AT_COLUMN} from {RAW_SCHEMA}.{STRIPE_BILLING.name} where _ingest_source in (?, ?)",
        list(SOURCES.values()),
    )
    names = STRIPE_BILLING.column_names
    last: dict[str, Row] = {}
    keys: dict[str, tuple[str, str]] = {}
    for values in landed:
        row = dict(zip([*names, LOADED_AT_COLUMN], values, strict=True))
        key = (row["_ingest_ts"] or "", row[LOADED_AT_COLUMN] or "")
        invoice_id = str(row["invoice_id"])
        if invoice_id not in keys or key > keys[invoice_id]:
            keys[invoice_id], last[invoice_id] = key, row
    changed = []
    for row in rows:
        previous = last.get(str(row["invoice_id"]))
        if previous is not None and all(previous[c] == row[c] for c in _COMPARED):
            continue
        if previous is not None and (previous["_ingest_ts"] or "") > (row["_ingest_ts"] or ""):
            row = {**row, "_ingest_ts": previous["_ingest_ts"]}
        changed.append(row)
    return changed


def _batch(raw: RawTable, rows: Sequence[Row]) -> pa.RecordBatch:
    """Rows with their ``_row_hash`` (distinct) and ``_loaded_at``, as the landing code takes them."""
    loaded_at = utc_now_text()
    seen: dict[str, Row] = {}
    for row in rows:
        values = [row.get(c) for c in raw.column_names]
        seen.setdefault(row_hash(values), row)
    columns = {c: pa.array([r.get(c) for r in seen.values()], pa.string()) for c in raw.column_names}
    columns[ROW_HASH_COLUMN] = pa.array(list(seen), pa.string())
    columns[LOADED_AT_COLUMN] = pa.array([loaded_at] * len(seen), pa.string())
    return pa.RecordBatch.from_pydict(columns)


def _main_line(inv: Mapping[str, Any], prices: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    lines = [line for line in o.list_data(inv.get("lines")) if isinstance(line, Mapping)]
    best: tuple[Fraction, int] | None = None
    chosen = None
    for index, line in enumerate(lines):
        value = ln.monthly_value(line, prices)
        if value is not None and (best is None or (value, -index) > best):
            best, chosen = (value, -index), line
    if chosen is not None:
        return chosen
    regular = [line for line in lines if not ln.is_proration(line)]
    candidates = regular or lines
    return candidates[0] if candidates else None


def _mrr(inv: Mapping[str, Any], prices: Mapping[str, Mapping[str, Any]]) -> int:
    values = [ln.monthly_value(line, prices) for line in o.list_data(inv.get("lines")) if isinstance(line, Mapping)]
    return ln.round_half_up(sum((v for v in values if v is not None), Fraction(0)))


def _period(inv: Mapping[str, Any], main: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    start = o.as_int(o.get(main, "period", "start")) if main else None
    end = o.as_int(o.get(main, "period", "end")) if main else None
    if start is None or end is None:
        return o.as_int(inv.get("period_start")), o.as_int(inv.get("period_end"))
    return start, end


def _product_name(
    line: Mapping[str, Any], price: Mapping[str, Any] | None, products: Mapping[str, Mapping[str, Any]]
) -> str | None:
    product = ln.product_ref(line, price) if line else o.get(price, "product")
    if isinstance(product, Mapping) and isinstance(product.get("name"), str):
        return str(product["name"])
    product_id = o.ref_id(product)
    name = o.get(products.get(product_id or ""), "name")
    return name if isinstance(name, str) and name else product_id


def _tax(inv: Mapping[str, Any]) -> int:
    if o.as_int(inv.get("tax")) is not None:
        return o.as_int(inv.get("tax")) or 0
    return _sum_amounts(inv.get("total_taxes")) + _sum_amounts(inv.get("total_tax_amounts"))


def _sum_amounts(values: Any) -> int:
    return sum(o.as_int(o.get(v, "amount")) or 0 for v in o.list_data(values))


def _by_invoice(credit_notes: Iterable[o.ObjectState]) -> dict[str, list[o.ObjectState]]:
    found: dict[str, list[o.ObjectState]] = defaultdict(list)
    for note in credit_notes:
        invoice = o.ref_id(note.payload.get("invoice"))
        if invoice and note.payload.get("status") != "void" and not note.deleted:
            found[invoice].append(note)
    return found


def _refunds_of(
    inv: Mapping[str, Any], credits: Sequence[o.ObjectState], refunds: Sequence[o.ObjectState]
) -> list[o.ObjectState]:
    """Refunds of the invoice's payment that no credit note of it already accounts for."""
    through_notes = {o.ref_id(c.payload.get("refund")) for c in credits}
    through_notes |= {o.ref_id(o.get(r, "refund")) for c in credits for r in o.list_data(c.payload.get("refunds"))}
    payments = {o.ref_id(inv.get("charge")), o.ref_id(inv.get("payment_intent"))}
    for payment in o.list_data(inv.get("payments")):
        payments |= {
            o.ref_id(o.get(payment, "payment", "charge")),
            o.ref_id(o.get(payment, "payment", "payment_intent")),
        }
    payments.discard(None)
    return [
        r
        for r in refunds
        if r.payload.get("status") in ("succeeded", "pending")
        and r.object_id not in through_notes
        and payments & {o.ref_id(r.payload.get("charge")), o.ref_id(r.payload.get("payment_intent"))}
    ]


def _churns(sub: Mapping[str, Any] | None, start: int | None, end: int | None) -> bool:
    """Whether the subscription ends within (start, end]."""
    if sub is None or start is None or end is None:
        return False
    if sub.get("status") in ("canceled", "incomplete_expired"):
        ends = _first_int(sub.get("ended_at"), sub.get("canceled_at"))
    elif o.as_int(sub.get("cancel_at")) is not None:
        ends = o.as_int(sub.get("cancel_at"))
    elif sub.get("cancel_at_period_end") is True:
        item_ends = [o.as_int(o.get(i, "current_period_end")) for i in o.list_data(sub.get("items"))]
        ends = _first_int(sub.get("current_period_end"), max((e for e in item_ends if e is not None), default=None))
    else:
        return False
    return ends is not None and start < ends <= end


def _flag_expansions(rows: list[tuple[Row, int | None]]) -> None:
    """expansion_flag: more seats than the subscription's previous paid or open invoice."""
    by_subscription: dict[str, list[tuple[Row, int | None]]] = defaultdict(list)
    for row, quantity in rows:
        if row["subscription_id"] and row["status"] in ("paid", "open") and row["period_start"]:
            by_subscription[row["subscription_id"]].append((row, quantity))
    for invoices in by_subscription.values():
        invoices.sort(key=lambda rq: (rq[0]["period_start"] or "", rq[0]["invoice_id"] or ""))
        for (_, before), (row, after) in itertools.pairwise(invoices):
            if before is not None and after is not None and after > before:
                row["expansion_flag"] = "true"


def _discount(sub: Mapping[str, Any]) -> tuple[Any, int | None, int | None]:
    """The subscription's recurring coupon (old ``discount``, or the first expanded ``discounts`` entry whose
    coupon lasts more than one invoice): percent off, amount off, and when it ends (``repeating`` coupons).
    A ``once`` coupon is not recurring revenue and is ignored."""
    candidates = [sub.get("discount"), *[d for d in o.list_data(sub.get("discounts")) if isinstance(d, Mapping)]]
    for discount in candidates:
        coupon = o.get(discount, "coupon") or o.get(discount, "source", "coupon")
        if isinstance(coupon, Mapping) and coupon.get("duration") != "once":
            end = o.as_int(o.get(discount, "end")) if coupon.get("duration") == "repeating" else None
            return coupon.get("percent_off"), o.as_int(coupon.get("amount_off")), end
    return None, None, None


def _first_int(*values: Any) -> int | None:
    for value in values:
        found = o.as_int(value)
        if found is not None:
            return found
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
