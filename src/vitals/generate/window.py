"""The generated time window: its days in the business time zone and the quality incident within it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from vitals.generate.clock import DAY_US, HOUR_US, Clock, day_us

HISTORY_DAYS = 730
"""How far before the window orgs may have signed up (their creation events and invoices go back so far)."""
INCIDENT_HOURS = (10, 13)
"""Local hours [from, to) of the quality incident."""
LIVE_INCIDENT_BEFORE_US = 3 * HOUR_US
LIVE_INCIDENT_AFTER_US = HOUR_US
"""A live incident (``incident_at``) runs from 3 hours before that time to an hour after it."""


@dataclass(frozen=True)
class Window:
    """``days`` business-local days ending with ``last_day``: [first_day 00:00, last_day + 1 00:00) local."""

    first_day: date
    last_day: date
    clock: Clock
    incident_at: int | None = None
    """Local wall-clock microseconds a live incident is in progress at (the demo's as-of time), if any."""

    @classmethod
    def build(cls, last_day: date, days: int, tz_name: str, incident_at: int | None = None) -> Window:
        """The window of ``days`` days ending with ``last_day``, with offset tables covering its history."""
        first_day = last_day - timedelta(days=days - 1)
        clock = Clock.build(tz_name, first_day - timedelta(days=HISTORY_DAYS + 2), last_day + timedelta(days=2))
        return cls(first_day=first_day, last_day=last_day, clock=clock, incident_at=incident_at)

    @property
    def days(self) -> int:
        """Number of days in the window."""
        return (self.last_day - self.first_day).days + 1

    @property
    def start_local(self) -> int:
        """Local wall-clock microseconds of the window's start."""
        return day_us(self.first_day)

    @property
    def end_local(self) -> int:
        """Local wall-clock microseconds of the window's (exclusive) end."""
        return day_us(self.last_day) + DAY_US

    @property
    def start_utc(self) -> int:
        """UTC microseconds of the window's start."""
        return self.clock.local_to_utc(self.start_local)

    @property
    def end_utc(self) -> int:
        """UTC microseconds of the window's (exclusive) end."""
        return self.clock.local_to_utc(self.end_local)

    def day_starts(self) -> np.ndarray:
        """Local midnight (wall-clock microseconds) of every day of the window."""
        return self.start_local + np.arange(self.days, dtype=np.int64) * DAY_US

    def weekdays(self) -> np.ndarray:
        """Weekday of every day of the window (0 = Monday)."""
        return (self.first_day.weekday() + np.arange(self.days)) % 7

    def incident_day(self) -> date:
        """The day of the quality incident: the latest weekday among the window's last three days.

        Yesterday is preferred over the day before and over the last day itself, so that a window
        ending today has the incident in the past.
        """
        candidates = [self.last_day - timedelta(days=k) for k in (1, 2, 0)]
        candidates = [d for d in candidates if d >= self.first_day] or [self.last_day]
        weekdays = [d for d in candidates if d.weekday() < 5]
        return (weekdays or candidates)[0]

    def incident_local(self) -> tuple[int, int]:
        """Local wall-clock microseconds [start, end) of the quality incident: around ``incident_at`` when
        set (a live incident), else hours 10-13 of ``incident_day``."""
        if self.incident_at is not None:
            start = max(self.incident_at - LIVE_INCIDENT_BEFORE_US, self.start_local)
            return start, min(self.incident_at + LIVE_INCIDENT_AFTER_US, self.end_local)
        base = day_us(self.incident_day())
        return base + INCIDENT_HOURS[0] * HOUR_US, base + INCIDENT_HOURS[1] * HOUR_US
