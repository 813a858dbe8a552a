"""Response models of the API (they are the OpenAPI schema)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field

from vitals.metrics.sources import SourceStatus

T = TypeVar("T")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
"""A moment in UTC, with its offset (the tables store naive UTC)."""


class Error(BaseModel):
    """Every 4xx/5xx answer: what is wrong, in one sentence."""

    detail: str


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, the ``total`` that match, and the ``limit``/``offset`` used."""

    items: list[T]
    total: int
    limit: int
    offset: int


class MetricOut(BaseModel):
    """A catalog entry."""

    name: str
    label: str
    domain: str
    grain: list[str]
    unit: str
    direction: str
    tier: int
    definition: str
    model: str
    source: str | None = None
    """The optional domain source the metric needs (e.g. nps_responses), if any."""
    status: SourceStatus = "ok"
    """``source not connected`` while that source is not loaded: the metric has no values."""


class Point(BaseModel):
    """One period of a series: its first day and the aggregated value."""

    period_start: date
    value: float | None


class SeriesOut(BaseModel):
    """A metric's values for one entity."""

    metric: str
    entity_type: Literal["global", "org"]
    entity_id: str
    grain: Literal["day", "week", "month"]
    aggregation: Literal["day", "mean", "last"]
    as_of: date | None
    points: list[Point]
    status: SourceStatus = "ok"
    """``source not connected``: the optional source the metric needs is not loaded (no points, never zeros)."""


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


class Component(BaseModel):
    """One health component: its value (0..1), its points in the score and their week-over-week change."""

    name: str
    value: float | None
    points: float | None
    points_change_7d: float | None


class RiskOut(BaseModel):
    """Churn risk of an org (seed 002)."""

    is_at_risk: bool | None
    risk_rank: int | None
    mrr_at_risk_cents: int | None
    factors: list[str]


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


class CohortRow(BaseModel):
    """One cohort at one age: retention of providers (retention) or of orgs and MRR (revenue)."""

    cohort_start: date
    age: int
    activity_start: date | None
    entity_type: str
    entity_id: str
    cohort_size: int | None
    retained: int | None
    retention_rate: float | None
    cohort_mrr_cents: int | None = None
    retained_mrr_cents: int | None = None
    revenue_retention: float | None = None


class TokenOut(BaseModel):
    """A token as listed (never its secret)."""

    token_id: str
    name: str
    role: str
    org_id: str | None
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None


class TokenCreated(TokenOut):
    """A new token: ``token`` is shown this once."""

    token: str


class TokenCreate(BaseModel):
    """What a new token may do."""

    model_config = {"extra": "forbid"}

    role: Literal["admin", "analyst", "cs", "sales", "viewer", "org", "ingest"]
    org_id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=64)


class AuditOut(BaseModel):
    """One audit entry."""

    audit_id: str
    at: UtcDatetime
    token_name: str
    role: str
    action: str
    target: str
    client: str
    detail: str


def clean(value: Any) -> Any:
    """JSON-safe value: NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
