"""Summary and comparisons: ``GET /summary``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from vitals.api.auth import ScopeDep
from vitals.api.models import SummaryOut
from vitals.api.route_class import ApiRoute
from vitals.metrics.series import summary

router = APIRouter(route_class=ApiRoute, tags=["summary"])


@router.get("/summary", response_model=SummaryOut, summary="Headline metrics against the previous period")
def get_summary(
    scope: ScopeDep,
    period: Annotated[Literal["week", "month"], Query(description="Trailing 7 (week) or 30 (month) days.")] = "week",
    org: Annotated[str | None, Query(max_length=64, description="An org id; absent: global.")] = None,
    as_of: Annotated[date | None, Query(description="Compare the periods ending on this day.")] = None,
) -> SummaryOut:
    """Each headline (tier-1) metric: its value over the period, the previous period's, the change and
    the change in percent. Org tokens get their own org's values."""
    return summary(scope, period, org, as_of)
