"""The sales pipeline and marketing channels, read from the sales and marketing marts: the one home of these
reads for the API (``/deals``) and the dashboard (the sales page's pipeline, the marketing page)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from vitals.metrics.health import scored_day
from vitals.metrics.reader import Reader, Source
from vitals.metrics.sources import connected_sources

DEALS = Source("{core}.mart_sales_deals d", "global")
"""Every deal as of the build (its newest version): prospects have no org, so deals are the vendor's own data."""
DEAL_COLUMNS = (
    "d.deal_id, d.org_id, d.company_name, d.owner_id, d.team, d.pipeline, d.stage, d.source_channel, "
    "d.amount_cents, d.created_at, d.expected_close_date, d.closed_at, d.is_open, d.is_won, d.is_lost, "
    "d.lost_reason, d.stage_probability, d.weighted_amount_cents, d.forecast_category, d.stage_entered_at, "
    "d.activities, d.last_activity_at, d.days_since_touch, d.is_stalled, d.is_expansion"
)
DealStatus = Literal["open", "closed", "won", "lost", "stalled"]
STATUS_CONDITIONS: dict[str, str] = {
    "open": "d.is_open",
    "closed": "not d.is_open",
    "won": "d.is_won",
    "lost": "d.is_lost",
    "stalled": "d.is_stalled",
}
SALES_DAILY = "mart_sales_daily"
QUOTAS = Source("{core}.mart_sales_quota_attainment_monthly q", "global")
FORECAST = Source("{core}.mart_sales_forecast_monthly f", "global")
FUNNEL = Source("{core}.mart_sales_stage_funnel s", "global")
SNAPSHOT = Source(f"{{core}}.{SALES_DAILY} m", "global")
CHANNELS = Source("{core}.mart_marketing_channels_daily c", "global")
COHORTS = Source("{core}.mart_marketing_funnel_cohorts f", "global")
CAC = Source("{core}.mart_marketing_cac_monthly a", "global")
CRM_SOURCE = "crm_deals"
MARKETING_SOURCES = ("marketing_spend", "marketing_leads")


def crm_connected(reader: Reader) -> bool:
    """Whether deals are loaded (as the last build saw them)."""
    return CRM_SOURCE in connected_sources(reader.warehouse)


def marketing_connected(reader: Reader) -> bool:
    """Whether spend or leads are loaded (as the last build saw them)."""
    return bool(set(MARKETING_SOURCES) & connected_sources(reader.warehouse))


def deal_rows(
    reader: Reader,
    *,
    owner: str | None = None,
    stage: str | None = None,
    status: DealStatus | None = None,
    org: str | None = None,
    order_by: str = "d.amount_cents desc nulls last, d.deal_id",
    limit: int | None = None,
    offset: int = 0,
    action: str = "sales.deals",
) -> list[dict[str, Any]]:
    """Deals as of the build under the filters, largest first, with ``total_rows`` (the filtered count)."""
    conditions: list[str] = []
    params: list[Any] = []
    for column, value in (("d.owner_id", owner), ("d.stage", stage), ("d.org_id", org)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    if status is not None:
        conditions.append(STATUS_CONDITIONS[status])
    return reader.select(
        DEALS,
        columns=f"{DEAL_COLUMNS}, count(*) over () as total_rows",
        conditions=conditions,
        params=params,
        order_by=order_by,
        limit=limit,
        offset=offset,
        action=action,
        target="mart_sales_deals",
    )


def sales_day(reader: Reader, as_of: date | None) -> date | None:
    """The latest day of the daily sales figures on or before ``as_of``."""
    if not reader.warehouse.table_exists(reader.warehouse.core_schema, SALES_DAILY):
        return None
    return scored_day(reader, SALES_DAILY, as_of)


def sales_snapshot(reader: Reader, day: date) -> dict[str, Any] | None:
    """The pipeline, win rate, cycle and quota figures of ``day`` (the row of ``mart_sales_daily``)."""
    rows = reader.select(SNAPSHOT, conditions=["m.metric_date = ?"], params=[day], action="sales.snapshot")
    return rows[0] if rows else None


def quota_rows(reader: Reader, month: date, segment_type: str = "owner") -> list[dict[str, Any]]:
    """Bookings against quota per owner (or team) of ``month``, or of the latest month before it with any (a
    month that has just begun has neither quota nor booking yet), best attainment first."""
    latest = reader.select(
        QUOTAS,
        columns="max(q.month_start) as month_start",
        conditions=["q.month_start <= ?", "q.segment_type = ?"],
        params=[month, segment_type],
        action="sales.quotas",
    )
    found = latest[0]["month_start"] if latest else None
    if found is None:
        return []
    return reader.select(
        QUOTAS,
        conditions=["q.month_start = ?", "q.segment_type = ?"],
        params=[found, segment_type],
        order_by="q.quota_attainment desc nulls last, q.segment_name",
        action="sales.quotas",
    )


def forecast_rows(reader: Reader, first: date, last: date) -> list[dict[str, Any]]:
    """The forecast by expected close month from ``first`` to ``last`` (first days of months)."""
    return reader.select(
        FORECAST,
        conditions=["f.month_start >= ?", "f.month_start <= ?"],
        params=[first, last],
        order_by="f.month_start",
        action="sales.forecast",
    )


def stage_rows(reader: Reader) -> list[dict[str, Any]]:
    """Each stage of each pipeline: deals that entered it, are in it now, moved on, won and lost after it."""
    return reader.select(FUNNEL, order_by="s.pipeline, s.deals_entered desc, s.stage", action="sales.stages")


def channel_rows(reader: Reader, start: date, end: date) -> list[dict[str, Any]]:
    """Per channel over ``start``..``end``: leads, MQLs, SQLs and spend, most spent first."""
    return reader.select(
        CHANNELS,
        columns="c.channel, sum(c.leads) as leads, sum(c.mqls) as mqls, sum(c.sqls) as sqls, "
        "sum(c.spend_cents) as spend_cents",
        conditions=["c.metric_date >= ?", "c.metric_date <= ?"],
        params=[start, end],
        group_by="c.channel",
        order_by="sum(c.spend_cents) desc, c.channel",
        action="marketing.channels",
    )


def cac_rows(reader: Reader, first: date, last: date) -> list[dict[str, Any]]:
    """CAC, payback and LTV:CAC per month (first days ``first``..``last``) and channel (``all``: blended)."""
    return reader.select(
        CAC,
        conditions=["a.month_start >= ?", "a.month_start <= ?"],
        params=[first, last],
        order_by="a.month_start, a.channel",
        action="marketing.cac",
    )


def cohort_rows(reader: Reader, first: date, last: date) -> list[dict[str, Any]]:
    """The lead funnel of the monthly lead cohorts ``first``..``last`` per channel."""
    return reader.select(
        COHORTS,
        conditions=["f.cohort_month >= ?", "f.cohort_month <= ?"],
        params=[first, last],
        order_by="f.cohort_month, f.channel",
        action="marketing.funnel",
    )
