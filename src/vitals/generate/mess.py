"""The mess of real sources, injected into small shares of rendered columns.

Each function takes an Arrow string column and a row mask and returns the column with those rows
spoiled. :func:`pick` draws a mask and guarantees at least one eligible row per chunk, so every kind
of mess is present even in small outputs.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vitals.generate import vocab as v

ID_UPPER_RATE = 0.004
"""Ids written in upper case."""
ID_SPACE_RATE = 0.003
"""Ids with surrounding spaces."""
NULL_TOKEN_RATE = 0.001
"""Missing ids written as the text 'null' or 'None'."""
UNKNOWN_ORG_RATE = 0.001
"""Events whose org_id is empty or not a UUID."""
INVALID_JSON_RATE = 0.002
"""Properties truncated into invalid JSON."""
PHI_RATE = 0.03
"""note_submit properties carrying keys outside the allowlist (patient_name, note_text)."""
OFFSET_TS_RATE = 0.03
"""Rows whose timestamps are ISO-8601 local time with an offset instead of UTC text."""
DUPLICATE_RATE = 0.005
"""Event rows delivered a second time with a later _ingest_ts."""
LATE_RATE = 0.01
"""Rows ingested minutes after they happened."""
ERROR_DUPLICATE_RATE = 0.003
"""Sentry errors delivered a second time."""
ERROR_NO_ORG_RATE = 0.15
"""Sentry errors whose org_id column is empty (the org is only in the tags)."""
INVOICE_ID_MESS_RATE = 0.03
"""Invoices whose org_id is upper case or padded."""

_UNKNOWN_ORGS = ("", "unknown", "org_test", "12345", "undefined")


def pick(rng: np.random.Generator, n: int, rate: float, eligible: np.ndarray | None = None) -> np.ndarray:
    """A random mask of about ``rate`` of the eligible rows, with at least one row when any is eligible."""
    mask = rng.random(n) < rate
    if eligible is not None:
        mask &= eligible
        candidates = np.flatnonzero(eligible)
    else:
        candidates = np.arange(n)
    if not mask.any() and len(candidates):
        mask[candidates[rng.integers(0, len(candidates))]] = True
    return mask


def _replace(column: pa.Array, mask: np.ndarray, values: pa.Array) -> pa.Array:
    """``column`` with the masked rows replaced by ``values`` (one per masked row, in order)."""
    if not mask.any():
        return column
    return pc.replace_with_mask(column, pa.array(mask), values.cast(pa.string()))


def non_empty(column: pa.Array) -> np.ndarray:
    """Mask of rows holding a non-empty string."""
    return np.asarray(pc.fill_null(pc.greater(pc.utf8_length(column), 0), False))


def upper(column: pa.Array, mask: np.ndarray) -> pa.Array:
    """Masked values in upper case."""
    return _replace(column, mask, pc.utf8_upper(column.filter(pa.array(mask))))


def pad(column: pa.Array, mask: np.ndarray) -> pa.Array:
    """Masked values with surrounding spaces."""
    return _replace(column, mask, pc.binary_join_element_wise("  ", column.filter(pa.array(mask)), " ", ""))


def tokens(column: pa.Array, mask: np.ndarray, rng: np.random.Generator, choices: tuple[str, ...]) -> pa.Array:
    """Masked values replaced by one of ``choices``."""
    picked = rng.integers(0, len(choices), int(mask.sum()))
    return _replace(column, mask, pa.array(choices, pa.string()).take(pa.array(picked)))


def null_tokens(column: pa.Array, mask: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Masked values replaced by the text 'null' or 'None'."""
    return tokens(column, mask, rng, ("null", "None"))


def unknown_org(column: pa.Array, mask: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Masked org ids replaced by '' or something that is not a UUID."""
    return tokens(column, mask, rng, _UNKNOWN_ORGS)


def truncate_json(column: pa.Array, mask: np.ndarray) -> pa.Array:
    """Masked JSON cut after 15 characters, e.g. '{"note_id": "no' (only for longer values)."""
    return _replace(column, mask, pc.utf8_slice_codeunits(column.filter(pa.array(mask)), 0, 15))


def json_long_enough(column: pa.Array) -> np.ndarray:
    """Rows whose JSON is long enough to be truncated into invalid JSON."""
    return np.asarray(pc.fill_null(pc.greater(pc.utf8_length(column), 20), False))


def add_phi(column: pa.Array, mask: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Masked JSON objects extended with patient_name and note_text (keys outside the allowlist)."""
    k = int(mask.sum())
    if not k:
        return column
    head = pc.utf8_slice_codeunits(column.filter(pa.array(mask)), 0, -1)
    names = pa.array(v.PATIENT_NAMES).take(pa.array(rng.integers(0, len(v.PATIENT_NAMES), k)))
    texts = pa.array(v.NOTE_TEXTS).take(pa.array(rng.integers(0, len(v.NOTE_TEXTS), k)))
    extended = pc.binary_join_element_wise(head, ', "patient_name": "', names, '", "note_text": "', texts, '"}', "")
    return _replace(column, mask, extended)
