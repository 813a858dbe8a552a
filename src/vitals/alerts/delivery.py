"""Delivery with retries: exponential backoff on 429, 5xx and network errors (Retry-After honoured),
never on other 4xx; every attempt is handed to a recorder."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from vitals.alerts.settings import AlertSettings


@dataclass(frozen=True)
class Attempt:
    """The result of one try: ``ok``, or transient (worth retrying) or permanent."""

    ok: bool
    transient: bool = False
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Outcome:
    """The result of a delivery after its retries."""

    ok: bool
    attempts: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait."""

    max_attempts: int = 5
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> RetryPolicy:
        return cls(settings.max_attempts, settings.backoff_seconds, settings.max_backoff_seconds)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Wait before attempt ``attempt + 1``: Retry-After when given, else base x 2^(attempt-1); capped."""
        wanted = retry_after if retry_after is not None else self.backoff_seconds * 2 ** (attempt - 1)
        return max(0.0, min(wanted, self.max_backoff_seconds))


Recorder = Callable[[int, Attempt], None]


def deliver_with_retry(
    send: Callable[[], Attempt],
    policy: RetryPolicy,
    record: Recorder | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Call ``send`` until it succeeds, fails permanently or the attempts run out."""
    attempt = 0
    while True:
        attempt += 1
        result = send()
        if record is not None:
            record(attempt, result)
        if result.ok or not result.transient or attempt >= policy.max_attempts:
            return Outcome(result.ok, attempt, result.status_code, result.error)
        sleep(policy.delay(attempt, result.retry_after))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def http_attempt(client: httpx.Client, url: str, *, content: bytes, headers: dict[str, str]) -> Attempt:
    """One POST, classified: 2xx ok; 429 and 5xx transient; any other status permanent."""
    try:
        response = client.post(url, content=content, headers=headers)
    except httpx.TransportError as exc:
        return Attempt(ok=False, transient=True, error=f"{type(exc).__name__}: {exc}")
    code = response.status_code
    if 200 <= code < 300:
        return Attempt(ok=True, status_code=code)
    body = response.text[:300]
    transient = code == 429 or code >= 500
    retry_after = parse_retry_after(response.headers.get("retry-after")) if transient else None
    return Attempt(
        ok=False, transient=transient, status_code=code, error=f"HTTP {code}: {body}", retry_after=retry_after
    )
