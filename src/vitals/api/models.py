"""Response models of the API (they are the OpenAPI schema)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field

from vitals.metrics.models import (
    Component,
    OrgDetail,
    OrgOut,
    Point,
    ProviderOut,
    RiskOut,
    SummaryItem,
    SummaryOut,
    clean,
)
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

    role: Literal["admin", "analyst", "cs", "sales", "oncall", "viewer", "org", "ingest"]
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


__all__ = [
    "AuditOut",
    "CohortRow",
    "Component",
    "Error",
    "MetricOut",
    "OrgDetail",
    "OrgOut",
    "Page",
    "Point",
    "ProviderOut",
    "RiskOut",
    "SeriesOut",
    "SummaryItem",
    "SummaryOut",
    "TokenCreate",
    "TokenCreated",
    "TokenOut",
    "UtcDatetime",
    "clean",
]
