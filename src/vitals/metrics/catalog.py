"""The metric catalog: every metric and mart column vitals computes, described once, as data.

The catalog is the YAML files in ``definitions/`` (one per domain). It is validated when loaded
(names, units, grains, duplicates) and again at every build, where its metric names and tiers are
passed to the ``metrics_daily`` model; the API and the dashboard serve it as it is.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vitals.errors import VitalsError
from vitals.ingest.contracts import OPTIONAL_SOURCES

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

Domain = Literal["analyses", "kpi", "product", "customer_success", "reliability", "data_health", "revenue"]
Grain = Literal["global", "org", "provider"]
Unit = Literal["count", "ratio", "percent", "cents", "seconds", "milliseconds", "score", "days"]
Direction = Literal["up", "down", "neutral"]

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(VitalsError):
    """The catalog files are invalid: the message names the file and the entry."""


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


class DomainFile(BaseModel):
    """One ``definitions/<domain>.yml`` file."""

    model_config = ConfigDict(extra="forbid")

    domain: Domain
    dimensions: list[Dimension] = Field(default_factory=list)
    metrics: list[dict[str, object]] = Field(default_factory=list)


class Catalog(BaseModel):
    """All metrics and dimensions, by name."""

    model_config = ConfigDict(frozen=True)

    metrics: dict[str, Metric]
    dimensions: dict[str, Dimension]

    def metric(self, name: str) -> Metric:
        """The metric called ``name``; ``CatalogError`` naming close matches when there is none."""
        try:
            return self.metrics[name]
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

    def dbt_var(self) -> dict[str, dict[str, object]]:
        """What the ``metrics_daily`` model needs of each metric: its domain and tier."""
        return {name: {"domain": m.domain, "tier": m.tier} for name, m in sorted(self.metrics.items())}


def load_catalog(directory: Path = DEFINITIONS_DIR) -> Catalog:
    """Read and validate every ``*.yml`` in ``directory``; ``CatalogError`` names what is wrong."""
    metrics: dict[str, Metric] = {}
    dimensions: dict[str, Dimension] = {}
    where: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text()) or {}
            domain_file = DomainFile.model_validate(data)
        except (yaml.YAMLError, ValidationError) as exc:
            raise CatalogError(f"{path}: {exc}") from exc
        for dimension in domain_file.dimensions:
            if dimension.name in metrics:
                raise CatalogError(f"{path}: {dimension.name!r} is both a metric and a dimension")
            # several domains may describe the same key (org_id, week_start): the first text is kept
            dimensions.setdefault(dimension.name, dimension)
        for index, entry in enumerate(domain_file.metrics):
            try:
                metric = Metric.model_validate({"domain": domain_file.domain, **entry})
            except ValidationError as exc:
                label = entry.get("name", f"entry {index + 1}")
                raise CatalogError(f"{path}: metric {label}: {exc}") from exc
            if metric.domain != domain_file.domain:
                raise CatalogError(
                    f"{path}: metric {metric.name} says domain {metric.domain}, the file is {domain_file.domain}"
                )
            if metric.name in metrics:
                raise CatalogError(f"{path}: metric {metric.name} is already defined in {where[metric.name]}")
            if metric.name in dimensions:
                raise CatalogError(f"{path}: {metric.name!r} is both a metric and a dimension")
            metrics[metric.name] = metric
            where[metric.name] = path.name
    return Catalog(metrics=metrics, dimensions=dimensions)


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with vitals (read once per process)."""
    return load_catalog()
