"""Support load and retention campaigns, read from the support and campaign marts: the one home of these reads
for the customer success page."""

from __future__ import annotations

from datetime import date
from typing import Any

from vitals.metrics.health import scored_day
from vitals.metrics.reader import Reader, Source

SUPPORT_DAILY = "mart_support_daily"
SUPPORT = Source(
    f"{{core}}.{SUPPORT_DAILY} s left join {{core}}.organizations o on o.org_id = s.org_id",
    "org",
    org_column="s.org_id",
)
SUPPORT_COLUMNS = (
    "s.org_id, o.org_name, o.current_plan as plan, s.metric_date, s.support_tickets_opened_30d, "
    "s.support_tickets_per_100_active_providers, s.support_backlog, s.support_first_response_seconds_p50, "
    "s.support_resolution_seconds_p50, s.support_sla_breach_rate, s.support_csat, s.support_escalations"
)
CAMPAIGNS = Source(
    "{core}.mart_customer_success_campaigns c left join {core}.organizations o on o.org_id = c.org_id",
    "org",
    org_column="c.org_id",
)
CAMPAIGN_KINDS = Source("{core}.mart_customer_success_campaign_kinds k", "global")


def support_day(reader: Reader, as_of: date | None) -> date | None:
    """The latest day with support figures on or before ``as_of`` (None: no ticket loaded)."""
    if not reader.warehouse.table_exists(reader.warehouse.core_schema, SUPPORT_DAILY):
        return None
    return scored_day(reader, SUPPORT_DAILY, as_of)


def support_rows(
    reader: Reader, day: date, conditions: list[str] | None = None, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    """Each org's support load over the 30 days to ``day`` (conditions on ``SUPPORT``'s aliases s and o), the
    heaviest first: tickets, tickets per 100 active providers, backlog, first response and resolution p50,
    SLA breach rate and CSAT."""
    return reader.select(
        SUPPORT,
        columns=SUPPORT_COLUMNS,
        conditions=["s.metric_date = ?", "s.support_tickets_opened_30d > 0", *(conditions or [])],
        params=[day, *(params or [])],
        order_by="s.support_tickets_per_100_active_providers desc nulls last, s.support_tickets_opened_30d desc, "
        "o.org_name",
        action="support.orgs",
        target=SUPPORT_DAILY,
    )


def campaign_rows(
    reader: Reader, conditions: list[str] | None = None, params: list[Any] | None = None, limit: int = 25
) -> list[dict[str, Any]]:
    """The latest campaigns (conditions on ``CAMPAIGNS``' aliases c and o), newest first, with their outcome and
    whether the org was back up 30 days after the start."""
    return reader.select(
        CAMPAIGNS,
        columns="c.campaign_id, c.org_id, o.org_name, c.kind, c.channel, c.started_at, c.is_opened, c.is_responded, "
        "c.outcome, c.is_pending, c.is_recovered",
        conditions=list(conditions or []),
        params=list(params or []),
        order_by="c.started_at desc, c.campaign_id",
        limit=limit,
        action="campaigns.list",
        target="mart_customer_success_campaigns",
    )


def campaign_kind_rows(reader: Reader) -> list[dict[str, Any]]:
    """Per campaign kind: sent, open, click, response and recovery rates against the control group."""
    return reader.select(CAMPAIGN_KINDS, order_by="k.campaigns_started desc, k.kind", action="campaigns.kinds")
