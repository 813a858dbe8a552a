"""Invoice lines in both Stripe API shapes, and the monthly value of a recurring line.

- Before 2025-03-31: ``line.price`` (expanded, with ``recurring``), ``line.plan``, ``line.proration``,
  ``line.type`` (``subscription`` / ``invoiceitem``), ``line.subscription``, ``tax_amounts``,
  ``amount_excluding_tax``.
- Since 2025-03-31: ``line.pricing.price_details.{price, product}`` (ids), ``line.parent.type`` and
  ``line.parent.<type>`` (``subscription_item_details`` / ``invoice_item_details`` with ``proration``,
  ``subscription``), ``taxes`` (``tax_behavior``). The interval is read from the price object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vitals.stripe.objects import as_int, get, list_data, ref_id

_MONTHS_PER_INTERVAL = {
    "month": Fraction(1),
    "year": Fraction(12),
    "week": Fraction(12, 52),
    "day": Fraction(12, 365),
}
"""Months in one interval: a year is 12 months, a week 12/52 of a month (52 weeks make 12 months)."""

_DAY = 86_400


@dataclass(frozen=True)
class Recurring:
    """A recurring price's billing interval."""

    interval: str
    interval_count: int

    @property
    def months(self) -> Fraction:
        """Months one billing interval covers."""
        return _MONTHS_PER_INTERVAL[self.interval] * self.interval_count


def recurring_of(value: Any) -> Recurring | None:
    """The interval of a ``recurring`` dict, a price (its ``recurring``) or a plan (``interval``)."""
    if not isinstance(value, Mapping):
        return None
    nested = value.get("recurring")
    source: Mapping[str, Any] = nested if isinstance(nested, Mapping) else value
    interval = source.get("interval")
    count = as_int(source.get("interval_count")) or 1
    if interval in _MONTHS_PER_INTERVAL and count > 0:
        return Recurring(str(interval), count)
    return None


def recurring_from_period(line: Mapping[str, Any]) -> Recurring | None:
    """A fallback interval guessed from the line's period length (when the price is unknown)."""
    start, end = as_int(get(line, "period", "start")), as_int(get(line, "period", "end"))
    if start is None or end is None or end <= start:
        return None
    days = (end - start) / _DAY
    if days < 20:
        return Recurring("week", max(1, round(days / 7)))
    months = round(days / 30.4375)
    if months >= 11:
        return Recurring("year", max(1, round(months / 12)))
    return Recurring("month", max(1, months))


def parent_details(line: Mapping[str, Any]) -> Mapping[str, Any]:
    """The new shape's ``parent.<parent.type>`` dict (empty in the old shape)."""
    parent = line.get("parent")
    if not isinstance(parent, Mapping):
        return {}
    details = parent.get(str(parent.get("type")))
    return details if isinstance(details, Mapping) else {}


def is_new_shape(line: Mapping[str, Any]) -> bool:
    """Whether the line is in the 2025-03-31+ shape."""
    return "pricing" in line or "parent" in line


def price_ref(line: Mapping[str, Any]) -> Any:
    """The line's price: an expanded dict (old shape) or an id / dict from ``pricing.price_details``."""
    if line.get("price") is not None:
        return line["price"]
    details = get(line, "pricing", "price_details")
    if isinstance(details, Mapping) and details.get("price") is not None:
        return details["price"]
    return line.get("plan")


def product_ref(line: Mapping[str, Any], price: Any) -> Any:
    """The line's product (id or expanded dict)."""
    details = get(line, "pricing", "price_details")
    if isinstance(details, Mapping) and details.get("product") is not None:
        return details["product"]
    return get(price, "product")


def is_proration(line: Mapping[str, Any]) -> bool:
    """Whether the line is a proration (ignored for MRR)."""
    return line.get("proration") is True or parent_details(line).get("proration") is True


def is_subscription_line(line: Mapping[str, Any]) -> bool:
    """Whether the line bills a subscription item (not a one-off invoice item)."""
    if line.get("type") is not None:
        return line.get("type") == "subscription"
    parent = line.get("parent")
    if isinstance(parent, Mapping) and parent.get("type") is not None:
        return parent.get("type") == "subscription_item_details"
    return True


def subscription_of(line: Mapping[str, Any]) -> str | None:
    """The subscription the line belongs to."""
    return ref_id(line.get("subscription")) or ref_id(parent_details(line).get("subscription"))


def net_amount(line: Mapping[str, Any]) -> int:
    """The line's amount excluding tax and less its discounts (cents)."""
    amount = as_int(line.get("amount")) or 0
    if as_int(line.get("amount_excluding_tax")) is not None:
        base = as_int(line["amount_excluding_tax"]) or 0
    else:
        inclusive = [t for t in list_data(line.get("tax_amounts")) if get(t, "inclusive") is True]
        inclusive += [t for t in list_data(line.get("taxes")) if get(t, "tax_behavior") == "inclusive"]
        base = amount - sum(as_int(get(t, "amount")) or 0 for t in inclusive)
    discounts = sum(as_int(get(d, "amount")) or 0 for d in list_data(line.get("discount_amounts")))
    return base - discounts


def line_recurring(line: Mapping[str, Any], prices: Mapping[str, Mapping[str, Any]]) -> Recurring | None:
    """The interval of a recurring line: from the expanded price or plan, else the price object, else
    (subscription lines only) the period length. None for one-off lines."""
    price = price_ref(line)
    found = recurring_of(price) if isinstance(price, Mapping) else None
    if found is None and isinstance(price, Mapping) and "recurring" in price and price["recurring"] is None:
        return None  # an expanded one-time price
    if found is None:
        known = prices.get(ref_id(price) or "")
        if known is not None:
            if known.get("recurring") is None and known.get("type") == "one_time":
                return None
            found = recurring_of(known)
    if found is None:
        found = recurring_of(line.get("plan"))
    if found is None and is_subscription_line(line) and (line.get("type") or get(line, "parent", "type")):
        found = recurring_from_period(line)
    return found


def monthly_value(line: Mapping[str, Any], prices: Mapping[str, Mapping[str, Any]]) -> Fraction | None:
    """The line's net amount as a monthly value, or None when the line is not recurring revenue
    (one-off, proration, or interval unknown)."""
    if is_proration(line) or not is_subscription_line(line):
        return None
    recurring = line_recurring(line, prices)
    if recurring is None:
        return None
    return Fraction(net_amount(line)) / recurring.months


def round_half_up(value: Fraction) -> int:
    """Round to whole cents, halves away from zero."""
    sign = -1 if value < 0 else 1
    return sign * int(abs(value) + Fraction(1, 2))
