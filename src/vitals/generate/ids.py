"""Vectorized random identifiers (UUIDs, hex and Stripe-style ids) as Arrow string arrays."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def strings_from_matrix(chars: np.ndarray) -> pa.Array:
    """One fixed-width string per row of an ``(n, width)`` uint8 matrix of ASCII codes."""
    n, width = chars.shape
    if n * width >= 2**31:
        raise ValueError(f"{n} ids of {width} characters do not fit one Arrow string array")
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    data = np.ascontiguousarray(chars, dtype=np.uint8).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))


def _prefixed(prefix: str, body: np.ndarray) -> np.ndarray:
    """Character matrix ``body`` with ``prefix`` in front of every row."""
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    return np.hstack([np.broadcast_to(head, (body.shape[0], head.size)), body])


def hex_ids(rng: np.random.Generator, n: int, width: int, prefix: str = "") -> pa.Array:
    """``prefix`` followed by ``width`` random lowercase hex digits."""
    body = _HEX[rng.integers(0, 16, size=(n, width), dtype=np.uint8)]
    return strings_from_matrix(_prefixed(prefix, body))


def base62_ids(rng: np.random.Generator, n: int, width: int, prefix: str) -> pa.Array:
    """Stripe-style ids: ``prefix`` followed by ``width`` random alphanumerics."""
    body = _BASE62[rng.integers(0, 62, size=(n, width), dtype=np.uint8)]
    return strings_from_matrix(_prefixed(prefix, body))


def uuid4s(rng: np.random.Generator, n: int) -> pa.Array:
    """Random version-4 UUIDs in canonical lowercase text."""
    return uuids_from_nibbles(rng.integers(0, 16, size=(n, 32), dtype=np.uint8))


def uuids_from_nibbles(nibbles: np.ndarray) -> pa.Array:
    """Version-4 UUID text from an ``(n, 32)`` matrix of random nibbles (0–15)."""
    nibbles = np.array(nibbles, dtype=np.uint8)
    n = nibbles.shape[0]
    nibbles[:, 12] = 4
    nibbles[:, 16] = 8 + (nibbles[:, 16] & 3)
    digits = _HEX[nibbles]
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    parts = [digits[:, 0:8], dash, digits[:, 8:12], dash, digits[:, 12:16], dash, digits[:, 16:20], dash]
    return strings_from_matrix(np.hstack([*parts, digits[:, 20:32]]))
