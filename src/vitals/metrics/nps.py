"""Net Promoter Score per org, read from ``mart_customer_success_nps_daily`` (the trailing 90 days ending on
each business day): the one home of these reads for the customer success and org pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from vitals.metrics.health import scored_day
from vitals.metrics.reader import Reader, Source

NPS_MART = "mart_customer_success_nps_daily"
NPS_BY_ORG = Source(
    f"{{core}}.{NPS_MART} n left join {{core}}.organizations o on o.org_id = n.org_id",
    "org",
    org_column="n.org_id",
)
NPS_COLUMNS = (
    "n.org_id, o.org_name, o.current_plan as plan, n.metric_date, n.nps, n.nps_promoters, n.nps_passives, "
    "n.nps_detractors, n.nps_responses"
)


def nps_day(reader: Reader, as_of: date | None) -> date | None:
    """The latest day with an NPS row on or before ``as_of`` (None: no response loaded, or none by then)."""
    if not reader.warehouse.table_exists(reader.warehouse.core_schema, NPS_MART):
        return None
    return scored_day(reader, NPS_MART, as_of)


def nps_rows(
    reader: Reader,
    day: date,
    conditions: list[str] | None = None,
    params: list[Any] | None = None,
    *,
    action: str = "nps.orgs",
) -> list[dict[str, Any]]:
    """Each org's NPS over the 90 days ending on ``day`` (conditions on ``NPS_BY_ORG``'s aliases n and o), lowest
    first: score, promoters, passives, detractors and responses; orgs without a response in the window last."""
    rows = reader.select(
        NPS_BY_ORG,
        columns=NPS_COLUMNS,
        conditions=["n.metric_date = ?", "n.nps_responses > 0", *(conditions or [])],
        params=[day, *(params or [])],
        order_by="n.nps nulls last, o.org_name, n.org_id",
        action=action,
        target=NPS_MART,
    )
    for row in rows:
        row["metric_date"] = day
        row["nps"] = None if row["nps"] is None else float(row["nps"])
        for key in ("nps_promoters", "nps_passives", "nps_detractors", "nps_responses"):
            row[key] = int(row[key] or 0)
    return rows


NPS_THEMES_MART = "mart_customer_success_nps_themes"
NPS_THEMES = Source(f"{{core}}.{NPS_THEMES_MART}", "long")


def nps_themes(reader: Reader, org: str | None = None, *, action: str = "nps.themes") -> list[dict[str, Any]]:
    """What the NPS comments of the last build's 90 days talk about, company-wide or of ``org``: each theme
    mentioned, most mentioned first, with its promoters, passives, detractors, share of the comments and NPS."""
    if not reader.warehouse.table_exists(reader.warehouse.core_schema, NPS_THEMES_MART):
        return []
    entity_type, entity_id = reader.entity(org)
    rows = reader.select(
        NPS_THEMES,
        columns="metric_date, theme, theme_mentions, theme_promoters, theme_passives, theme_detractors, "
        "commented_responses, theme_share_of_comments, theme_nps",
        conditions=["entity_type = ?", "entity_id = ?"],
        params=[entity_type, entity_id],
        order_by="theme_mentions desc, theme",
        action=action,
        target=NPS_THEMES_MART,
    )
    for row in rows:
        for key in ("theme_mentions", "theme_promoters", "theme_passives", "theme_detractors", "commented_responses"):
            row[key] = int(row[key] or 0)
        for key in ("theme_share_of_comments", "theme_nps"):
            row[key] = None if row[key] is None else float(row[key])
    return rows
