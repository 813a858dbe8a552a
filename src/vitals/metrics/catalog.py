"""The metric catalog: every metric and mart column vitals computes, described once, in the dbt project.

The daily metrics are dbt metrics of the semantic layer (``models/metrics/_<domain>__semantic.yml``: label,
description, and a meta with domain, grains, unit, direction, tier and computing model); a mart's own metrics
are its columns whose meta holds a ``metric`` (label, domain, grains, unit, direction, tier), their description
being the definition. Python reads them from the project's manifest and validates them here; the
``metrics_daily`` model reads the same metrics from dbt's graph, and the API and the dashboard serve them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vitals.contracts import OPTIONAL_SOURCES
from vitals.errors import VitalsError

Domain = Literal[
    "analyses",
    "kpi",
    "product",
    "customer_success",
    "support",
    "reliability",
    "data_health",
    "revenue",
    "sales",
    "marketing",
]
Grain = Literal["global", "org", "provider"]
Unit = Literal["count", "ratio", "percent", "cents", "seconds", "milliseconds", "score", "days", "months", "multiple"]
Direction = Literal["up", "down", "neutral"]

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(VitalsError):
    """The catalog in the dbt project is invalid: the message names the YAML file and the entry."""


class Dimension(BaseModel):
    """A column of a mart that is not a metric: a key, a label or a period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_SNAKE.pattern)
    description: str = Field(min_length=1)


class Metric(BaseModel):
    """One metric: what it means, at which grains, in which unit and where it is computed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_SNAKE.pattern)
    label: str = Field(min_length=1)
    domain: Domain
    grain: tuple[Grain, ...] = Field(min_length=1)
    unit: Unit
    direction: Direction
    tier: Literal[1, 2, 3]
    definition: str = Field(min_length=1)
    model: str = Field(pattern=_SNAKE.pattern)
    source: str | None = None
    """The optional domain source the metric needs (e.g. ``nps_responses``); until it is loaded the
    metric reports "source not connected"."""

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str | None) -> str | None:
        if value is not None and value not in OPTIONAL_SOURCES:
            raise ValueError(f"unknown optional source {value!r}; one of {', '.join(OPTIONAL_SOURCES)}")
        return value

    @field_validator("grain")
    @classmethod
    def _distinct_grains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a grain is listed twice")
        return value


SYSTEM_HEALTH = Metric(
    name="system_health",
    label="System health",
    domain="data_health",
    grain=("global",),
    unit="score",
    direction="down",
    tier=1,
    definition="The running server's own status: 0 Healthy, 1 Warning, 2 Degraded, from the freshness of each "
    "source against its expected lag, the last build's age and outcome, the events waiting to be written and "
    "the alert notifications not delivered (docs/server.md, System health). Judged live, not built.",
    model="service",
)
SERVICE_METRICS: dict[str, Metric] = {SYSTEM_HEALTH.name: SYSTEM_HEALTH}
"""Figures the running server knows of itself, not built by dbt: alert rules with ``source: system`` watch
them. ``Catalog.metric`` finds them; the catalog's listing (``metrics``) does not hold them."""


class Catalog(BaseModel):
    """All metrics and dimensions, by name."""

    model_config = ConfigDict(frozen=True)

    metrics: dict[str, Metric]
    dimensions: dict[str, Dimension]

    def metric(self, name: str) -> Metric:
        """The metric called ``name`` (or the service metric); ``CatalogError`` naming close matches when there
        is none."""
        try:
            return self.metrics[name] if name in self.metrics else SERVICE_METRICS[name]
        except KeyError:
            close = [m for m in self.metrics if name.lower() in m or m in name.lower()][:5]
            hint = f"; did you mean {', '.join(close)}?" if close else "; `vitals metrics list` shows them all"
            raise CatalogError(f"no metric named {name!r}{hint}") from None

    def by_domain(self) -> dict[str, list[Metric]]:
        """Metrics grouped by domain, each group ordered by tier then name."""
        groups: dict[str, list[Metric]] = {}
        for metric in sorted(self.metrics.values(), key=lambda m: (m.domain, m.tier, m.name)):
            groups.setdefault(metric.domain, []).append(metric)
        return groups


def load_catalog(manifest: Mapping[str, Any]) -> Catalog:
    """The catalog in a dbt manifest: its metrics whose meta names a domain (the daily metrics of
    ``metrics_daily``), and the columns of the marts and ``metrics_daily`` (a column whose meta holds a ``metric``
    is a metric of that mart, any other documented column a dimension). ``CatalogError`` names what is wrong."""
    metrics: dict[str, Metric] = {}
    where: dict[str, str] = {}

    def add(metric_data: dict[str, Any], origin: str) -> None:
        label = metric_data.get("name", "?")
        try:
            metric = Metric.model_validate(metric_data)
        except ValidationError as exc:
            raise CatalogError(f"{origin}: metric {label}: {exc}") from exc
        if metric.name in metrics:
            raise CatalogError(f"{origin}: metric {metric.name} is already defined in {where[metric.name]}")
        metrics[metric.name] = metric
        where[metric.name] = origin

    for entry in sorted(manifest.get("metrics", {}).values(), key=lambda e: str(e.get("name"))):
        meta = _meta(entry)
        if "domain" not in meta:
            continue  # a semantic-layer convenience (e.g. mrr in currency units), not a catalog metric
        data = {"name": entry.get("name"), "label": entry.get("label"), "definition": entry.get("description")}
        add({**data, **meta}, str(entry.get("original_file_path", "")))

    described: list[tuple[str, str]] = []
    for node in _catalog_models(manifest):
        origin = str(node.get("patch_path") or node.get("original_file_path") or "").removeprefix("vitals://")
        for column in node.get("columns", {}).values():
            spec = _meta(column).get("metric")
            if spec is None:
                described.append((str(column.get("name")), str(column.get("description") or "").strip()))
                continue
            if not isinstance(spec, dict):
                raise CatalogError(f"{origin}: column {column.get('name')}: meta.metric must be a mapping")
            data = {"name": column.get("name"), "definition": column.get("description"), "model": node.get("name")}
            add({**data, **spec}, f"{origin} ({node.get('name')})")

    dimensions: dict[str, Dimension] = {}
    for name, description in described:
        # several marts describe the same key (org_id, week_start): the first text is kept
        if description and name not in metrics and name not in dimensions:
            dimensions[name] = Dimension(name=name, description=description)
    return Catalog(metrics=metrics, dimensions=dimensions)


def _meta(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest entry's meta (under ``config`` since dbt 1.10, at the top before)."""
    config = entry.get("config") or {}
    meta = config.get("meta") or entry.get("meta") or {}
    return dict(meta)


def _catalog_models(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The models the catalog describes: every mart and ``metrics_daily``, by name."""
    nodes = [
        node
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model"
        and (str(node.get("original_file_path", "")).startswith("models/marts/") or node.get("name") == "metrics_daily")
    ]
    return sorted(nodes, key=lambda node: str(node.get("name")))


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with vitals: the dbt project's metrics and mart columns (read once per process)."""
    from vitals.warehouse.manifest import project_manifest

    return load_catalog(project_manifest())
