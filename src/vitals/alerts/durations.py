"""Durations as people write them in rules and on the command line: ``90s``, ``10m``, ``2h``, ``7d``, ``1w``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``'1h30m'`` -> 90 minutes; ``'0'`` and ``'0m'`` are zero. ``ValueError`` on anything else."""
    value = text.strip().lower().replace(" ", "")
    if value == "0":
        return timedelta(0)
    if not value or _PART.sub("", value):
        raise ValueError(f"{text!r} is not a duration (write e.g. 90s, 10m, 2h, 7d, 1w or 1h30m)")
    total = timedelta(0)
    for amount, unit in _PART.findall(value):
        total += timedelta(**{_UNITS[unit]: int(amount)})
    return total


def format_duration(value: timedelta) -> str:
    """The shortest exact form: 2h, 1d, 90m, 45s."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
