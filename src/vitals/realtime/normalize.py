"""Text from the raw tables to typed values, by the rules of the staging models (SPEC §4).

Each function mirrors one macro of the dbt project (``clean_text``, ``normalize_id``, ``uuid_or_null``,
``parse_utc_timestamp``, ``try_cast_double``, ``try_cast_boolean``, ``canonical_event_name``,
``allowed_property``), so that the real-time path and the built models agree on the same rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

MISSING = frozenset({"", "null", "none"})
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NAIVE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$")
OFFSET = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?)"
    r" ?([zZ]|[+-][0-9]{2}(?::?[0-9]{2})?)$"
)
DOUBLE = re.compile(r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$")
TRUE = frozenset({"true", "t", "1", "yes", "y"})
FALSE = frozenset({"false", "f", "0", "no", "n"})


def clean_text(value: str | None, *, lower: bool = False) -> str | None:
    """Trimmed text; ``''``, ``'null'`` and ``'none'`` (any case) are missing."""
    if value is None:
        return None
    trimmed = value.strip()
    if trimmed.lower() in MISSING:
        return None
    return trimmed.lower() if lower else trimmed


def normalize_id(value: str | None) -> str | None:
    """An id: trimmed, lowercased, missing markers -> None."""
    return clean_text(value, lower=True)


def uuid_or_null(value: str | None) -> str | None:
    """A normalized id when it is a canonical UUID, else None."""
    found = normalize_id(value)
    return found if found is not None and UUID.match(found) else None


def _fraction(text: str) -> str:
    """At most 6 fraction digits (microseconds), as the engines keep."""
    return re.sub(r"([.][0-9]{6})[0-9]+", r"\1", text)


def parse_utc_timestamp(value: str | None) -> datetime | None:
    """Naive UTC from source text: without an offset it is UTC, an ISO-8601 offset is honored, else None."""
    text = clean_text(value)
    if text is None:
        return None
    try:
        if NAIVE.match(text):
            return datetime.fromisoformat(_fraction(text))
        found = OFFSET.match(text)
        if found:
            zone = found.group(2)
            if zone in ("z", "Z"):
                zone = "+00:00"
            elif len(zone) == 3:
                zone += ":00"
            elif ":" not in zone:
                zone = f"{zone[:3]}:{zone[3:]}"
            moment = datetime.fromisoformat(_fraction(found.group(1)) + zone)
            return moment.astimezone(UTC).replace(tzinfo=None)
    except ValueError:  # shaped like a timestamp but not one (month 13)
        return None
    return None


def try_double(value: str | None) -> float | None:
    """A decimal or scientific number, else None."""
    if value is None:
        return None
    text = value.strip()
    return float(text) if DOUBLE.match(text) else None


def try_boolean(value: str | None) -> bool | None:
    """``true``/``t``/``1``/``yes``/``y`` and their opposites (any case), else None."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    return None


def event_name_map(event_names: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Sent name (lowercase) -> canonical name, from the ``event_names`` setting."""
    return {name.strip().lower(): canonical for canonical, names in event_names.items() for name in names}


def remapped_names(event_names: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """Canonical names the setting maps to other names only: sent as such, they mean nothing."""
    sent = event_name_map(event_names)
    return frozenset(canonical for canonical in event_names if canonical not in sent)


def canonical_event_name(value: str | None, names: Mapping[str, str], remapped: frozenset[str]) -> str | None:
    """The canonical name of a sent event name: a mapped name maps, a remapped canonical name is None, any
    other name stays itself (trimmed, lowercased)."""
    if value is None:
        return None
    sent = value.strip().lower()
    if sent in names:
        return names[sent]
    if sent in remapped:
        return None
    return sent


def property_text(properties: str | None, key: str) -> str | None:
    """The text of top-level ``key`` of a JSON object (None when invalid, absent or not an object)."""
    if properties is None or not properties.strip():
        return None
    try:
        parsed = json.loads(properties)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    found = parsed.get(key)
    if found is None:
        return None
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, str):
        return found
    if isinstance(found, int | float):
        return str(found)
    return json.dumps(found, separators=(",", ":"))
