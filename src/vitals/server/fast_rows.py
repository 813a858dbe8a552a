"""The common case of posted events, checked and sanitized in Python instead of a DuckDB query.

Running the contract's SQL checks and ``sanitize.sanitized_select`` costs tens of milliseconds per
request, whatever its size: the queries are planned each time. Most posted rows are plain: timestamps in
ISO form and ``properties`` a small object of strings, numbers and booleans. For such a row this module
gives exactly what the SQL would (same accepted values, same ``properties`` text, same row hash, via
``sanitize.row_hash``). Any row it is not certain about (a value that might fail a check, unusual JSON)
is left to the SQL path, which also writes every rejection reason. Equality with the SQL path is tested.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from vitals.contracts import EVENTS, ColumnKind
from vitals.ingest.sanitize import PHI_COLUMN, row_hash

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?)?")
"""ISO timestamps DuckDB certainly casts (anything else is left to the SQL check)."""

_REQUIRED = [i for i, c in enumerate(EVENTS.columns) if c.required]
_TIMESTAMPS = [i for i, c in enumerate(EVENTS.columns) if c.kind is ColumnKind.TIMESTAMP]
_PHI = EVENTS.column_names.index(PHI_COLUMN)
_SAFE_TEXT = re.compile(r"[ !#-\[\]-~]*")
"""Printable ASCII without ``"`` and ``\\``: JSON-encoded the same by every writer."""


def fast_row(values: Sequence[str | None], allowlist: Sequence[str]) -> list[str | None] | None:
    """The sanitized row plus its hash, or None when the SQL path must decide."""
    for i in _REQUIRED:
        value = values[i]
        if value is None or not value.strip():
            return None
    for i in _TIMESTAMPS:
        value = values[i]
        if value is not None and value.strip() and not _certain_timestamp(value):
            return None
    sure, kept = _properties(values[_PHI], allowlist)
    if not sure:
        return None
    clean = list(values)
    clean[_PHI] = kept
    return [*clean, _row_hash(clean)]


_CONTROL = re.compile(r"[\x00-\x1f]")
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _row_hash(values: Sequence[str | None]) -> str:
    """``sanitize.row_hash``, faster: ``json.dumps`` writes the same JSON strings unless a value holds a
    control character (it spells their hex digits in lower case, DuckDB in upper case)."""
    if any(v is not None and _CONTROL.search(v) for v in values):
        return row_hash(values)
    return hashlib.md5(_COMPACT.encode(list(values)).encode("utf-8")).hexdigest()


def _certain_timestamp(value: str) -> bool:
    if not _TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_UNSURE: tuple[bool, str | None] = (False, None)


def _properties(text: str | None, allowlist: Sequence[str]) -> tuple[bool, str | None]:
    """(True, ``properties`` reduced to the allowlist as the SQL rebuilds it), or (False, None) when unsure."""
    if text is None or not text.strip():
        return True, text
    try:
        parsed = json.loads(text, object_pairs_hook=_unique_keys)
    except ValueError:
        return _UNSURE
    if not isinstance(parsed, dict):
        return _UNSURE
    members = []
    for key in allowlist:
        if key in parsed:
            encoded = _scalar(parsed[key])
            if encoded is None:
                return _UNSURE
            members.append(_COMPACT.encode(key) + ":" + encoded)
    return True, "{" + ",".join(members) + "}"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("duplicate keys")
    return found


def _scalar(value: Any) -> str | None:
    """The JSON text of a plain value (as DuckDB writes it), or None for anything else."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 2**53 else None
    if isinstance(value, float):
        text = repr(value)
        return text if "e" not in text and "n" not in text and abs(value) < 1e15 else None
    if isinstance(value, str) and _SAFE_TEXT.fullmatch(value):
        return f'"{value}"'
    return None
