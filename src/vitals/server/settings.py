"""Settings of the live service (``[serve]`` in vitals.toml, ``VITALS_SERVE__*`` in the environment)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ServeSettings(BaseModel):
    """`vitals serve`: where it listens, what it schedules, and how events are taken in."""

    host: str = Field(default="127.0.0.1", description="Address `vitals serve` listens on (--host wins).")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `vitals serve` listens on (--port wins).")
    build_interval_minutes: float = Field(
        default=5.0, gt=0, description="Run an incremental build this often (minutes; fractions allowed)."
    )
    pull_interval_minutes: float = Field(
        default=1.0,
        gt=0,
        description="Pull new events from the app's Postgres this often, when source_dsn is set (minutes).",
    )
    alerts_interval_minutes: float = Field(
        default=5.0, gt=0, description="Evaluate the alert rules this often (minutes)."
    )
    digest_weekday: Weekday = Field(
        default="monday", description="Day of the weekly digest, in the business time zone."
    )
    digest_time: str = Field(
        default="08:00", description="Time of day (HH:MM, business time zone) of the weekly digest."
    )
    source_dsn: str = Field(
        default="",
        description="The app's Postgres (libpq DSN) to pull events_big from on schedule; empty: no pull. "
        "Env: VITALS_SERVE__SOURCE_DSN.",
    )
    source_table: str = Field(default="events_big", description="Source table of the scheduled pull.")
    source_cursor_column: str = Field(
        default="_ingest_ts", description="Column the scheduled pull's incremental cursor follows."
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto "
        "headers are believed (the audit log then records the client they name); empty: the headers are "
        "ignored and the peer address is recorded, even from loopback.",
    )
    admin_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Shared secret of the admin endpoints (Authorization: Bearer <secret>); empty: they "
        "answer 503. Give it in the environment: VITALS_SERVE__ADMIN_SECRET.",
    )
    events_max_body_bytes: int = Field(
        default=5_242_880, gt=0, description="POST /ingest/events bodies larger than this are refused with 413."
    )
    events_max_rows: int = Field(
        default=10_000, gt=0, description="POST /ingest/events arrays longer than this are refused with 413."
    )
    events_max_age_days: float = Field(
        default=3650,
        gt=0,
        description="POST /ingest/events refuses an event whose occurred_at is more than this many days before "
        "the time received (the row is named in the answer's rejected list; load older history from files).",
    )
    events_max_ahead_hours: float = Field(
        default=24,
        ge=0,
        description="POST /ingest/events refuses an event whose occurred_at is more than this many hours after "
        "the time received (clock skew allowance).",
    )
    journal_dir: str = Field(
        default="",
        description="Directory of the write-ahead journal of accepted event batches; empty: <state_dir>/journal.",
    )
    journal_segment_bytes: int = Field(
        default=67_108_864,
        gt=0,
        description="A journal segment is closed at this size; closed segments are deleted once applied.",
    )

    @field_validator("digest_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(f"{value!r} is not a time of day HH:MM (e.g. 08:00)")
        return f"{int(match[1]):02d}:{match[2]}"

    def admin_token(self) -> str:
        """The admin secret in clear (for comparison only; never log it)."""
        return self.admin_secret.get_secret_value()
