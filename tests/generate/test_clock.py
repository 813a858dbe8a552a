"""Business-time arithmetic is DST-correct and offset timestamps denote the exact instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from vitals.generate.clock import US, Clock, day_us, floor_ms, format_offset, format_plain

LA = ZoneInfo("America/Los_Angeles")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc_us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def test_local_wall_clock_converts_to_utc_across_dst() -> None:
    clock = Clock.build("America/Los_Angeles", date(2026, 3, 1), date(2026, 11, 10))
    for day in (date(2026, 3, 7), date(2026, 3, 9), date(2026, 10, 31), date(2026, 11, 2)):
        for hour in (0, 9, 13, 23):
            local = day_us(day) + hour * 3600 * US
            expected = datetime(day.year, day.month, day.day, hour, tzinfo=LA).astimezone(UTC)
            assert clock.local_to_utc(local) == _utc_us(expected)


def test_offset_text_denotes_the_same_instant() -> None:
    clock = Clock.build("America/Los_Angeles", date(2026, 3, 1), date(2026, 11, 10))
    start = _utc_us(datetime(2026, 3, 8, 8, tzinfo=UTC))
    instants = floor_ms(start + np.arange(0, 48 * 3600, 397) * US + 123_456)
    texts = format_offset(instants, clock.offset_at_utc(instants)).to_pylist()
    for us, text in zip(instants.tolist(), texts, strict=True):
        parsed = datetime.fromisoformat(text)
        assert _utc_us(parsed) == us
        assert parsed.utcoffset() == parsed.astimezone(LA).utcoffset()
    assert (
        "2026-03-08T01:30:00.000-08:00"
        in format_offset(
            np.array([_utc_us(datetime(2026, 3, 8, 9, 30, tzinfo=UTC))]), np.array([-8 * 3600])
        ).to_pylist()
    )


def test_plain_text_is_utc_without_offset() -> None:
    us = _utc_us(datetime(2026, 3, 8, 9, 30, 1, 250, tzinfo=UTC))
    assert format_plain(np.array([us])).to_pylist() == ["2026-03-08 09:30:01.000250"]
    assert format_plain(np.array([us]), seconds_only=True).to_pylist() == ["2026-03-08 09:30:01"]
