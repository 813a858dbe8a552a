"""Shared pieces of the CRM, marketing, help-desk and campaign files: business hours, names and row tables.

Times are local wall-clock microseconds (see ``clock``) until rendering, which writes them as UTC text with
whole seconds (like ``nps_responses``) and days as ``YYYY-MM-DD`` of the business calendar. ``-1`` is
empty. Rows at or after the window's end are never written.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from vitals.contracts import RawTable
from vitals.generate.clock import DAY_US, HOUR_US, MINUTE_US, US, format_plain
from vitals.generate.window import Window

OPEN_HOUR, CLOSE_HOUR = 8, 18
"""Business hours, local time, Monday to Friday."""
EMPTY = -1
"""A time that is not set (written as '')."""
CRM_LEAD_IN_DAYS = 90
"""The CRM, leads and spend start this many days before the window, so early deals have their history."""


def weekday(local: int) -> int:
    """Day of the week of a local time (0 = Monday)."""
    return int((local // DAY_US + 3) % 7)  # 1970-01-01 was a Thursday


def in_business_hours(local: int) -> bool:
    """Whether a local time falls in business hours."""
    hour = local % DAY_US // HOUR_US
    return weekday(local) < 5 and OPEN_HOUR <= hour < CLOSE_HOUR


def next_business(local: int) -> int:
    """The first business-hours moment at or after ``local``."""
    while not in_business_hours(local):
        day = local // DAY_US * DAY_US
        local = day + OPEN_HOUR * HOUR_US if local < day + OPEN_HOUR * HOUR_US else day + DAY_US + OPEN_HOUR * HOUR_US
    return local


def add_business(local: int, duration_us: int) -> int:
    """``local`` plus ``duration_us`` of business time (nights and weekends do not count)."""
    at = next_business(local)
    left = duration_us
    while True:
        closing = at // DAY_US * DAY_US + CLOSE_HOUR * HOUR_US
        if at + left < closing:
            return at + left
        left -= closing - at
        at = next_business(closing)


def business_moment(rng: np.random.Generator, local: int) -> int:
    """A business-hours time on the day of ``local`` (weekend days move to the Monday after)."""
    day = local // DAY_US * DAY_US
    while weekday(day) >= 5:
        day += DAY_US
    return day + int(OPEN_HOUR * HOUR_US + rng.random() * (CLOSE_HOUR - OPEN_HOUR) * HOUR_US) // US * US


def business_sequence(rng: np.random.Generator, start: int, end: int, count: int) -> list[int]:
    """``count`` increasing business-hours times strictly between ``start`` and ``end`` (squeezed if needed)."""
    if count <= 0:
        return []
    fractions = rng.dirichlet(np.full(count + 1, 2.0)).cumsum()[:-1]
    times = sorted(business_moment(rng, start + int(f * (end - start))) for f in fractions.tolist())
    out: list[int] = []
    low = start // US * US
    for i, t in enumerate(times):
        low = min(max(t // US * US, low + MINUTE_US), end // US * US - (count - i) * MINUTE_US)
        out.append(low)
    return out


def slug_domain(name: str) -> str:
    """A web domain for a company name: 'Women's Health 2' -> 'womens-health-2.com'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-") + ".com"


def unique_names(rng: np.random.Generator, first: tuple[str, ...], second: tuple[str, ...], n: int) -> list[str]:
    """``n`` distinct names made of a word of each list (repeats numbered)."""
    seen: dict[str, int] = {}
    names = []
    for i, j in zip(rng.integers(0, len(first), n).tolist(), rng.integers(0, len(second), n).tolist(), strict=True):
        name = f"{first[i]} {second[j]}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return names


def span_start(window: Window) -> int:
    """Local midnight the CRM history starts (``CRM_LEAD_IN_DAYS`` before the window)."""
    return window.start_local - CRM_LEAD_IN_DAYS * DAY_US


class Rows:
    """Rows of one contract being collected; times as local µs, rendered by :meth:`table`."""

    def __init__(self, contract: RawTable, times: tuple[str, ...], days: tuple[str, ...] = ()) -> None:
        self.contract = contract
        self.times = times
        self.days = days
        self.values: dict[str, list[object]] = {name: [] for name in contract.column_names}

    def add(self, **row: object) -> None:
        """Collect one row (every contract column by name)."""
        for name in self.contract.column_names:
            self.values[name].append(row[name])

    def table(self, window: Window, order_by: str, rng: np.random.Generator) -> pa.Table:
        """The rows dated before the window's end, ordered by ``order_by`` (a time column), as text.

        ``_ingest_ts`` follows the time collected in it by seconds to minutes (never reaching the window's end).
        """
        key = np.array(self.values[order_by], dtype=np.int64)
        keep = np.flatnonzero(key < window.end_local)
        keep = keep[np.argsort(key[keep], kind="stable")]
        delay = (rng.uniform(2, 300, len(key)) * US).astype(np.int64) // US * US
        ingest = np.minimum(np.array(self.values["_ingest_ts"], dtype=np.int64) + delay, window.end_local - US)
        columns: dict[str, pa.Array] = {}
        for name in self.contract.column_names:
            if name == "_ingest_ts":
                columns[name] = _time_text(window, ingest[keep])
            elif name in self.times:
                columns[name] = _time_text(window, np.array(self.values[name], dtype=np.int64)[keep])
            elif name in self.days:
                columns[name] = day_text(np.array(self.values[name], dtype=np.int64)[keep])
            else:
                columns[name] = pa.array([str(self.values[name][i]) for i in keep.tolist()], pa.string())
        names = self.contract.column_names
        return pa.table([columns[name] for name in names], names=names)


def _time_text(window: Window, local: np.ndarray) -> pa.Array:
    """UTC text with whole seconds of local times ('' where empty)."""
    text = format_plain(window.clock.to_utc(np.maximum(local, 0)), seconds_only=True).to_pylist()
    return pa.array(["" if t < 0 else s for t, s in zip(local.tolist(), text, strict=True)], pa.string())


def day_text(local: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD' business-calendar days of local times ('' where empty)."""
    days = (np.maximum(local, 0) // DAY_US).astype("datetime64[D]").astype(str).tolist()
    return pa.array(["" if t < 0 else d for t, d in zip(local.tolist(), days, strict=True)], pa.string())
