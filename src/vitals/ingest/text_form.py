"""Typed source values to the raw text form (DuckDB SQL), for sources that carry types (Parquet).

Raw tables hold text. Text columns pass through untouched; typed ones are rendered so that staging
reads them back exactly: timestamps as UTC ISO-8601 (``2023-12-01T13:45:23.456000Z``; a timestamp
without a zone is taken as UTC), dates as ``YYYY-MM-DD``, booleans as ``true``/``false``, whole
floats in integer columns without a fraction (``42.0`` -> ``42``; pandas writes nullable integers
as floats), nested values (struct, map, list) as JSON.
"""

from __future__ import annotations

from vitals.contracts import ColumnKind
from vitals.ingest.reader import ISO_UTC_FORMAT, sql_literal

_NAIVE_TIMESTAMPS = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATETIME")
_FLOATS = ("FLOAT", "DOUBLE", "REAL")


def text_expression(column_sql: str, duckdb_type: str, kind: ColumnKind) -> str:
    """SQL rendering ``column_sql`` (of DuckDB type ``duckdb_type``) as raw text for a ``kind`` column."""
    t = duckdb_type.upper()
    fmt = sql_literal(ISO_UTC_FORMAT)
    if t in ("VARCHAR", "TEXT", "STRING"):
        return column_sql
    if t in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return f"strftime(timezone('UTC', {column_sql}), {fmt})"
    if t in _NAIVE_TIMESTAMPS:
        return f"strftime(cast({column_sql} as timestamp), {fmt})"
    if t == "DATE":
        return f"strftime({column_sql}, '%Y-%m-%d')"
    if t == "JSON":
        return f"cast({column_sql} as varchar)"
    if t.startswith(("STRUCT", "MAP")) or t.endswith("]"):
        return f"cast(to_json({column_sql}) as varchar)"
    if t == "BLOB":
        return f"decode({column_sql})"
    if kind is ColumnKind.INTEGER and (t in _FLOATS or t.startswith("DECIMAL")):
        as_double = f"cast({column_sql} as double)"
        return (
            f"case when {as_double} is null or isnan({as_double}) then null "
            f"when {as_double} = trunc({as_double}) and abs({as_double}) < 9.2e18 "
            f"then cast(cast({as_double} as bigint) as varchar) "
            f"else cast({column_sql} as varchar) end"
        )
    return f"cast({column_sql} as varchar)"
