"""Summary and comparisons: ``GET /summary``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from vitals.api.auth import ScopeDep
from vitals.api.models import SummaryOut
from vitals.api.route_class import ApiRoute
from vitals.metrics.headline import EXECUTIVE, HeadlinesOut, headlines_as_of
from vitals.metrics.series import summary

router = APIRouter(route_class=ApiRoute, tags=["summary"])


@router.get(
    "/summary",
    response_model=SummaryOut | HeadlinesOut,
    summary="Headline metrics against the previous period, or as of a day (the dashboard's cards)",
)
def get_summary(
    scope: ScopeDep,
    period: Annotated[
        Literal["day", "week", "month"],
        Query(
            description="Trailing 7 (week) or 30 (month) days; day: each headline as of the day, as the "
            "executive page's cards show it (daily metrics vs 7 days earlier, NRR vs the previous month, "
            "weekly active providers vs the previous week)."
        ),
    ] = "week",
    org: Annotated[str | None, Query(max_length=64, description="An org id; absent: global.")] = None,
    as_of: Annotated[date | None, Query(description="Compare the periods ending on this day.")] = None,
) -> SummaryOut | HeadlinesOut:
    """Each headline (tier-1) metric: its value over the period, the previous period's, the change and
    the change in percent. ``period=day``: the executive page's headline values as of the latest built day
    on or before ``as_of``, with the day each value is of and what it is compared with. Org tokens get their
    own org's values."""
    if period == "day":
        return headlines_as_of(scope, as_of, org=org, metrics=EXECUTIVE, action="summary")
    return summary(scope, period, org, as_of)
