"""What the read layer returns: series points, period summaries and org health, as typed models (the API
serves them as they are, so they are also part of its OpenAPI schema)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel


class Point(BaseModel):
    """One period of a series: its first day and the aggregated value."""

    period_start: date
    value: float | None


class SummaryItem(BaseModel):
    """A headline metric over the period and the one before."""

    metric: str
    label: str
    unit: str
    direction: str
    value: float | None
    previous: float | None
    change: float | None
    change_percent: float | None


class SummaryOut(BaseModel):
    """The headline metrics of the period ending on ``end`` against the previous one."""

    period: Literal["week", "month"]
    entity_type: Literal["global", "org"]
    entity_id: str
    start: date | None
    end: date | None
    previous_start: date | None
    previous_end: date | None
    items: list[SummaryItem]


class OrgOut(BaseModel):
    """An org on the latest scored day."""

    org_id: str
    org_name: str | None
    as_of: date
    health_score: float | None
    health_band: str | None
    health_score_change_7d: float | None
    mrr_cents: int | None
    plan: str | None
    is_at_risk: bool | None
    churn_risk_score: float | None = None
    churn_risk_band: str | None = None


class Component(BaseModel):
    """One health component: its value (0..1), its points in the score and their week-over-week change."""

    name: str
    value: float | None
    points: float | None
    points_change_7d: float | None


class RiskOut(BaseModel):
    """Churn risk of an org (seed 002): the named factors ranked by MRR at risk, and the score 0-100 with its band,
    its factors and the weighted MRR at risk (score / 100 x MRR) that orders the at-risk list."""

    is_at_risk: bool | None
    risk_rank: int | None
    mrr_at_risk_cents: int | None
    factors: list[str]
    score: float | None = None
    band: str | None = None
    score_factors: list[str] = []
    weighted_mrr_at_risk_cents: int | None = None
    score_rank: int | None = None


class OrgDetail(OrgOut):
    """An org with the reasons behind its score."""

    components: list[Component]
    sentence: str | None
    providers_scored: int | None
    wap_trend: list[Point]
    risk: RiskOut


class ProviderOut(BaseModel):
    """A provider's health on the latest scored day."""

    provider_id: str
    org_id: str
    as_of: date
    health_score: float | None
    health_band: str | None
    health_score_change_7d: float | None
    sentence: str | None
    jobs_7d: int | None
    notes_7d: int | None


def clean(value: Any) -> Any:
    """JSON-safe value: NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
