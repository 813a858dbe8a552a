"""Optional domain sources (SPEC 2.5): which are connected, as the last build saw them.

The build writes ``source_status`` (one row per optional source); a source is connected once staging
keeps at least one of its rows. A metric whose catalog entry names a ``source`` that is not connected
reports ``NOT_CONNECTED`` instead of a number.
"""

from __future__ import annotations

from typing import Final, Literal

from vitals.metrics.catalog import Metric
from vitals.warehouse.base import Warehouse

NOT_CONNECTED: Final = "source not connected"
"""What a metric whose optional source is not loaded reports (never a made-up number)."""

SourceStatus = Literal["ok", "source not connected"]
"""A metric's status as served: ``ok``, or ``NOT_CONNECTED``."""

STATUS_TABLE = "source_status"
"""The core model listing the optional sources and whether each is connected."""


def connected_sources(warehouse: Warehouse) -> frozenset[str]:
    """The optional sources connected as of the last build (none before the first build)."""
    if not warehouse.table_exists(warehouse.core_schema, STATUS_TABLE):
        return frozenset()
    rows = warehouse.query(f"select source_name, connected from {warehouse.core_schema}.{STATUS_TABLE}")
    return frozenset(str(name) for name, connected in rows if connected)


def is_connected(metric: Metric, connected: frozenset[str]) -> bool:
    """Whether ``metric`` can have values: it needs no optional source, or its source is connected."""
    return metric.source is None or metric.source in connected


def source_status(metric: Metric, connected: frozenset[str]) -> SourceStatus:
    """``ok``, or ``source not connected`` when the metric's optional source is not loaded."""
    return "ok" if is_connected(metric, connected) else NOT_CONNECTED


def not_connected_message(metric: Metric) -> str:
    """``Net Promoter Score: source not connected (load nps_responses, see docs/sources.md)``."""
    return f"{metric.label}: {NOT_CONNECTED} (load {metric.source}, see docs/sources.md)"
