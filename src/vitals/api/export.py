"""Exports of catalog marts as CSV or Parquet, streamed chunk by chunk from an engine cursor."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from vitals.api.scope import PIPELINE_DOMAINS, BadRequest, Forbidden, NotFound, Scope, Source
from vitals.csv_safety import neutralise_batch
from vitals.metrics.catalog import default_catalog
from vitals.warehouse.base import Warehouse

Format = Literal["csv", "parquet"]
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def exportable_marts() -> list[str]:
    """The models the catalog lists (marts and the per-domain metrics tables), plus ``metrics_daily``."""
    return sorted({m.model for m in default_catalog().metrics.values()} | {"metrics_daily"})


def mart_columns(warehouse: Warehouse, mart: str) -> list[str]:
    """The columns of ``mart`` in the core schema, in order (empty: it is not built)."""
    rows = warehouse.query(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [warehouse.core_schema, mart],
    )
    return [r[0] for r in rows]


def export_source(warehouse: Warehouse, mart: str) -> tuple[Source, list[str]]:
    """The mart as a Source of the kind its columns give, and its columns."""
    if mart not in exportable_marts():
        raise NotFound(f"{mart!r} is not an exportable mart; exportable: {', '.join(exportable_marts())}")
    columns = mart_columns(warehouse, mart)
    if not columns:
        raise NotFound(f"mart {mart} is not built yet: run `vitals build`")
    if "org_id" in columns:
        kind: Literal["org", "long", "global"] = "org"
    elif {"entity_type", "entity_id"} <= set(columns):
        kind = "long"
    else:
        kind = "global"
    return Source(f"{{core}}.{mart}", kind), columns


def plan_export(scope: Scope, mart: str, filters: dict[str, str]) -> tuple[Source, list[str], list[Any]]:
    """Check the export is allowed and its filters name real columns; the source, conditions and params."""
    scope.require("exports")
    metrics = default_catalog().metrics.values()
    for domain in {m.domain for m in metrics if m.model == mart}:
        scope.require_domain(domain)  # the sales and marketing marts are the vendor's own data
    source, columns = export_source(scope.warehouse, mart)
    unknown = sorted(set(filters) - set(columns))
    if unknown:
        raise BadRequest(f"unknown filter column(s) {', '.join(unknown)} of {mart}; columns: {', '.join(columns)}")
    conditions = [f"cast({name} as varchar) = ?" for name in filters]
    params = list(filters.values())
    if "metric_name" in columns and not scope.allows("pipeline"):  # metrics_daily: leave the sales rows out
        hidden = sorted(m.name for m in metrics if m.domain in PIPELINE_DOMAINS)
        conditions.append(f"metric_name not in ({', '.join('?' for _ in hidden)})")
        params.extend(hidden)
    scope.where(source)  # refuses here, before the response starts, what the token may not read
    if source.kind == "global" and scope.org_id is not None:
        raise Forbidden("an org token exports its own org's rows only")
    return source, conditions, params


def encode(batches: Iterator[pa.RecordBatch], fmt: Format, *, keep_formulas: bool = False) -> Iterator[bytes]:
    """The batches as CSV (header once) or Parquet (one row group per batch), chunk by chunk. CSV text cells that
    a spreadsheet would run as a formula get a leading ``'`` unless ``keep_formulas`` (see ``vitals.csv_safety``)."""
    if fmt == "csv":
        header = True
        for batch in batches:
            buffer = io.BytesIO()
            safe = batch if keep_formulas else neutralise_batch(batch)
            pa_csv.write_csv(safe, buffer, pa_csv.WriteOptions(include_header=header))
            header = False
            yield buffer.getvalue()
        return
    sink = _Sink()
    writer: pq.ParquetWriter | None = None
    for batch in batches:
        if writer is None:
            writer = pq.ParquetWriter(sink, batch.schema)
        writer.write_batch(batch)
        yield sink.take()
    if writer is not None:
        writer.close()
        yield sink.take()


class _Sink(io.RawIOBase):
    """A write-only file the Parquet writer fills and the stream drains after each row group."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data
