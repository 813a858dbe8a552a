"""Org and provider views: ``GET /orgs``, ``GET /orgs/{org_id}``, ``GET /orgs/{org_id}/providers``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from vitals.api.auth import PagingDep, ScopeDep
from vitals.api.models import Component, OrgDetail, OrgOut, Page, ProviderOut, RiskOut, clean
from vitals.api.route_class import ApiRoute
from vitals.api.scope import NotFound, Scope, Source
from vitals.api.series import aggregate, daily_values
from vitals.health import COMPONENTS
from vitals.metrics.catalog import default_catalog

router = APIRouter(route_class=ApiRoute, tags=["orgs"])

HEALTH = "mart_customer_success_org_health"
ORGS = Source(
    "{core}.mart_customer_success_org_health h"
    " left join {core}.organizations o on o.org_id = h.org_id"
    " left join {core}.mart_customer_success_churn_risk c on c.org_id = h.org_id and c.metric_date = h.metric_date"
    " left join {core}.mart_revenue_mrr_daily r on r.org_id = h.org_id and r.metric_date = h.metric_date",
    "org",
    org_column="h.org_id",
)
PROVIDERS = Source("{core}.mart_customer_success_provider_health p", "org", org_column="p.org_id")
ORG_COLUMNS = (
    "h.*, o.current_plan as plan, r.mrr_cents as mrr_cents, c.is_at_risk as is_at_risk, c.risk_rank as risk_rank, "
    "c.mrr_at_risk_cents as mrr_at_risk_cents, c.risk_factors as risk_factors"
)
LIST_COLUMNS = (
    "h.org_id, h.org_name, h.metric_date, h.health_score, h.health_band, h.health_score_change_7d, "
    "o.current_plan as plan, r.mrr_cents as mrr_cents, c.is_at_risk as is_at_risk, count(*) over () as total_rows"
)
"""What the list shows (not the components), with the total of the filtered rows in the same read."""
BANDS = ("Healthy", "Neutral", "At risk", "Critical")
WAP_TREND_WEEKS = 8


def scored_day(scope: Scope, mart: str, as_of: date | None) -> date | None:
    """The latest scored day of a health mart on or before ``as_of``."""
    sql = f"select max(metric_date) from {scope.warehouse.core_schema}.{mart}"
    value = scope.warehouse.query(sql + " where metric_date <= ?", [as_of]) if as_of else scope.warehouse.query(sql)
    day = value[0][0]
    return None if day is None else date.fromisoformat(str(day)[:10])


def _org(row: dict[str, Any]) -> OrgOut:
    return OrgOut(
        org_id=row["org_id"],
        org_name=row["org_name"],
        as_of=row["metric_date"],
        health_score=clean(row["health_score"]),
        health_band=row["health_band"],
        health_score_change_7d=clean(row["health_score_change_7d"]),
        mrr_cents=None if row["mrr_cents"] is None else int(row["mrr_cents"]),
        plan=row["plan"],
        is_at_risk=row["is_at_risk"],
    )


@router.get("/orgs", response_model=Page[OrgOut], summary="Orgs with health, MRR and plan")
def list_orgs(
    scope: ScopeDep,
    page: PagingDep,
    band: Annotated[str | None, Query(max_length=16, description=f"Health band: {', '.join(BANDS)}.")] = None,
    plan: Annotated[str | None, Query(max_length=64, description="Current plan (product name).")] = None,
    risk: Annotated[bool | None, Query(description="true: at-risk orgs only; false: the others.")] = None,
    as_of: Annotated[date | None, Query(description="The latest scored day on or before this one.")] = None,
) -> Page[OrgOut]:
    """Each org on the latest scored day, worst health first. Org tokens see their own org only."""
    scope.require("org_metrics")
    day = scored_day(scope, HEALTH, as_of)
    if day is None:
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    conditions: list[str] = ["h.metric_date = ?"]
    params: list[Any] = [day]
    if band is not None:
        conditions.append("h.health_band = ?")
        params.append(band)
    if plan is not None:
        conditions.append("o.current_plan = ?")
        params.append(plan)
    if risk is not None:
        conditions.append("coalesce(c.is_at_risk, false) = ?")
        params.append(risk)
    rows = scope.select(
        ORGS,
        columns=LIST_COLUMNS,
        conditions=conditions,
        params=params,
        order_by="h.health_score, h.org_name, h.org_id",
        limit=page.limit,
        offset=page.offset,
        action="orgs.list",
        target="orgs",
    )
    total = int(rows[0]["total_rows"]) if rows else scope.count(ORGS, conditions=conditions, params=params)
    return Page(items=[_org(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/orgs/{org_id}", response_model=OrgDetail, summary="One org: health, reasons, MRR, WAP, risk")
def get_org(
    org_id: str,
    scope: ScopeDep,
    as_of: Annotated[date | None, Query(description="The latest scored day on or before this one.")] = None,
) -> OrgDetail:
    """The org's health score, band and five components with their week-over-week change, the sentence
    that explains the move, MRR, plan, the weekly active providers of the last 8 weeks (``wau`` on each
    week's last built day: the providers active in that week) and the churn-risk factors."""
    wanted = scope.require_org(org_id)
    day = scored_day(scope, HEALTH, as_of)
    rows = (
        []
        if day is None
        else scope.select(
            ORGS,
            columns=ORG_COLUMNS,
            conditions=["h.metric_date = ?", "h.org_id = ?"],
            params=[day, wanted],
            action="orgs.read",
            target=wanted,
        )
    )
    if not rows:
        raise NotFound(f"org {wanted} has no health score{f' on {day.isoformat()}' if day else ''}")
    row = rows[0]
    wap = default_catalog().metric("wau")
    assert day is not None
    since = day - timedelta(weeks=WAP_TREND_WEEKS)
    values = daily_values(scope, wap, ("org", wanted), since, day, action="orgs.read", audited=False)
    factors = [f.strip() for f in (row["risk_factors"] or "").split(",") if f.strip()]
    return OrgDetail(
        **_org(row).model_dump(),
        components=[
            Component(
                name=name,
                value=clean(row[f"health_{name}"]),
                points=clean(row[f"health_{name}_points"]),
                points_change_7d=clean(row[f"health_{name}_points_change_7d"]),
            )
            for name in COMPONENTS
        ],
        sentence=row["health_move"],
        providers_scored=row["health_providers_scored"],
        wap_trend=aggregate(values, "last", "week")[-WAP_TREND_WEEKS:],
        risk=RiskOut(
            is_at_risk=row["is_at_risk"],
            risk_rank=row["risk_rank"],
            mrr_at_risk_cents=None if row["mrr_at_risk_cents"] is None else int(row["mrr_at_risk_cents"]),
            factors=factors,
        ),
    )


@router.get("/orgs/{org_id}/providers", response_model=Page[ProviderOut], summary="An org's providers")
def org_providers(
    org_id: str,
    scope: ScopeDep,
    page: PagingDep,
    as_of: Annotated[date | None, Query(description="The latest scored day on or before this one.")] = None,
) -> Page[ProviderOut]:
    """The org's providers on the latest scored day with their health, worst first."""
    wanted = scope.require_org(org_id)
    day = scored_day(scope, "mart_customer_success_provider_health", as_of)
    if day is None:
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    conditions, params = ["p.metric_date = ?", "p.org_id = ?"], [day, wanted]
    total = scope.count(PROVIDERS, conditions=conditions, params=params)
    rows = scope.select(
        PROVIDERS,
        conditions=conditions,
        params=params,
        order_by="p.health_score, p.provider_id",
        limit=page.limit,
        offset=page.offset,
        action="orgs.providers",
        target=wanted,
    )
    items = [
        ProviderOut(
            provider_id=r["provider_id"],
            org_id=r["org_id"],
            as_of=r["metric_date"],
            health_score=clean(r["health_score"]),
            health_band=r["health_band"],
            health_score_change_7d=clean(r["health_score_change_7d"]),
            sentence=r["health_move"],
            jobs_7d=r["health_jobs_7d"],
            notes_7d=r["health_notes_7d"],
        )
        for r in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
