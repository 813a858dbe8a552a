"""What happens to rows before they may land: PHI is dropped and each row gets its hash.

Both are DuckDB SQL expressions run over a whole source at once in the reader (see ``reader``).

- PHI: the events' ``properties`` keep only allowlisted keys. A JSON object is re-serialized with
  those keys, in allowlist order (absent keys stay absent); the JSON literal ``null`` becomes NULL;
  anything else (invalid JSON, or JSON that is not an object) becomes ``INVALID_JSON_MARKER``, which
  carries no content but lets staging count it. NULL and blank values stay as they are.
- Row hash: md5 of the compact JSON array of every contract column's value, in contract order
  (``["evt_1",null,"2023-12-01 13:45:23",...]``). JSON quoting and ``null`` make the encoding
  unambiguous whatever the values contain. ``row_hash`` computes the same in Python.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import duckdb

from vitals.contracts import EVENTS, LOADED_AT_COLUMN, ROW_HASH_COLUMN, RawTable
from vitals.ingest.errors import LoadError
from vitals.ingest.reader import sql_identifier, sql_literal

INVALID_JSON_MARKER = "#invalid-json"
"""Stored instead of a ``properties`` value that is not a JSON object: not JSON, no content."""

PHI_COLUMN = "properties"
"""The events column reduced to the property allowlist."""

_PROPERTY_VALUES = "__property_values"

_JSON_BLANKS = "chr(32) || chr(9) || chr(10) || chr(13)"
"""The characters JSON allows around a value."""


def row_hash(values: Sequence[str | None]) -> str:
    """The row hash of one row's contract values, in contract order (same as ``row_hash_sql``)."""
    encoded = "[" + ",".join("null" if v is None else _json_string(v) for v in values) + "]"
    return hashlib.md5(encoded.encode("utf-8")).hexdigest()


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(value: str) -> str:
    """A JSON string literal written the way DuckDB's ``to_json`` writes it (UTF-8 kept as is,
    other control characters as upper-case ``\\u00XX``)."""
    out = []
    for ch in value:
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif ch < " ":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def row_hash_sql(columns: Sequence[str]) -> str:
    """DuckDB expression of the row hash over ``columns`` (text) in order."""
    values = ", ".join(f"cast({sql_identifier(c)} as varchar)" for c in columns)
    return f"md5(cast(to_json([{values}]) as varchar))"


def _json_paths(allowlist: Sequence[str]) -> str:
    for key in allowlist:
        if not key or any(ch in key for ch in '"\\'):
            raise LoadError(f"property_allowlist entry {key!r} cannot be used: keys may not contain '\"' or '\\'")
    return "[" + ", ".join(sql_literal(f'$."{key}"') for key in allowlist) + "]"


def _extract_allowed_sql(column: str, allowlist: Sequence[str]) -> str:
    """Inner step: the allowlisted values of a JSON object (NULL each when absent), else NULL.

    Valid JSON whose first non-blank character is ``{`` is an object: a cheap look at that character
    replaces a third parse (``json_type``)."""
    is_object = f"starts_with(ltrim({column}, {_JSON_BLANKS}), '{{') and json_valid({column})"
    if not allowlist:
        return f"case when {is_object} then [] end"
    return f"case when {is_object} then json_extract({column}, {_json_paths(allowlist)}) end"


def _rebuild_properties_sql(column: str, allowlist: Sequence[str]) -> str:
    """Outer step: re-serialize the kept keys (string assembly of the extracted JSON values, which
    ``concat_ws`` skips when absent), or apply the NULL / marker rules."""
    members = ", ".join(
        f"{sql_literal(json.dumps(key, ensure_ascii=False) + ':')} || {_PROPERTY_VALUES}[{i}]"
        for i, key in enumerate(allowlist, start=1)
    )
    rebuilt = f"'{{' || concat_ws(',', {members}) || '}}'" if allowlist else "'{}'"
    return (
        f"case when {column} is null or trim({column}) = '' then {column} "
        f"when {_PROPERTY_VALUES} is not null then {rebuilt} "
        f"when json_valid({column}) and json_type({column}) = 'NULL' then null "
        f"else {sql_literal(INVALID_JSON_MARKER)} end"
    )


def sanitized_select(raw: RawTable, source_sql: str, allowlist: Sequence[str]) -> str:
    """A query over ``source_sql`` (the contract columns as text) giving the contract columns with PHI
    dropped, plus ``_row_hash``. Rows keep their order."""
    columns = raw.column_names
    quoted = [sql_identifier(c) for c in columns]
    if raw.name != EVENTS.name:
        projected = ", ".join(quoted)
        return f"select {projected}, {row_hash_sql(columns)} as {ROW_HASH_COLUMN} from ({source_sql}) as src"
    phi = sql_identifier(PHI_COLUMN)
    cleaned = ", ".join(
        f"{_rebuild_properties_sql(phi, allowlist)} as {phi}" if c == PHI_COLUMN else q
        for c, q in zip(columns, quoted, strict=True)
    )
    return (
        f"select {', '.join(quoted)}, {row_hash_sql(columns)} as {ROW_HASH_COLUMN} from ("
        f"select {cleaned} from ("
        f"select *, {_extract_allowed_sql(phi, allowlist)} as {_PROPERTY_VALUES} from ({source_sql}) as src"
        f") as extracted) as cleaned"
    )


def distinct_rows_sql(con: duckdb.DuckDBPyConnection, reader_table: str, raw: RawTable, loaded_at: str) -> str:
    """The rows of a sanitized reader table to land: one per distinct row hash, stamped with the
    load's ``_loaded_at``. (Repeats are looked for first: most sources have none, and a plain scan is
    cheaper than the de-duplicating one.)"""
    columns = ", ".join(sql_identifier(c) for c in [*raw.column_names, ROW_HASH_COLUMN])
    select = f"select {columns}, {sql_literal(loaded_at)} as {LOADED_AT_COLUMN} from {reader_table}"
    repeats = con.execute(f"select count(*) - count(distinct {ROW_HASH_COLUMN}) from {reader_table}").fetchone()
    if repeats and repeats[0]:
        select += f" qualify row_number() over (partition by {ROW_HASH_COLUMN}) = 1"
    return select
