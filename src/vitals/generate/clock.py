"""Business-time-zone arithmetic on int64 microsecond arrays (DST-correct) and timestamp text.

Internally the generator keeps "local" times as microseconds since 1970-01-01 00:00 of the business
wall clock (as if that wall clock were UTC) and converts them to true UTC instants with offset tables
of quarter-hour resolution, so conversion is a vectorized lookup that follows every DST change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

US = 1_000_000
MINUTE_US = 60 * US
HOUR_US = 3600 * US
DAY_US = 86_400 * US
_QUARTER_US = 900 * US
_QUARTERS_PER_DAY = 96
_EPOCH = date(1970, 1, 1)


def day_us(day: date) -> int:
    """Microseconds from the epoch to midnight of ``day`` on a wall clock."""
    return (day - _EPOCH).days * DAY_US


def _offsets(tz: ZoneInfo, first_day: date, n_days: int, *, from_utc: bool) -> np.ndarray:
    """UTC offset in seconds for every quarter-hour of ``n_days`` days, keyed by local or UTC time."""

    def offset(moment: datetime) -> int:
        """Offset in seconds at a naive local (or UTC) moment."""
        if from_utc:
            delta = moment.replace(tzinfo=UTC).astimezone(tz).utcoffset()
        else:
            delta = moment.replace(tzinfo=tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    out = np.empty(n_days * _QUARTERS_PER_DAY, dtype=np.int64)
    for i in range(n_days):
        start = datetime.combine(first_day + timedelta(days=i), datetime.min.time())
        first, last = offset(start), offset(start + timedelta(minutes=23 * 60 + 45))
        block = out[i * _QUARTERS_PER_DAY : (i + 1) * _QUARTERS_PER_DAY]
        if first == last:
            block[:] = first
        else:  # a DST change happens this day: resolve each quarter-hour
            block[:] = [offset(start + timedelta(minutes=15 * q)) for q in range(_QUARTERS_PER_DAY)]
    return out


@dataclass(frozen=True)
class Clock:
    """Converts business-local wall-clock microseconds to UTC and back, over a range of days."""

    tz: ZoneInfo
    first_day: date
    local_offsets: np.ndarray
    utc_offsets: np.ndarray

    @classmethod
    def build(cls, tz_name: str, first_day: date, last_day: date) -> Clock:
        """Offset tables for ``first_day`` .. ``last_day`` (inclusive, with a day of margin each side)."""
        tz = ZoneInfo(tz_name)
        start = first_day - timedelta(days=1)
        n_days = (last_day - start).days + 2
        return cls(
            tz=tz,
            first_day=start,
            local_offsets=_offsets(tz, start, n_days, from_utc=False),
            utc_offsets=_offsets(tz, start, n_days, from_utc=True),
        )

    def _index(self, us: np.ndarray, table: np.ndarray) -> np.ndarray:
        """Quarter-hour index of each time into an offset table."""
        idx = (np.asarray(us, dtype=np.int64) - day_us(self.first_day)) // _QUARTER_US
        return np.clip(idx, 0, len(table) - 1)

    def to_utc(self, local_us: np.ndarray) -> np.ndarray:
        """UTC microseconds of local wall-clock microseconds."""
        local = np.asarray(local_us, dtype=np.int64)
        return local - self.local_offsets[self._index(local, self.local_offsets)] * US

    def offset_at_utc(self, utc_us: np.ndarray) -> np.ndarray:
        """The business time zone's UTC offset in seconds at each UTC instant."""
        return self.utc_offsets[self._index(utc_us, self.utc_offsets)]

    def local_to_utc(self, local_us: int) -> int:
        """Scalar form of :meth:`to_utc`."""
        return int(self.to_utc(np.array([local_us]))[0])


def utc_datetime(utc_us: int) -> datetime:
    """An aware UTC datetime of UTC microseconds."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(utc_us))


def format_plain(utc_us: np.ndarray, *, seconds_only: bool = False) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS.ffffff' (or without the fraction) UTC text without an offset."""
    text = pa.array(np.asarray(utc_us, dtype=np.int64).astype("datetime64[us]")).cast(pa.string())
    return pc.utf8_slice_codeunits(text, 0, 19) if seconds_only else text


def _offset_text(offset_s: np.ndarray) -> pa.Array:
    """'+HH:MM' / '-HH:MM' text of offsets in seconds."""
    unique, inverse = np.unique(np.asarray(offset_s, dtype=np.int64), return_inverse=True)
    labels = []
    for value in unique.tolist():
        sign = "-" if value < 0 else "+"
        minutes = abs(value) // 60
        labels.append(f"{sign}{minutes // 60:02d}:{minutes % 60:02d}")
    return pa.array(labels, pa.string()).take(pa.array(inverse.astype(np.int64)))


def format_offset(utc_us: np.ndarray, offset_s: np.ndarray) -> pa.Array:
    """ISO-8601 local text with its offset and milliseconds, e.g. '2026-03-08T01:30:00.000-08:00'.

    The instant is exact only for millisecond-aligned inputs (see :func:`floor_ms`).
    """
    local = np.asarray(utc_us, dtype=np.int64) + np.asarray(offset_s, dtype=np.int64) * US
    text = pc.utf8_slice_codeunits(format_plain(local), 0, 23)
    text = pc.replace_substring(text, " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, _offset_text(offset_s), "")


def floor_ms(us: np.ndarray) -> np.ndarray:
    """Microseconds rounded down to a whole millisecond."""
    return (np.asarray(us, dtype=np.int64) // 1000) * 1000


def format_mixed(clock: Clock, utc_us: np.ndarray, with_offset: np.ndarray) -> pa.Array:
    """UTC text for most rows; ISO-8601 local text with offset where ``with_offset`` (ms-aligned inputs)."""
    text = format_plain(utc_us)
    if not with_offset.any():
        return text
    picked = np.asarray(utc_us)[with_offset]
    local = format_offset(picked, clock.offset_at_utc(picked))
    return pc.replace_with_mask(text, pa.array(with_offset), local)
