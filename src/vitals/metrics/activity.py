"""Weekly active providers (seed 000's WAP): per Monday–Sunday week, the providers with at least one successful
job completed that week, read from ``mart_analyses_weekly_active_providers``. ``metrics_daily`` has no such
metric (its ``wau`` counts providers with any app event in a rolling 7 days, a different number), so every
place that says "weekly active providers" reads it here: the executive card, the org page's trend (and the
API's ``wap_trend``), the sales page's seats and the weekly digest."""

from __future__ import annotations

from datetime import date, timedelta

from vitals.metrics.catalog import Metric, default_catalog
from vitals.metrics.models import Point, SummaryItem
from vitals.metrics.reader import Reader, Source
from vitals.metrics.series import summary_item

WAP_METRIC = "weekly_active_providers"
"""The catalog's entry for WAP (label, unit, direction)."""
WAP_MART = "mart_analyses_weekly_active_providers"
ORG_WAP = Source(f"{{core}}.{WAP_MART} w", "org", org_column="w.org_id")
GLOBAL_WAP = Source(
    "(select week_start, sum(weekly_active_providers) as weekly_active_providers"
    f" from {{core}}.{WAP_MART} group by week_start) w",
    "global",
)
"""Company-wide WAP: a provider counts for the org of its jobs, so the orgs' counts add up."""


def wap_metric() -> Metric:
    """The catalog's WAP entry."""
    return default_catalog().metric(WAP_METRIC)


def last_full_week(end: date) -> date:
    """The Monday of the last Monday–Sunday week that ends on or before ``end``."""
    sunday = end - timedelta(days=(end.weekday() + 1) % 7)
    return sunday - timedelta(days=6)


def weekly_active_providers(
    reader: Reader,
    org: str | None,
    first_week: date,
    last_week: date,
    *,
    action: str = "read",
    audited: bool = True,
) -> list[Point]:
    """WAP of each week from ``first_week`` to ``last_week`` (Mondays), of ``org`` or company-wide (None); a
    week without a successful job counts 0. Empty when no week of the range has one. ``audited=False`` when
    the caller already audited this read of the org."""
    conditions = ["w.week_start >= ?", "w.week_start <= ?"]
    params: list[object] = [first_week, last_week]
    if org is None:
        source = GLOBAL_WAP
    else:
        source = ORG_WAP
        conditions.append("w.org_id = ?")
        params.append(org)
    rows = reader.select(
        source,
        columns="w.week_start, w.weekly_active_providers",
        conditions=conditions,
        params=params,
        action=action,
        target=WAP_MART if org is None else org,
        org_level=audited and org is not None,
    )
    if not rows:
        return []
    found = {_day(r["week_start"]): float(r["weekly_active_providers"] or 0) for r in rows}
    weeks = [first_week + timedelta(weeks=n) for n in range((last_week - first_week).days // 7 + 1)]
    return [Point(period_start=week, value=found.get(week, 0.0)) for week in weeks]


def wap_trend(
    reader: Reader, org: str | None, end: date, weeks: int, *, action: str = "read", audited: bool = True
) -> list[Point]:
    """WAP of the last ``weeks`` full weeks ending on or before ``end``, oldest first."""
    last = last_full_week(end)
    return weekly_active_providers(reader, org, last - timedelta(weeks=weeks - 1), last, action=action, audited=audited)


def wap_summary(reader: Reader, org: str | None, end: date, *, action: str = "summary") -> SummaryItem:
    """WAP of the last full week ending on or before ``end`` against the week before."""
    trend = wap_trend(reader, org, end, 2, action=action)
    values = [p.value for p in trend] or [None, None]
    return summary_item(wap_metric(), values[-1], values[0])


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def product_data_start(reader: Reader) -> date | None:
    """The first day of the product data: the earliest first successful job of any org (None before any).
    An org that signed up before that day was already active when the data starts, so its time to first
    value is not known."""
    core = reader.warehouse.core_schema
    if not reader.warehouse.table_exists(core, "mart_analyses_time_to_first_value"):
        return None
    found = reader.warehouse.query(f"select min(first_transcription_at) from {core}.mart_analyses_time_to_first_value")
    return None if not found or found[0][0] is None else date.fromisoformat(str(found[0][0])[:10])
