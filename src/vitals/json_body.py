"""Parsing a request's JSON body so that bad input is a clear 4xx, never a 500.

``parse_json`` refuses, with a message that names the problem: a body that is not UTF-8 JSON, one nested
deeper than the parser can follow (``RecursionError`` otherwise escapes as a 500), and, when ``finite`` is
set, ``NaN``, ``Infinity`` and number literals too large for a float (``1e309``): Python's parser takes them
all, and a non-finite number stored anywhere breaks every later JSON answer that contains it.
``unicode_problem`` names a lone surrogate (``"\\ud800"`` is valid JSON, but not text any database or
UTF-8 encoder accepts).
"""

from __future__ import annotations

import json
import math
from typing import Any


class JsonBodyError(ValueError):
    """The body cannot be taken as JSON; the message says why (answer 400)."""


class NotJson(JsonBodyError):
    """The body is not UTF-8 JSON at all."""


def _constant(name: str) -> float:
    raise JsonBodyError(f"{name} is not a finite number (JSON numbers must be finite)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonBodyError(f"{text[:40]} is not a finite number (too large for a 64-bit float)")
    return value


def parse_json(body: bytes | str, *, finite: bool = True) -> Any:
    """The parsed body; ``JsonBodyError`` when it is not UTF-8 JSON, nests too deeply, or (``finite``)
    holds a non-finite number."""
    try:
        if finite:
            return json.loads(body, parse_constant=_constant, parse_float=_finite_float)
        return json.loads(body)
    except RecursionError:
        raise JsonBodyError("the JSON is nested too deeply") from None
    except UnicodeDecodeError:
        raise NotJson("the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise NotJson(f"the body is not JSON ({exc.msg} at position {exc.pos})") from None


def unicode_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as UTF-8 (a lone surrogate), or None when it can."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"holds a lone surrogate ({text[exc.start]!r}): not valid Unicode text"
    return None


def value_problem(value: Any) -> str | None:
    """Why a parsed JSON value cannot be stored as UTF-8 text (a lone surrogate anywhere in it, or nesting
    too deep to write back), or None when it can."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "the JSON holds a lone surrogate (such as \\ud800): not valid Unicode text"
    except RecursionError:
        return "the JSON is nested too deeply"
    return None
