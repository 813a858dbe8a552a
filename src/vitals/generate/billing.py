"""``stripe_billing_big`` rows: one invoice per org and billing period, as Stripe webhooks deliver them.

Monthly or annual subscriptions anchored at the signup instant; seats follow the org's providers;
coupons, tax, refunds, open→paid re-deliveries, voided drafts and the churn invoice. An annual
invoice's ``mrr_cents`` is its amount before tax divided by 12, rounded half up.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from vitals.contracts import STRIPE_BILLING
from vitals.generate import mess
from vitals.generate import vocab as v
from vitals.generate.clock import MINUTE_US, US, floor_ms, format_mixed, utc_datetime
from vitals.generate.orgs import NEVER, Population
from vitals.generate.window import Window

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SEAT_LOOKAHEAD_US = 14 * 86_400 * US
"""Seats are bought for providers joining within two weeks of the period start."""


def _stripe_id(rng: np.random.Generator, prefix: str, width: int) -> str:
    """A Stripe-style id such as ``in_1PqR...``."""
    return prefix + "".join(_ALPHABET[i] for i in rng.integers(0, len(_ALPHABET), width).tolist())


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months, clamping the day to the month's length."""
    years, month0 = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + years, month0 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _us(moment: datetime) -> int:
    """UTC microseconds of an aware datetime."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


@dataclass
class _Rows:
    """Invoice rows being collected (times as UTC µs, -1 when empty)."""

    values: dict[str, list[object]] = field(default_factory=lambda: {n: [] for n in STRIPE_BILLING.column_names})

    def add(self, **row: object) -> None:
        """Collect one row (every contract column by name)."""
        for name in STRIPE_BILLING.column_names:
            self.values[name].append(row[name])


def _seats(pop: Population, window: Window, org: int, at_utc: int) -> int:
    """Seats billed at a period start: providers in the org then (or joining soon) plus a buffer."""
    o, p = pop.orgs, pop.providers
    lo, hi = o.first_provider[org], o.provider_end[org]
    at_local = at_utc + int(window.clock.offset_at_utc(np.array([at_utc]))[0]) * US
    joined = p.join_us[lo:hi] <= at_local + _SEAT_LOOKAHEAD_US
    staying = p.leave_us[lo:hi] > at_local
    return max(int((joined & staying).sum()) + int(o.seat_buffer[org]), 1)


def _segments(pop: Population, window: Window, org: int) -> list[tuple[int, int]]:
    """Subscriptions of an org as (start, churn) in UTC µs (churn = NEVER if none)."""
    o, clock = pop.orgs, window.clock
    start = clock.local_to_utc(int(o.signup_us[org])) // US * US
    churn = int(o.churn_us[org])
    segments = [(start, NEVER if churn == NEVER else clock.local_to_utc(churn))]
    if o.return_us[org] != NEVER:
        back = clock.local_to_utc(int(o.return_us[org])) + 9 * 3600 * US
        segments.append((back, NEVER))
    return segments


def subscription_start_utc(pop: Population, window: Window, org: int) -> int:
    """When the org starts paying (UTC µs): the period start of its first invoice."""
    return _segments(pop, window, org)[0][0]


def annual_value_cents(pop: Population, window: Window, org: int, plan: int, at_utc: int, billed: int = 0) -> int:
    """A year of the org's subscription on ``plan`` with the seats billed at ``at_utc``: twelve times the MRR
    of its ``billed``-th invoice (which decides whether a coupon still applies), in cents before tax."""
    seats = _seats(pop, window, org, at_utc)
    return 12 * _money(pop, org, plan, seats, bool(pop.orgs.annual[org]), billed)["mrr"]


def render_invoices(pop: Population, window: Window, seed: int) -> pa.Table:
    """Every invoice row delivered up to the window's end, ordered by ``_ingest_ts``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    o = pop.orgs
    prices = {(plan, annual): _stripe_id(rng, "price_", 24) for plan in range(3) for annual in (False, True)}
    end = window.end_utc
    rows = _Rows()
    for org in range(o.n):
        customer = _stripe_id(rng, "cus_", 14)
        org_id = o.ids[org].as_py()
        annual = bool(o.annual[org])
        step = 12 if annual else 1
        billed = 0
        previous: tuple[int, int] | None = None
        for start, churn in _segments(pop, window, org):
            subscription = _stripe_id(rng, "sub_", 24)
            anchor = utc_datetime(start)
            k = 0
            while True:
                period_start, period_end = (_us(add_months(anchor, m * step)) for m in (k, k + 1))
                if period_start >= end or period_start >= churn:
                    break
                plan = int(o.plan[org]) + int(_upgraded(pop, window, org, period_start))
                seats = _seats(pop, window, org, period_start)
                is_churn = period_start <= churn < period_end
                expansion = previous is not None and (seats > previous[0] or plan > previous[1])
                _invoice(
                    rng,
                    rows,
                    end=end,
                    base={
                        "org_id": org_id,
                        "customer_id": customer,
                        "subscription_id": subscription,
                        "price_id": prices[(plan, annual)],
                        "product": v.PLANS[plan],
                        "currency": "usd",
                        "period_start": period_start,
                        "period_end": period_end,
                        "quantity": seats,
                        "churn_flag": "true" if is_churn else "false",
                        "expansion_flag": "true" if expansion else "false",
                    },
                    money=_money(pop, org, plan, seats, annual, billed),
                )
                previous = (seats, plan)
                billed += 1
                k += 1
                if is_churn:
                    break
            previous = None
    return _table(rows, window, rng)


def _upgraded(pop: Population, window: Window, org: int, period_start_utc: int) -> bool:
    """Whether the org has moved up one plan by this period."""
    upgrade = int(pop.orgs.upgrade_us[org])
    return upgrade != NEVER and window.clock.local_to_utc(upgrade) <= period_start_utc


def _money(pop: Population, org: int, plan: int, seats: int, annual: bool, billed: int) -> dict[str, int]:
    """Subtotal, discount, tax, amount and MRR of one invoice (cents)."""
    o = pop.orgs
    unit = int(v.SEAT_PRICE_CENTS[plan])
    if annual:
        unit = round(unit * v.ANNUAL_FACTOR)
    subtotal = unit * seats
    couponed = o.coupon_pct[org] > 0 and (o.coupon_months[org] == 0 or billed < o.coupon_months[org])
    discount = round(subtotal * float(o.coupon_pct[org])) if couponed else 0
    net = subtotal - discount
    tax = round(net * float(o.tax_rate[org]))
    mrr = (net + 6) // 12 if annual else net
    return {"subtotal": subtotal, "discount": discount, "tax": tax, "amount": net + tax, "mrr": mrr}


def _invoice(
    rng: np.random.Generator, rows: _Rows, *, end: int, base: dict[str, object], money: dict[str, int]
) -> None:
    """The webhook deliveries of one invoice: maybe a voided draft, open, paid, refunded."""
    period_start = int(str(base["period_start"]))
    common = {
        **base,
        "amount_cents": money["amount"],
        "subtotal_cents": money["subtotal"],
        "tax_cents": money["tax"],
        "discount_cents": money["discount"],
        "mrr_cents": money["mrr"],
        "refunded_cents": 0,
        "_ingest_source": "stripe_webhook",
    }
    invoice_id = _stripe_id(rng, "in_", 24)
    created = period_start + int(rng.uniform(30, 300) * US)
    if rng.random() < 0.02:  # a draft issued with a mistake and voided
        void = {**common, "churn_flag": "false", "expansion_flag": "false"}
        rows.add(
            invoice_id=_stripe_id(rng, "in_", 24),
            status="void",
            paid_at=-1,
            _ingest_ts=created - 20 * US,
            **_drop(void),
        )
    by_card = rng.random() < 0.7
    delay = rng.uniform(1, 50) * MINUTE_US if by_card else rng.uniform(1, 12) * 86_400 * US
    paid_at = (period_start + int(delay)) // US * US
    if paid_at >= end:
        rows.add(invoice_id=invoice_id, status="open", paid_at=-1, _ingest_ts=created, **_drop(common))
        return
    if not by_card:
        rows.add(invoice_id=invoice_id, status="open", paid_at=-1, _ingest_ts=created, **_drop(common))
    rows.add(
        invoice_id=invoice_id,
        status="paid",
        paid_at=paid_at,
        _ingest_ts=paid_at + int(rng.uniform(1, 30) * US),
        **_drop(common),
    )
    refund_at = paid_at + int(rng.uniform(1, 20) * 86_400 * US)
    if rng.random() < 0.03 and refund_at < end:
        refunded = round(money["amount"] * float(rng.choice([0.1, 0.25, 0.5, 1.0])))
        rows.add(
            invoice_id=invoice_id,
            status="paid",
            paid_at=paid_at,
            _ingest_ts=refund_at,
            **_drop({**common, "refunded_cents": refunded}),
        )


def _drop(row: dict[str, object]) -> dict[str, object]:
    """Row values without the keys passed separately."""
    return {k: val for k, val in row.items() if k not in ("invoice_id", "status", "paid_at", "_ingest_ts")}


def _table(rows: _Rows, window: Window, rng: np.random.Generator) -> pa.Table:
    """Render collected rows as text, with a little id mess and some ISO-offset timestamps."""
    values = rows.values
    n = len(values["invoice_id"])
    ingest = np.array(values["_ingest_ts"], dtype=np.int64)
    offset = mess.pick(rng, n, 0.03) if n else np.zeros(0, dtype=bool)
    clock = window.clock
    columns: dict[str, pa.Array] = {}
    for name in STRIPE_BILLING.column_names:
        if name in ("period_start", "period_end", "paid_at", "_ingest_ts"):
            us = np.array(values[name], dtype=np.int64)
            us = np.where(offset, floor_ms(us), us)
            text = format_mixed(clock, us, offset)
            if name != "_ingest_ts":
                text = pa.array(
                    [t[:19] if not o else t for t, o in zip(text.to_pylist(), offset.tolist(), strict=True)],
                    pa.string(),
                )
            columns[name] = pa.array(
                ["" if u < 0 else t for u, t in zip(us.tolist(), text.to_pylist(), strict=True)], pa.string()
            )
        else:
            columns[name] = pa.array([str(x) for x in values[name]], pa.string())
    org_id = columns["org_id"]
    org_id = mess.upper(org_id, mess.pick(rng, n, mess.INVOICE_ID_MESS_RATE / 2))
    columns["org_id"] = mess.pad(org_id, mess.pick(rng, n, mess.INVOICE_ID_MESS_RATE / 2))
    names = STRIPE_BILLING.column_names
    table = pa.table([columns[name] for name in names], names=names)
    return table.take(pa.array(np.argsort(ingest, kind="stable")))
