"""Org and provider views: ``GET /orgs``, ``GET /orgs/{org_id}``, ``GET /orgs/{org_id}/providers``, over the
read layer's health reads (``vitals.metrics.health``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from vitals.api.auth import PagingDep, ScopeDep
from vitals.api.models import OrgDetail, OrgOut, Page, ProviderOut
from vitals.api.route_class import ApiRoute
from vitals.metrics.health import (
    BANDS,
    HEALTH,
    LIST_COLUMNS,
    PROVIDER_HEALTH,
    RISK_FIRST,
    WORST_FIRST,
    count_orgs,
    count_providers,
    org_detail,
    org_out,
    org_rows,
    provider_out,
    provider_rows,
    scored_day,
)

router = APIRouter(route_class=ApiRoute, tags=["orgs"])


@router.get("/orgs", response_model=Page[OrgOut], summary="Orgs with health, MRR and plan")
def list_orgs(
    scope: ScopeDep,
    page: PagingDep,
    band: Annotated[str | None, Query(max_length=16, description=f"Health band: {', '.join(BANDS)}.")] = None,
    plan: Annotated[str | None, Query(max_length=64, description="Current plan (product name).")] = None,
    risk: Annotated[
        bool | None,
        Query(
            description="true: at-risk orgs only, by churn-risk score x MRR, then MRR (highest first); "
            "false: the others."
        ),
    ] = None,
    as_of: Annotated[date | None, Query(description="The latest scored day on or before this one.")] = None,
) -> Page[OrgOut]:
    """Each org on the latest scored day with its churn-risk score and band, worst health first (with
    ``risk=true``: by churn-risk score x MRR). Org tokens see their own org only."""
    scope.require("org_metrics")
    day = scored_day(scope, HEALTH, as_of)
    if day is None:
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    conditions: list[str] = []
    params: list[Any] = []
    if band is not None:
        conditions.append("h.health_band = ?")
        params.append(band)
    if plan is not None:
        conditions.append("o.current_plan = ?")
        params.append(plan)
    if risk is not None:
        conditions.append("coalesce(c.is_at_risk, false) = ?")
        params.append(risk)
    order = RISK_FIRST if risk else WORST_FIRST
    rows = org_rows(
        scope, day, conditions, params, columns=LIST_COLUMNS, limit=page.limit, offset=page.offset, order_by=order
    )
    total = int(rows[0]["total_rows"]) if rows else count_orgs(scope, day, conditions, params)
    return Page(items=[org_out(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/orgs/{org_id}", response_model=OrgDetail, summary="One org: health, reasons, MRR, WAP, risk")
def get_org(
    org_id: str,
    scope: ScopeDep,
    as_of: Annotated[date | None, Query(description="The latest scored day on or before this one.")] = None,
) -> OrgDetail:
    """The org's health score, band and five components with their week-over-week change, the sentence
    that explains the move, MRR, plan, the weekly active providers of the last 8 full Monday–Sunday weeks
    (providers with a successful job that week; 0 in a week without one) and the churn-risk factors."""
    return org_detail(scope, scope.require_org(org_id), as_of)


@router.get("/orgs/{org_id}/providers", response_model=Page[ProviderOut], summary="An org's providers")
def org_providers(
    org_id: str,
    scope: ScopeDep,
    page: PagingDep,
    as_of: Annotated[date | None, Query(description="The latest scored day on or before this one.")] = None,
) -> Page[ProviderOut]:
    """The org's providers on the latest scored day with their health, worst first."""
    wanted = scope.require_org(org_id)
    day = scored_day(scope, PROVIDER_HEALTH, as_of)
    if day is None:
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    total = count_providers(scope, wanted, day)
    rows = provider_rows(scope, wanted, day, limit=page.limit, offset=page.offset)
    return Page(items=[provider_out(r) for r in rows], total=total, limit=page.limit, offset=page.offset)
