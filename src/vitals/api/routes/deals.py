"""Deals: ``GET /deals`` (admin, analyst, sales): the CRM's deals as of the last build, filtered and paged."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from vitals.api.auth import PagingDep, ScopeDep
from vitals.api.models import Page, UtcDatetime
from vitals.api.route_class import ApiRoute
from vitals.metrics.sales import DealStatus, deal_rows

router = APIRouter(route_class=ApiRoute, tags=["sales"])


class DealOut(BaseModel):
    """One deal as of the build (its newest version), with what the pipeline makes of it."""

    deal_id: str
    org_id: str | None = Field(description="The org once the deal is tied to one (null for a prospect).")
    company_name: str | None
    owner_id: str | None
    team: str | None
    pipeline: str | None
    stage: str | None
    source_channel: str | None
    amount_cents: int | None = Field(description="In the reporting currency at the day's rate.")
    created_at: UtcDatetime | None
    expected_close_date: date | None
    closed_at: UtcDatetime | None
    is_open: bool
    is_won: bool
    is_lost: bool
    lost_reason: str | None
    stage_probability: float | None
    weighted_amount_cents: int | None
    forecast_category: str | None
    stage_entered_at: UtcDatetime | None
    activities: int | None
    last_activity_at: UtcDatetime | None
    days_since_touch: int | None
    is_stalled: bool | None = Field(description="Open with no stage change and no activity lately (null: closed).")
    is_expansion: bool | None = Field(description="A deal of an org already paying (null: not known).")


@router.get("/deals", response_model=Page[DealOut], summary="Deals")
def list_deals(
    scope: ScopeDep,
    page: PagingDep,
    owner: Annotated[str | None, Query(max_length=100, description="Only this owner's deals.")] = None,
    stage: Annotated[str | None, Query(max_length=100, description="Only deals in this stage.")] = None,
    status: Annotated[DealStatus | None, Query(description="open, closed, won, lost or stalled.")] = None,
    org: Annotated[str | None, Query(max_length=64, description="Only this org's deals.")] = None,
) -> Page[DealOut]:
    """The CRM's deals as of the last build (each its newest version), largest amount first. Deals are the
    vendor's own pipeline: admin, analyst and sales tokens only; empty until `crm_deals` is loaded."""
    scope.require("pipeline")
    if not scope.warehouse.table_exists(scope.warehouse.core_schema, "mart_sales_deals"):
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    rows = deal_rows(
        scope,
        owner=owner,
        stage=stage,
        status=status,
        org=None if org is None else org.strip().lower(),
        limit=page.limit,
        offset=page.offset,
        action="deals.list",
    )
    total = int(rows[0]["total_rows"]) if rows else 0
    items = [DealOut.model_validate({k: v for k, v in row.items() if k != "total_rows"}) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
