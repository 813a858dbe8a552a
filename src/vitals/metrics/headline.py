"""The headline KPIs: one definition of a headline number as of a day and what it is compared with
(``headlines_as_of``), read by the executive page, ``/summary?period=day``, ``vitals demo`` and the digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel

from vitals.metrics.catalog import default_catalog
from vitals.metrics.models import SummaryItem
from vitals.metrics.reader import Reader
from vitals.warehouse.base import Warehouse

HEADLINE = (
    "dad",
    "npad",
    "new_doctor_activation_rate",
    "quality_pass_rate_7d",
    "wau",
    "mrr_cents",
    "paying_orgs",
    "nps",
)
"""The KPIs the demo and the digest lead with, in this order (SPEC §6.2), then NPS (SPEC §6.9)."""


def headline_text(item: HeadlineItem) -> str:
    """``label  value  change vs ...  (note)``: one line of the CLI's headline output."""
    line = f"{item.label:<34} {format_value(item.unit, item.value):>12}  {change_text(item.unit, item.change)}"
    line += f" {item.comparison}"
    return line + (f" ({item.note})" if item.note else "")


def change_text(unit: str, change: float | None) -> str:
    """A change as a person reads it: points for ratios, dollars for cents, else the number."""
    if change is None:
        return "-"
    if unit == "ratio":
        return f"{100 * change:+.1f} pp"
    if unit == "cents":
        return f"{'+' if change >= 0 else '-'}${abs(change) / 100:,.0f}"
    return f"{change:+,.0f}" if float(change).is_integer() else f"{change:+,.2f}"


def format_value(unit: str, value: float | None) -> str:
    """A value as a person reads it: cents as dollars, ratios as percent, counts with separators."""
    if value is None:
        return "-"
    if unit == "cents":
        return f"${value / 100:,.0f}"
    if unit == "ratio":
        return f"{100 * value:.1f}%"
    if unit == "count" and float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def headline_kpis(warehouse: Warehouse) -> HeadlinesOut:
    """The headline numbers as of the last built day (nothing when nothing is built): the executive page's and
    a few product ones, as ``headlines_as_of`` defines them."""
    from vitals.metrics.reader import WarehouseReader

    if not warehouse.table_exists(warehouse.core_schema, "metrics_daily"):
        return HeadlinesOut(
            entity_type="global",
            entity_id="global",
            start=None,
            end=None,
            previous_start=None,
            previous_end=None,
            items=[],
        )
    return headlines_as_of(WarehouseReader(warehouse), None, metrics=CLI_HEADLINE, action="headline")


EXECUTIVE = (
    "mrr_cents",
    "arr_cents",
    "nrr",
    "paying_orgs",
    "weekly_active_providers",
    "dad",
    "quality_pass_rate_7d",
    "nps",
)
"""The executive page's cards, in order (``/summary?period=day`` serves the same definition)."""
MONTHLY = frozenset({"nrr"})
"""Metrics dated on their month's last built day (a past month's last day; the as-of day for the month to date)."""
COMPARISON_DAYS = 7
CLI_HEADLINE = (*EXECUTIVE, "npad", "new_doctor_activation_rate")
"""What ``vitals demo`` prints: the executive cards, then two product numbers."""


class HeadlineItem(SummaryItem):
    """One headline metric as of a day: the value of one ``metrics_daily`` row (never an average of rows)
    against the row it is compared with."""

    day: date | None
    """The day the value is of (monthly metrics: the day their month's row is dated on; WAP: its week's Monday)."""
    previous_day: date | None
    comparison: str
    """What the change is against: ``vs 7 days earlier``, ``vs previous month`` or ``vs previous week``."""
    note: str | None = None
    """What the value is of when it is not the day itself (``month to date 2026-03``, ``week of 2026-03-02``)."""


class HeadlinesOut(BaseModel):
    """The headline metrics as of ``end`` (the latest built day on or before the asked day); ``previous_end``
    is the day the daily metrics are compared with (7 days earlier)."""

    period: Literal["day"] = "day"
    entity_type: Literal["global", "org"]
    entity_id: str
    start: date | None
    end: date | None
    previous_start: date | None
    previous_end: date | None
    items: list[HeadlineItem]

    def item(self, metric: str) -> HeadlineItem | None:
        """The item of ``metric`` (None: not shown for this entity)."""
        return next((i for i in self.items if i.metric == metric), None)


def headlines_as_of(
    reader: Reader,
    as_of: date | None,
    *,
    org: str | None = None,
    metrics: Sequence[str] = EXECUTIVE,
    action: str = "headline",
) -> HeadlinesOut:
    """The one definition of a headline number as of day D (the latest built day on or before ``as_of``):
    - a daily metric: its value on D against its value 7 days before D;
    - a monthly metric (NRR): its latest month's row dated on or before D (the month of D, to date, when D's
      month has a row; else the last month) against the month before;
    - weekly active providers: the last full Monday–Sunday week ending on or before D against the week before.
    Metrics without the entity's grain are left out. The page, ``/summary?period=day``, the CLI and the digest
    all read it here."""
    from vitals.metrics.activity import WAP_MART, WAP_METRIC, last_full_week, wap_summary
    from vitals.metrics.series import latest_day, many_daily_values, summary_item

    entity = reader.entity(org)
    entity_type: Literal["global", "org"] = "org" if entity[0] == "org" else "global"
    end = latest_day(reader, as_of)
    if end is None:
        return HeadlinesOut(
            entity_type=entity_type,
            entity_id=entity[1],
            start=None,
            end=None,
            previous_start=None,
            previous_end=None,
            items=[],
        )
    catalog = default_catalog()
    selected = [catalog.metric(n) for n in metrics if n != WAP_METRIC]
    selected = [m for m in selected if entity[0] in m.grain]
    monthly = [m for m in selected if m.name in MONTHLY]
    earliest = (end.replace(day=1) - timedelta(days=1)).replace(day=1) if monthly else end
    start = min(end - timedelta(days=COMPARISON_DAYS), earliest)
    rows = many_daily_values(reader, selected, entity, start, end, action=action)
    values: dict[str, HeadlineItem] = {}
    for metric in selected:
        points = [(d, v) for d, v in rows[metric.name] if v is not None]
        if metric.name in MONTHLY:
            current = points[-1] if points else None
            month = current[0].replace(day=1) if current else None
            before = [p for p in points if month is not None and p[0] < month]
            previous = before[-1] if before else None
            note = None
            if current is not None:
                complete = current[0] < end or (end + timedelta(days=1)).day == 1
                note = f"{'month' if complete else 'month to date'} {current[0]:%Y-%m}"
            values[metric.name] = HeadlineItem(
                **summary_item(metric, current[1] if current else None, previous[1] if previous else None).model_dump(),
                day=current[0] if current else None,
                previous_day=previous[0] if previous else None,
                comparison="vs previous month",
                note=note,
            )
        else:
            by_day = dict(points)
            before_day = end - timedelta(days=COMPARISON_DAYS)
            values[metric.name] = HeadlineItem(
                **summary_item(metric, by_day.get(end), by_day.get(before_day)).model_dump(),
                day=end,
                previous_day=before_day,
                comparison=f"vs {COMPARISON_DAYS} days earlier",
            )
    if WAP_METRIC in metrics and reader.warehouse.table_exists(reader.warehouse.core_schema, WAP_MART):
        week = last_full_week(end)
        values[WAP_METRIC] = HeadlineItem(
            **wap_summary(reader, entity[1] if entity[0] == "org" else None, end, action=action).model_dump(),
            day=week,
            previous_day=week - timedelta(days=7),
            comparison="vs previous week",
            note=f"week of {week.isoformat()}",
        )
    compared = end - timedelta(days=COMPARISON_DAYS)
    return HeadlinesOut(
        entity_type=entity_type,
        entity_id=entity[1],
        start=end,
        end=end,
        previous_start=compared,
        previous_end=compared,
        items=[values[n] for n in metrics if n in values],
    )
