"""Backfill error events from Sentry's REST API, then flatten them.

``GET {api_base}/api/0/projects/{org}/{project}/events/?full=true`` with ``Authorization: Bearer <token>``,
newest first, page after page by the ``Link`` header's ``rel="next"; results="true"; cursor="..."`` until a
next link says ``results="false"``. ``since`` is sent as ``start`` (with ``end`` = now) and also applied to
each event's ``dateCreated``. Each page is stored in its own transaction (``store.store_api_events``), so an
interrupted backfill keeps what it fetched and a re-run stores nothing it already has.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from vitals.config import Settings
from vitals.ingest.errors import LoadError
from vitals.ingest.landing import LoadRecord, new_load_id, record_load, transaction, utc_now_text
from vitals.ingest.progress import LoadProgress
from vitals.ingest.report import LoadReport, TableLoad
from vitals.sentry.flatten import flatten
from vitals.sentry.payloads import timestamp_text
from vitals.sentry.settings import sentry_settings
from vitals.sentry.store import ensure_tables, store_api_events
from vitals.sentry.tables import DELIVERIES
from vitals.warehouse import open_warehouse

RETRIES = 3
"""Attempts per page on 429 and 5xx answers (waiting ``Retry-After``, at most ``MAX_WAIT`` seconds)."""
MAX_WAIT = 30.0

_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[a-zA-Z_]+\s*=\s*\"[^\"]*\")*)")
_PARAM = re.compile(r"([a-zA-Z_]+)\s*=\s*\"([^\"]*)\"")


@dataclass(frozen=True)
class Link:
    """One entry of a ``Link`` header."""

    url: str
    rel: str
    results: bool
    cursor: str | None


def parse_links(header: str | None) -> dict[str, Link]:
    """The entries of a Sentry ``Link`` header, by ``rel``."""
    links: dict[str, Link] = {}
    for url, params in _LINK.findall(header or ""):
        values = dict(_PARAM.findall(params))
        rel = values.get("rel", "")
        links[rel] = Link(url, rel, values.get("results", "").lower() == "true", values.get("cursor"))
    return links


def backfill(
    settings: Settings,
    token: str,
    org: str,
    project: str,
    since: datetime | date | None = None,
    api_base: str | None = None,
    progress: bool = True,
) -> LoadReport:
    """Fetch the project's error events into ``raw.sentry_deliveries`` and flatten them."""
    config = sentry_settings(settings)
    base = (api_base or config.api_base).rstrip("/")
    path = f"/api/0/projects/{quote(org, safe='')}/{quote(project, safe='')}/events/"
    source = f"{_origin(base)}{path}"
    bound = _since_text(since)
    report = LoadReport(load_id=new_load_id())
    entry = TableLoad(table=f"{DELIVERIES.name}:events", source=source)
    report.tables.append(entry)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    try:
        with (
            httpx.Client(base_url=base, headers=headers, timeout=config.api_timeout_seconds) as client,
            open_warehouse(settings) as warehouse,
            LoadProgress(progress) as bar,
        ):
            ensure_tables(warehouse)
            counter = bar.rows(f"sentry {org}/{project} events", None)
            started, started_at = time.perf_counter(), utc_now_text()
            for events in _pages(client, path, _params(since)):
                kept = [e for e in events if bound is None or (_created(e) or bound) >= bound]
                entry.rows_inserted += store_api_events(warehouse, kept, project)
                entry.rows_read += len(kept)
                counter(len(events))
            entry.seconds = time.perf_counter() - started
            with transaction(warehouse):
                record_load(
                    warehouse,
                    LoadRecord(
                        report.load_id,
                        source,
                        DELIVERIES.name,
                        entry.rows_read,
                        entry.rows_inserted,
                        started_at,
                        utc_now_text(),
                    ),
                )
            done = bar.step("flattening into sentry_errors_big")
            flattened = flatten(warehouse, config, report.load_id)
            done()
    except httpx.HTTPError as exc:
        raise LoadError(f"Sentry backfill from {source} failed: {_safe(str(exc), token)}", source=source) from exc
    report.tables.extend(flattened.tables)
    return report


def _pages(client: httpx.Client, path: str, params: dict[str, str]) -> Iterator[list[Mapping[str, Any]]]:
    """Each page's events, following the ``Link`` header's next cursor while it has results."""
    cursor: str | None = None
    while True:
        response = _get(client, path, {**params, **({"cursor": cursor} if cursor else {})})
        body = response.json()
        if not isinstance(body, list):
            raise LoadError(f"Sentry answered {path} with {type(body).__name__}, not a list of events", source=path)
        events = [e for e in body if isinstance(e, Mapping)]
        if events:
            yield events
        following = parse_links(response.headers.get("link")).get("next")
        if following is None or not following.results or not following.cursor or following.cursor == cursor:
            return
        cursor = following.cursor


def _get(client: httpx.Client, path: str, params: dict[str, str]) -> httpx.Response:
    for attempt in range(1, RETRIES + 1):
        response = client.get(path, params=params)
        if (response.status_code == 429 or response.status_code >= 500) and attempt < RETRIES:
            time.sleep(_wait(response, attempt))
            continue
        if response.status_code >= 400:
            raise LoadError(
                f"Sentry answered {response.status_code} for {path}: {_detail(response)}", source=str(response.url)
            )
        return response
    raise AssertionError("unreachable")  # pragma: no cover


def _wait(response: httpx.Response, attempt: int) -> float:
    given = response.headers.get("retry-after", "")
    try:
        return min(float(given), MAX_WAIT)
    except ValueError:
        return min(0.5 * 2**attempt, MAX_WAIT)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no detail"
    if isinstance(body, Mapping) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return response.reason_phrase or "no detail"


def _params(since: datetime | date | None) -> dict[str, str]:
    params = {"full": "true"}
    if since is not None:
        params["start"] = _aware(since).strftime("%Y-%m-%dT%H:%M:%S")
        params["end"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return params


def _created(event: Mapping[str, Any]) -> str | None:
    return timestamp_text(event.get("dateCreated") or event.get("datetime"))


def _since_text(since: datetime | date | None) -> str | None:
    return None if since is None else timestamp_text(_aware(since).isoformat())


def _aware(since: datetime | date) -> datetime:
    if not isinstance(since, datetime):
        return datetime(since.year, since.month, since.day, tzinfo=UTC)
    return since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)


def _origin(base: str) -> str:
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def _safe(message: str, token: str) -> str:
    return message.replace(token, "***") if token else message
