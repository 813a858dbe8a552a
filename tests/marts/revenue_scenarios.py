# ruff: noqa: E501  (the scenario table below is Markdown, one row a line)
"""Stripe revenue scenarios: one org each, told as the webhook events Stripe sends, with MRR worked out by hand.

Business time zone UTC, as of 2026-04-20 12:00:00. Amounts in cents (USD) unless said otherwise. A
subscription's state applies from its event's ``created`` time. Each scenario lists its expected MRR on
chosen days and its movement in chosen months; the churn-setting scenario has an answer per setting.

| org | scenario | how MRR is worked out |
|---|---|---|
| ANNUAL | $12,000 a year, renewed 2026-03-01 | 1,200,000 / 12 = 100,000; the renewal changes nothing |
| QUARTERLY | $300 every 3 months from 2026-01-10 | 30,000 / 3 = 10,000 |
| BIENNIAL | $4,800 every 2 years from 2026-01-05 | 480,000 / 24 = 20,000 |
| WEEKLY | $10 a week from 2026-02-02 | 1,000 × 52 / 12 = 4,333.3 → 4,333 |
| TAXED | invoices only: $100 a month + $20 tax | 10,000 (tax is not revenue) |
| COUPON | 3 seats × $100, 20% off forever | 30,000 × 0.8 = 24,000 |
| REPEATING | $100 a month, $10 off for 2 months (to 2026-03-01) | 9,000 in Jan and Feb, 10,000 from Mar 1: +1,000 expansion in March |
| UPGRADE | $100 → $150 on 2026-02-15 (proration invoiced) | Feb: 10,000 → 15,000, expansion 5,000 |
| TWO_SUBS | $100 + $50, the $50 one cancelled 2026-02-10 | Feb: 15,000 → 10,000, contraction 5,000 (not churn) |
| AT_PERIOD_END | $100, cancel_at_period_end asked 2026-02-10, ends 2026-03-01 | period_end: Feb end 10,000, churn in March; cancellation: 0 from Feb 10, churn in February |
| REFUNDED | invoices only: $100 a month, February's refunded in full | 10,000 every month, no movement |
| RETURNS | $100 cancelled 2026-01-20, a new $80 subscription 2026-03-05 | Jan churn 10,000; Mar reactivation 8,000 (never new) |
| IN_AND_OUT | $100 from 2026-02-03, cancelled 2026-02-20 | 10,000 on Feb 10, 0 at Feb end: no movement, the bridge holds |
| PAST_DUE | $100 from 2025-12-01, past_due from 2026-02-01 (grace 30 days) | counts to 2026-03-03 (exclusive): Mar 2 10,000, Mar 3 0, churn in March |
| PAST_DUE_NOW | $100 from 2026-01-01 with a one-off $50 coupon, past_due from 2026-04-10 | 10,000 (a one-off coupon is not recurring); still 10,000 on the as-of day (within grace) |
| EURO | €100 a month; EUR 1.10 from Jan 1, 1.20 from Mar 1 | 11,000 in Jan and Feb, 12,000 from Mar 1 |
| YEN | ¥15,000 a month (zero-decimal); JPY 0.0068 | 15,000 × 0.0068 × 100 = 10,200 |
| TRIAL | $100, trial 2026-01-10 to 2026-01-24, then active | 0 on Jan 23, 10,000 from Jan 24; January new 10,000 |
| POUND | £100 a month, no GBP rate | 0, flagged as unconverted |
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from tests.stripe import stripe_data as d

AS_OF = "2026-04-20 12:00:00"
Obj = dict[str, Any]

SCENARIOS = [
    "ANNUAL",
    "QUARTERLY",
    "BIENNIAL",
    "WEEKLY",
    "TAXED",
    "COUPON",
    "REPEATING",
    "UPGRADE",
    "TWO_SUBS",
    "AT_PERIOD_END",
    "REFUNDED",
    "RETURNS",
    "IN_AND_OUT",
    "PAST_DUE",
    "PAST_DUE_NOW",
    "EURO",
    "YEN",
    "TRIAL",
    "POUND",
]
ORG = {name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"vitals-revenue-{name}")) for name in SCENARIOS}

RATES = [
    {"currency": "EUR", "rate_date": "2026-01-01", "rate": "1.10"},
    {"currency": "EUR", "rate_date": "2026-03-01", "rate": "1.20"},
    {"currency": "JPY", "rate_date": "2025-06-01", "rate": "0.0068"},
]


class Story:
    """The webhook events of all scenarios, in the order Stripe would send them."""

    def __init__(self) -> None:
        self.events: list[Obj] = []
        self._serial = 0

    def _event(self, obj: Obj, kind: str, at: str) -> None:
        self._serial += 1
        self.events.append(d.event(obj, kind, at, f"evt_{self._serial:04d}"))

    def customer(self, name: str, at: str) -> str:
        customer_id = f"cus_{name}"
        self._event(d.customer(customer_id, at, ORG[name]), "customer.created", at)
        return customer_id

    def subscription(
        self,
        name: str,
        sub_id: str,
        at: str,
        items: list[tuple[str, Obj, int]],
        period: tuple[str, str],
        *,
        created: str,
        kind: str = "customer.subscription.updated",
        **overrides: Any,
    ) -> None:
        """One state of a subscription of ``name``'s customer, sent at ``at``."""
        obj = d.subscription(sub_id, f"cus_{name}", created, items, period, **overrides)
        self._event(obj, kind, at)

    def price(self, obj: Obj) -> None:
        self._event(obj, "price.created", "2025-01-01 00:00:00")

    def invoice(self, obj: Obj, at: str) -> None:
        self._event(obj, "invoice.paid", at)

    def credit_note(self, obj: Obj, at: str) -> None:
        self._event(obj, "credit_note.created", at)


def _price(price_id: str, amount: int, interval: str, count: int = 1, currency: str = "usd") -> Obj:
    found = d.price(price_id, "prod_notes", amount, interval, count)
    found["currency"] = currency
    return found


def _coupon(percent: float | None = None, amount: int | None = None, duration: str = "forever") -> Obj:
    coupon = {"id": "co", "object": "coupon", "percent_off": percent, "amount_off": amount, "duration": duration}
    return {"id": "di", "object": "discount", "coupon": coupon, "end": None}


def _monthly_invoice(name: str, invoice_id: str, start: str, end: str, *, tax: int = 0) -> Obj:
    sub_id = f"sub_{name.lower()}"  # a subscription whose objects were never stored: MRR from invoices
    line = d.new_line(
        f"il_{invoice_id}", "price_monthly", "prod_notes", 1, 10_000, (start, end), subscription_id=sub_id, tax=tax
    )
    return d.new_invoice(
        invoice_id,
        f"cus_{name}",
        sub_id,
        [line],
        status="paid",
        created=start,
        subtotal=10_000,
        tax=tax,
        paid_at=start,
        finalized_at=start,
    )


def story() -> Story:
    """Every scenario of the module docstring, as webhook events."""
    s = Story()
    monthly = _price("price_monthly", 10_000, "month")
    for name in SCENARIOS:
        s.customer(name, "2025-01-01 00:00:00")
    s.price(monthly)

    created = "customer.subscription.created"
    # ANNUAL: a year's period, then the renewal event at the period end
    annual = _price("price_annual", 1_200_000, "year")
    s.subscription(
        "ANNUAL", "sub_annual", "2025-03-01 00:00:00", [("si_annual", annual, 1)],
        ("2025-03-01 00:00:00", "2026-03-01 00:00:00"), created="2025-03-01 00:00:00", kind=created,
    )  # fmt: skip
    s.subscription(
        "ANNUAL", "sub_annual", "2026-03-01 00:00:05", [("si_annual", annual, 1)],
        ("2026-03-01 00:00:00", "2027-03-01 00:00:00"), created="2025-03-01 00:00:00",
    )  # fmt: skip
    for name, sub_id, price, start in (
        ("QUARTERLY", "sub_quarterly", _price("price_q", 30_000, "month", 3), "2026-01-10 00:00:00"),
        ("BIENNIAL", "sub_biennial", _price("price_2y", 480_000, "year", 2), "2026-01-05 00:00:00"),
        ("WEEKLY", "sub_weekly", _price("price_w", 1_000, "week"), "2026-02-02 00:00:00"),
    ):
        s.subscription(name, sub_id, start, [(f"si_{sub_id}", price, 1)], (start, start), created=start, kind=created)

    # TAXED and REFUNDED: invoices only (no subscription objects), so MRR comes from invoices
    s.invoice(
        _monthly_invoice("TAXED", "in_taxed_1", "2026-03-01 00:00:00", "2026-04-01 00:00:00", tax=2_000),
        "2026-03-01 00:00:00",
    )
    s.invoice(
        _monthly_invoice("TAXED", "in_taxed_2", "2026-04-01 00:00:00", "2026-05-01 00:00:00", tax=2_000),
        "2026-04-01 00:00:00",
    )
    for month, (start, end) in enumerate(
        [
            ("2026-01-01 00:00:00", "2026-02-01 00:00:00"),
            ("2026-02-01 00:00:00", "2026-03-01 00:00:00"),
            ("2026-03-01 00:00:00", "2026-04-01 00:00:00"),
            ("2026-04-01 00:00:00", "2026-05-01 00:00:00"),
        ],
        start=1,
    ):
        s.invoice(_monthly_invoice("REFUNDED", f"in_refunded_{month}", start, end), start)
    s.credit_note(d.credit_note("cn_refunded", "in_refunded_2", 10_000, "2026-02-10 00:00:00"), "2026-02-10 00:00:00")

    jan = ("2026-01-01 00:00:00", "2026-02-01 00:00:00")
    s.subscription(
        "COUPON", "sub_coupon", jan[0], [("si_coupon", monthly, 3)], jan, created=jan[0], kind=created,
        discount=_coupon(percent=20.0),
    )  # fmt: skip
    repeating = _coupon(amount=1_000, duration="repeating")
    repeating["end"] = d.epoch("2026-03-01 00:00:00")
    s.subscription(
        "REPEATING", "sub_repeating", jan[0], [("si_repeating", monthly, 1)], jan, created=jan[0], kind=created,
        discount=repeating,
    )  # fmt: skip
    s.subscription(
        "PAST_DUE_NOW", "sub_pd_now", jan[0], [("si_pd_now", monthly, 1)], jan, created=jan[0], kind=created,
        discount=_coupon(amount=5_000, duration="once"),
    )  # fmt: skip
    s.subscription(
        "PAST_DUE_NOW", "sub_pd_now", "2026-04-10 00:05:00", [("si_pd_now", monthly, 1)],
        ("2026-04-10 00:00:00", "2026-05-10 00:00:00"), created=jan[0], status="past_due",
    )  # fmt: skip

    dec = ("2025-12-01 00:00:00", "2026-01-01 00:00:00")
    s.subscription("UPGRADE", "sub_upgrade", dec[0], [("si_upgrade", monthly, 1)], dec, created=dec[0], kind=created)
    s.subscription(
        "UPGRADE", "sub_upgrade", "2026-02-15 09:00:00", [("si_upgrade", _price("price_plus", 15_000, "month"), 1)],
        ("2026-02-01 00:00:00", "2026-03-01 00:00:00"), created=dec[0],
    )  # fmt: skip
    proration = d.new_line(
        "il_prorate", "price_plus", "prod_notes", 1, 2_500, ("2026-02-15 09:00:00", "2026-03-01 00:00:00"),
        subscription_id="sub_upgrade", proration=True,
    )  # fmt: skip
    s.invoice(
        d.new_invoice(
            "in_upgrade_proration", "cus_UPGRADE", "sub_upgrade", [proration], status="paid",
            created="2026-02-15 09:00:00", subtotal=2_500, tax=0, paid_at="2026-02-15 09:00:00",
        ),
        "2026-02-15 09:00:00",
    )  # fmt: skip

    small = _price("price_small", 5_000, "month")
    s.subscription("TWO_SUBS", "sub_two_a", dec[0], [("si_two_a", monthly, 1)], dec, created=dec[0], kind=created)
    s.subscription("TWO_SUBS", "sub_two_b", dec[0], [("si_two_b", small, 1)], dec, created=dec[0], kind=created)
    s.subscription(
        "TWO_SUBS", "sub_two_b", "2026-02-10 10:00:00", [("si_two_b", small, 1)],
        ("2026-02-01 00:00:00", "2026-03-01 00:00:00"), created=dec[0], status="canceled",
        canceled_at=d.epoch("2026-02-10 10:00:00"), ended_at=d.epoch("2026-02-10 10:00:00"),
        kind="customer.subscription.deleted",
    )  # fmt: skip

    feb = ("2026-02-01 00:00:00", "2026-03-01 00:00:00")
    s.subscription("AT_PERIOD_END", "sub_ape", dec[0], [("si_ape", monthly, 1)], dec, created=dec[0], kind=created)
    s.subscription(
        "AT_PERIOD_END", "sub_ape", "2026-02-10 10:00:00", [("si_ape", monthly, 1)], feb, created=dec[0],
        cancel_at_period_end=True, cancel_at=d.epoch(feb[1]), canceled_at=d.epoch("2026-02-10 10:00:00"),
    )  # fmt: skip
    s.subscription(
        "AT_PERIOD_END", "sub_ape", "2026-03-01 00:00:03", [("si_ape", monthly, 1)], feb, created=dec[0],
        status="canceled", cancel_at_period_end=True, cancel_at=d.epoch(feb[1]),
        canceled_at=d.epoch("2026-02-10 10:00:00"), ended_at=d.epoch(feb[1]), kind="customer.subscription.deleted",
    )  # fmt: skip

    s.subscription("RETURNS", "sub_ret_1", dec[0], [("si_ret_1", monthly, 1)], dec, created=dec[0], kind=created)
    s.subscription(
        "RETURNS", "sub_ret_1", "2026-01-20 10:00:00", [("si_ret_1", monthly, 1)], jan, created=dec[0],
        status="canceled", canceled_at=d.epoch("2026-01-20 10:00:00"), ended_at=d.epoch("2026-01-20 10:00:00"),
        kind="customer.subscription.deleted",
    )  # fmt: skip
    back = _price("price_back", 8_000, "month")
    s.subscription(
        "RETURNS", "sub_ret_2", "2026-03-05 00:00:00", [("si_ret_2", back, 1)],
        ("2026-03-05 00:00:00", "2026-04-05 00:00:00"), created="2026-03-05 00:00:00", kind=created,
    )  # fmt: skip

    s.subscription(
        "IN_AND_OUT", "sub_io", "2026-02-03 00:00:00", [("si_io", monthly, 1)],
        ("2026-02-03 00:00:00", "2026-03-03 00:00:00"), created="2026-02-03 00:00:00", kind=created,
    )  # fmt: skip
    s.subscription(
        "IN_AND_OUT", "sub_io", "2026-02-20 00:00:00", [("si_io", monthly, 1)],
        ("2026-02-03 00:00:00", "2026-03-03 00:00:00"), created="2026-02-03 00:00:00", status="canceled",
        canceled_at=d.epoch("2026-02-20 00:00:00"), ended_at=d.epoch("2026-02-20 00:00:00"),
        kind="customer.subscription.deleted",
    )  # fmt: skip

    s.subscription("PAST_DUE", "sub_pd", dec[0], [("si_pd", monthly, 1)], dec, created=dec[0], kind=created)
    s.subscription(
        "PAST_DUE", "sub_pd", "2026-02-01 00:05:00", [("si_pd", monthly, 1)], feb, created=dec[0], status="past_due",
    )  # fmt: skip

    for name, currency, amount in (("EURO", "eur", 10_000), ("YEN", "jpy", 15_000), ("POUND", "gbp", 10_000)):
        price = _price(f"price_{currency}", amount, "month", currency=currency)
        sub_id = f"sub_{currency}"
        s.subscription(name, sub_id, jan[0], [(f"si_{currency}", price, 1)], jan, created=jan[0], kind=created)

    trial = ("2026-01-10 00:00:00", "2026-01-24 00:00:00")
    s.subscription(
        "TRIAL", "sub_trial", trial[0], [("si_trial", monthly, 1)], trial, created=trial[0], kind=created,
        status="trialing", trial_start=d.epoch(trial[0]), trial_end=d.epoch(trial[1]),
    )  # fmt: skip
    s.subscription(
        "TRIAL", "sub_trial", "2026-01-24 00:00:02", [("si_trial", monthly, 1)],
        (trial[1], "2026-02-24 00:00:00"), created=trial[0], trial_start=d.epoch(trial[0]), trial_end=d.epoch(trial[1]),
    )  # fmt: skip
    return s


def delivered_out_of_order(events: list[Obj]) -> list[Obj]:
    """The same events, newest first (Stripe does not promise order): the result must not change."""
    return [copy.deepcopy(e) for e in reversed(events)]
