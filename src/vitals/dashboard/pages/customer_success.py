"""Customer success: every org's health (sortable, by band and plan), the at-risk accounts by churn-risk score
x MRR with their score, band and factors, NPS (company-wide over the range, and each org's), and the orgs that
need training."""

from __future__ import annotations

from typing import Any

from vitals.api.scope import BadRequest, Source
from vitals.campaigns import CHANNELS
from vitals.contracts import CAMPAIGN_KINDS
from vitals.dashboard.datasets import Chart, Column, Dataset, Table
from vitals.dashboard.pages.alerts_table import column_limit
from vitals.dashboard.pages.nps_themes import themes_table
from vitals.dashboard.pages.queries import metric_chart, range_presets, view_org_rows, with_previous_period
from vitals.dashboard.registry import Content, Page, register
from vitals.dashboard.view import View
from vitals.metrics.health import BANDS, at_risk_rows, band_counts, band_rank
from vitals.metrics.nps import nps_day, nps_rows
from vitals.metrics.sources import connected_sources
from vitals.metrics.support import campaign_kind_rows, campaign_rows, support_day, support_rows

TRAINING = Source(
    "{core}.mart_analyses_training_needs t left join {core}.organizations o on o.org_id = t.org_id",
    "org",
    org_column="t.org_id",
)
NO_HEALTH = "No health score on or before the end of this date range: the data starts later."
NO_NPS = "No NPS responses: load an nps_responses file (see the sources docs) and rebuild."
NO_TICKETS = "No support tickets: the help desk is not connected (load support_tickets, or pull HubSpot)."
NO_CAMPAIGNS = "No retention campaign yet: start one below the at-risk accounts, or load retention_campaigns."
AT_RISK_RULE = (
    "A paying org is at risk when it shows at least one of the risk factors: the five named ones (declining weekly "
    "active providers, falling health, a high share of notes sent to review, an error spike, unused seats) or the "
    "churn-risk score's (declining health, high support volume, low engagement, low feature adoption, low "
    "activation, payment trouble). The score adds the weights of its factors that fire (0-100: High from 70, Medium "
    "from 40); the list is sorted by score x MRR, then MRR. The rule does not look at the health band, so a Neutral "
    "or Healthy org with a risk factor is listed too."
)


def build(view: View) -> Content:
    """The three lists for the view's filters (and the page's own ``band`` filter)."""
    band = (view.query.get("band") or "").strip() or None
    if band is not None and band not in BANDS:
        raise BadRequest(f"'band' must be one of {', '.join(BANDS)}")
    rows = view_org_rows(view)
    for row in rows:
        row["href"] = view.link(f"/orgs/{row['org_id']}")
        row["mrr_cents"] = None if row["mrr_cents"] is None else int(row["mrr_cents"])
    limit = column_limit(view, "health_score")  # the org health rule's line: scores under it are red
    health = _health(rows, band, limit)
    bands = _bands(view, rows)
    at_risk = _at_risk(view, limit)
    training = _training(view)
    nps_trend, nps_orgs = _nps(view, limit=column_limit(view, "nps"))
    themes = themes_table(view)
    if view.query.get("campaign") == "started":
        view.notices.append(
            "The campaign was started and counts as sent now; its opens, clicks, responses and outcome come from the "
            "tool that sends it."
        )
    context = {
        "band": band,
        "bands": BANDS,
        "band_table": bands,
        "health": health,
        "at_risk": at_risk,
        "at_risk_rule": AT_RISK_RULE,
        "all_bands_href": view.link("/customer-success"),
        "presets": range_presets(view, "/customer-success"),
        "training": training,
        "campaign_kinds": CAMPAIGN_KINDS,
        "campaign_channels": CHANNELS,
        "nps_trend": nps_trend,
        "nps_orgs": nps_orgs,
        "nps_themes": themes,
    }
    support = _support(view)
    campaigns, kinds = _campaigns(view)
    datasets: list[Dataset] = [bands, health, at_risk, nps_trend, nps_orgs, themes, support, campaigns, kinds, training]
    return Content(context, datasets)


def _support(view: View) -> Table:
    """Each org's support load over the 30 days to the range's last day with tickets, heaviest first."""
    connected = "support_tickets" in connected_sources(view.scope.warehouse)
    day = support_day(view.scope, view.filters.end) if connected else None
    rows = []
    if day is not None:
        conditions, params = view.org_conditions("s.org_id", "o.current_plan")
        rows = support_rows(view.scope, day, conditions, params)
        for row in rows:
            row["href"] = view.link(f"/orgs/{row['org_id']}")
            row["org_name"] = row["org_name"] or f"org {str(row['org_id'])[:8]}"
    columns = [
        Column("org_name", "org"),
        Column("support_tickets_opened_30d", "tickets (30 days)", "count"),
        Column("support_tickets_per_100_active_providers", "per 100 active providers", "count"),
        Column("support_backlog", "open now", "count"),
        Column("support_first_response_seconds_p50", "first response p50", "seconds"),
        Column("support_resolution_seconds_p50", "resolution p50", "seconds"),
        Column("support_sla_breach_rate", "SLA breached", "ratio"),
        Column("support_csat", "CSAT", "ratio"),
    ]
    title = f"Support load by org (30 days to {day.isoformat()})" if day else "Support load by org"
    empty = NO_TICKETS if not connected else "No ticket of these orgs in the 30 days."
    return Table("support", title, columns, rows, empty, link="org_name")


def _campaigns(view: View) -> tuple[Table, Table]:
    """The latest retention campaigns (newest first) and each kind's rates with its recovery against the
    control group."""
    connected = "retention_campaigns" in connected_sources(view.scope.warehouse)
    rows: list[dict[str, Any]] = []
    kinds: list[dict[str, Any]] = []
    if connected and view.scope.warehouse.table_exists(
        view.scope.warehouse.core_schema, "mart_customer_success_campaigns"
    ):
        conditions, params = view.org_conditions("c.org_id", "o.current_plan")
        rows = campaign_rows(view.scope, conditions, params)
        for row in rows:
            row["href"] = view.link(f"/orgs/{row['org_id']}")
            row["started_at"] = str(row["started_at"])[:16]
            row["recovered"] = "pending" if row["is_pending"] else "yes" if row["is_recovered"] else "no"
        kinds = campaign_kind_rows(view.scope)
    recent = Table(
        "campaigns",
        "Retention campaigns, newest first",
        [
            Column("started_at", "started (UTC)"),
            Column("org_name", "org"),
            Column("kind", "kind"),
            Column("channel", "channel"),
            Column("outcome", "outcome reported"),
            Column("recovered", "back up 30 days later"),
        ],
        rows,
        NO_CAMPAIGNS if not connected else "No campaign for these orgs yet.",
        link="org_name",
    )
    by_kind = Table(
        "campaign_kinds",
        "Campaigns by kind: reach and recovery against comparable at-risk orgs without one",
        [
            Column("kind", "kind"),
            Column("campaigns_started", "started", "count"),
            Column("campaign_open_rate", "opened", "ratio"),
            Column("campaign_click_rate", "clicked", "ratio"),
            Column("campaign_response_rate", "responded", "ratio"),
            Column("campaign_recovery_rate", "recovered", "ratio"),
            Column("campaign_control_recovery_rate", "recovered without a campaign", "ratio"),
            Column("campaigns_pending", "too recent to judge", "count"),
        ],
        kinds,
        NO_CAMPAIGNS if not connected else "No campaign yet.",
    )
    return recent, by_kind


def _nps(view: View, limit: tuple[str, float] | None) -> tuple[Chart, Table]:
    """NPS company-wide over the range (the period before drawn over it) and each org's on the range's last
    day with responses, lowest first (a score under the NPS rule's line is red)."""
    title = "NPS, company-wide (trailing 90 days), with the period of the same length before it"
    trend = metric_chart(view, "nps_trend", title, ["nps"], org=None, empty=NO_NPS)
    trend = with_previous_period(view, trend, "nps", org=None)
    columns = [
        Column("org_name", "org"),
        Column("nps", "NPS", "score", limit=limit),
        Column("nps_promoters", "promoters", "count"),
        Column("nps_passives", "passives", "count"),
        Column("nps_detractors", "detractors", "count"),
        Column("nps_responses", "responses", "count"),
    ]
    day = nps_day(view.scope, view.filters.end)
    rows = []
    if day is not None:
        conditions, params = view.org_conditions("n.org_id", "o.current_plan")
        rows = nps_rows(view.scope, day, conditions, params, action="dashboard.nps")
        for row in rows:
            row["href"] = view.link(f"/orgs/{row['org_id']}")
            row["org_name"] = row["org_name"] or f"org {str(row['org_id'])[:8]}"
    title = f"NPS by org (90 days to {day.isoformat()})" if day else "NPS by org"
    empty = NO_NPS if day is None else "No org of these filters answered the survey in the 90 days."
    return trend, Table("nps_orgs", title, columns, rows, empty, link="org_name")


def _bands(view: View, rows: list[dict[str, Any]]) -> Table:
    """How many orgs are in each band, worst first; each band links to the list of its orgs."""
    counts = band_counts(rows)
    shown = [
        {"health_band": b, "orgs": counts[b], "href": view.link("/customer-success", band=b) + "#health"} for b in BANDS
    ]
    columns = [Column("health_band", "band"), Column("orgs", "orgs", "count")]
    return Table("bands", "Orgs by health band", columns, shown if rows else [], NO_HEALTH, link="health_band")


def _health(rows: list[dict[str, Any]], band: str | None, limit: tuple[str, float] | None) -> Table:
    columns = [
        Column("org_name", "org"),
        Column("plan", "plan"),
        Column("health_score", "score", "score", limit=limit),
        Column("health_band", "band"),
        Column("health_score_change_7d", "change 7d", "score"),
        Column("mrr_cents", "MRR", "cents"),
        Column("health_move", "why it moved"),
    ]
    shown = [r for r in rows if band is None or r["health_band"] == band]
    shown.sort(key=lambda r: (band_rank(r["health_band"]), _score(r["health_score"]), r["org_name"] or ""))
    empty = NO_HEALTH if not rows else f"No org in band {band} for these filters."
    title = f"Health by org: {band} ({len(shown)})" if band else "Health by org"
    return Table("health", title, columns, shown, empty, link="org_name")


def _score(value: Any) -> float:
    return float("inf") if value is None else float(value)


def _at_risk(view: View, limit: tuple[str, float] | None) -> Table:
    """The at-risk accounts of the churn-risk day on or before the range's end, by churn-risk score x MRR."""
    columns = [
        Column("org_name", "org"),
        Column("churn_risk_score", "churn risk", "score"),
        Column("churn_risk_band", "risk band"),
        Column("mrr_at_risk_cents", "MRR at risk", "cents"),
        Column("weighted_mrr_at_risk_cents", "weighted MRR at risk", "cents"),
        Column("health_score", "health", "score", limit=limit),
        Column("health_band", "health band"),
        Column("churn_risk_factors", "score factors"),
        Column("risk_factors", "named factors"),
    ]
    conditions, params = view.org_conditions("c.org_id", "o.current_plan")
    risky = at_risk_rows(view.scope, view.filters.end, conditions, params, action="dashboard.at_risk")
    for row in risky:
        row["href"] = view.link(f"/orgs/{row['org_id']}")
        row["org_name"] = row["org_name"] or f"org {str(row['org_id'])[:8]}"
        for key in ("mrr_at_risk_cents", "weighted_mrr_at_risk_cents"):
            row[key] = None if row[key] is None else int(row[key])
    empty = NO_HEALTH if view.latest is None else "No account is at risk for these filters."
    title = "At-risk accounts (paying orgs with a risk factor, whatever their band)"
    return Table("at_risk", title, columns, risky, empty, link="org_name")


def _training(view: View) -> Table:
    columns = [
        Column("org_name", "org"),
        Column("review_rate_30d", "review rate 30d", "ratio"),
        Column("errors_per_100_attempts_30d", "errors per 100 attempts 30d", "percent"),
        Column("completed_jobs_30d", "completed jobs 30d", "count"),
        Column("max_invoice_mrr_cents", "MRR", "cents"),
    ]
    conditions, params = view.org_conditions("t.org_id", "o.current_plan")
    rows = view.scope.select(
        TRAINING,
        columns="t.*",
        conditions=["t.needs_training", *conditions],
        params=params,
        order_by="t.review_rate_30d desc, t.org_name",
        action="dashboard.training",
        target="mart_analyses_training_needs",
    )
    for row in rows:
        row["href"] = view.link(f"/orgs/{row['org_id']}")
    empty = (
        "No org needs training for these filters: no paying org sent half of its jobs to review or had 5 or "
        "more errors per 100 attempts over the last 30 days."
    )
    return Table("needs_training", "Needs training", columns, rows, empty, link="org_name")


PAGE = register(
    Page(
        "customer_success",
        "Customer success",
        "/customer-success",
        "customer_success.html",
        build,
        order=20,
        requires="org_metrics",
    )
)
