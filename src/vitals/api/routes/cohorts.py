"""Cohorts: ``GET /cohorts?kind=retention|revenue``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from vitals.api.auth import PagingDep, ScopeDep
from vitals.api.models import CohortRow, Page, clean
from vitals.api.route_class import ApiRoute
from vitals.api.scope import Source

router = APIRouter(route_class=ApiRoute, tags=["cohorts"])

RETENTION = Source("{core}.mart_product_retention_cohorts", "long")
REVENUE = Source("{core}.mart_revenue_cohorts", "global")


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


@router.get("/cohorts", response_model=Page[CohortRow], summary="Retention or revenue cohorts")
def cohorts(
    scope: ScopeDep,
    page: PagingDep,
    kind: Annotated[
        Literal["retention", "revenue"],
        Query(description="retention: providers by join week; revenue: orgs and MRR by first paid month."),
    ] = "retention",
    org: Annotated[str | None, Query(max_length=64, description="retention only: one org's cohorts.")] = None,
) -> Page[CohortRow]:
    """Weekly provider retention cohorts (global, or of one org), or monthly logo and revenue cohorts
    (global only). Org tokens get their own org's retention cohorts."""
    if kind == "revenue":
        total = scope.count(REVENUE)
        rows = scope.select(
            REVENUE,
            order_by="cohort_month, months_since_start",
            limit=page.limit,
            offset=page.offset,
            action="cohorts",
            target="revenue",
        )
        items = [
            CohortRow(
                cohort_start=r["cohort_month"],
                age=r["months_since_start"],
                activity_start=r["activity_month"],
                entity_type="global",
                entity_id="global",
                cohort_size=_int(r["cohort_orgs"]),
                retained=_int(r["retained_orgs"]),
                retention_rate=clean(r["logo_retention"]),
                cohort_mrr_cents=_int(r["cohort_mrr_cents"]),
                retained_mrr_cents=_int(r["retained_mrr_cents"]),
                revenue_retention=clean(r["revenue_retention"]),
            )
            for r in rows
        ]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)
    entity_type, entity_id = scope.entity(org)
    conditions, params = ["entity_type = ?", "entity_id = ?"], [entity_type, entity_id]
    total = scope.count(RETENTION, conditions=conditions, params=params)
    rows = scope.select(
        RETENTION,
        conditions=conditions,
        params=params,
        order_by="cohort_week, weeks_since_join",
        limit=page.limit,
        offset=page.offset,
        action="cohorts",
        target=f"retention:{entity_id}",
        org_level=entity_type == "org",
    )
    items = [
        CohortRow(
            cohort_start=r["cohort_week"],
            age=r["weeks_since_join"],
            activity_start=r["activity_week"],
            entity_type=r["entity_type"],
            entity_id=r["entity_id"],
            cohort_size=_int(r["cohort_providers"]),
            retained=_int(r["retained_providers"]),
            retention_rate=clean(r["retention_rate"]),
        )
        for r in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
