"""Settings of the live service (``[serve]`` in vitals.toml, ``VITALS_SERVE__*`` in the environment)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from vitals.contracts import RAW_TABLES

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
        default=1.0,
        gt=0,
        description="Evaluate the alert rules this often (minutes); the real-time rules are judged at each "
        "evaluation, on a thread of their own (a running build never delays them).",
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


DEFAULT_SOURCE_LAGS: dict[str, float] = {"events_big": 60.0, "stripe_billing_big": 1440.0, "sentry_errors_big": 1440.0}
"""Minutes each source may go without a new row before the system health is Warning (the others: not judged)."""


class SystemHealthSettings(BaseModel):
    """When the system health (``GET /api/v1/status``, the data health page, alert rules with ``source:
    system``) turns Warning or Degraded."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    source_lag_minutes: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_SOURCE_LAGS),
        description="Source (raw table) -> minutes it may go without a new row landing before the status is "
        "Warning; 0: not judged. Sources left out keep their default (events_big 60, stripe_billing_big and "
        "sentry_errors_big 1440; the others are not judged). A source with no row yet is not judged.",
    )
    source_lag_degraded_factor: float = Field(
        default=4.0,
        ge=1,
        description="A source without a new row for this many times its lag makes the status Degraded.",
    )
    build_warning_minutes: float = Field(
        default=30.0,
        gt=0,
        description="The last successful build (before the first one: the server's start) longer ago than this "
        "makes the status Warning; keep it above serve.build_interval_minutes. A failed build, and a build "
        "that took longer than the interval, make it Warning too.",
    )
    build_degraded_minutes: float = Field(
        default=120.0, gt=0, description="The last successful build longer ago than this: Degraded."
    )
    journal_warning_minutes: float = Field(
        default=15.0,
        gt=0,
        description="Accepted events waiting this long to be written to the warehouse make the status Warning "
        "(a build holds writes for as long as it runs).",
    )
    journal_degraded_minutes: float = Field(
        default=60.0, gt=0, description="Accepted events waiting this long to be written: Degraded."
    )
    delivery_failures_hours: float = Field(
        default=24.0,
        gt=0,
        description="Alert notifications that could not be delivered (after every retry) in this many hours "
        "make the status Warning.",
    )
    delivery_failures_degraded: int = Field(
        default=3, ge=1, description="This many undelivered alert notifications in that window: Degraded."
    )

    @field_validator("source_lag_minutes")
    @classmethod
    def _known_sources(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(RAW_TABLES))
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; known: {list(RAW_TABLES)}")
        if any(minutes < 0 for minutes in value.values()):
            raise ValueError("a source lag is negative (0 switches the check off)")
        return {**DEFAULT_SOURCE_LAGS, **value}

    @model_validator(mode="after")
    def _ordered(self) -> SystemHealthSettings:
        for area in ("build", "journal"):
            warning, degraded = getattr(self, f"{area}_warning_minutes"), getattr(self, f"{area}_degraded_minutes")
            if degraded < warning:
                raise ValueError(
                    f"{area}_degraded_minutes ({degraded:g}) is below {area}_warning_minutes ({warning:g})"
                )
        return self
