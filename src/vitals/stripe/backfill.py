"""Backfill from the Stripe API through the official ``stripe`` library, then flatten.

Lists prices (with their product expanded), customers, subscriptions (``status=all``), invoices (every
line: an invoice's ``lines`` list is paged to its end), credit notes and refunds, page by page
(``starting_after``). Each page is stored in its own transaction as the objects' state at the time
it was requested, so an interrupted backfill keeps what it fetched and a re-run stores only what
changed. ``since`` limits every list but prices to objects created at or after it (prices are
always listed whole: invoices need their intervals).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast
from urllib.parse import urlsplit

import stripe
from vitals.config import Settings
from vitals.ingest.errors import LoadError
from vitals.ingest.landing import LoadRecord, new_load_id, record_load, transaction, utc_now_text
from vitals.ingest.progress import LoadProgress
from vitals.ingest.report import LoadReport, TableLoad
from vitals.stripe.flatten import flatten
from vitals.stripe.settings import stripe_settings
from vitals.stripe.store import ensure_tables, store_objects
from vitals.stripe.tables import OBJECTS
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

Params = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    """One API list the backfill walks."""

    name: str
    service: Callable[[stripe.StripeClient], Any]
    params: Params
    since_filter: bool = True


RESOURCES: tuple[Resource, ...] = (
    Resource("prices", lambda c: c.v1.prices, {"expand": ["data.product"]}, since_filter=False),
    Resource("customers", lambda c: c.v1.customers, {}),
    Resource("subscriptions", lambda c: c.v1.subscriptions, {"status": "all"}),
    Resource("invoices", lambda c: c.v1.invoices, {}),
    Resource("credit_notes", lambda c: c.v1.credit_notes, {}),
    Resource("refunds", lambda c: c.v1.refunds, {}),
)


def backfill(
    settings: Settings,
    api_key: str,
    since: datetime | date | None = None,
    api_base: str | None = None,
    progress: bool = True,
) -> LoadReport:
    """Fetch the Stripe account's billing objects into ``raw.stripe_objects`` and flatten them."""
    config = stripe_settings(settings)
    client = stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        stripe_version=config.api_version or None,
        max_network_retries=2,
    )
    origin = _origin(api_base)
    report = LoadReport(load_id=new_load_id())
    created = _since_epoch(since)
    try:
        with open_warehouse(settings) as warehouse, LoadProgress(progress) as bar:
            ensure_tables(warehouse)
            for resource in RESOURCES:
                params: Params = {**resource.params, "limit": config.page_size}
                if created is not None and resource.since_filter:
                    params["created"] = {"gte": created}
                entry = TableLoad(table=f"{OBJECTS.name}:{resource.name}", source=f"{origin}/v1/{resource.name}")
                report.tables.append(entry)
                counter = bar.rows(f"stripe {resource.name}", None)
                started, started_at = time.perf_counter(), utc_now_text()
                for fetched_at, items in _pages(resource.service(client), params):
                    if resource.name == "invoices":
                        items = [_with_all_lines(client, inv, config.page_size) for inv in items]
                    entry.rows_inserted += store_objects(warehouse, items, fetched_at, config.api_version or None)
                    entry.rows_read += len(items)
                    counter(len(items))
                entry.seconds = time.perf_counter() - started
                _record(warehouse, report.load_id, entry, started_at)
            done = bar.step("flattening into stripe_billing_big")
            flattened = flatten(warehouse, config, report.load_id)
            done()
    except stripe.StripeError as exc:
        raise LoadError(f"Stripe backfill from {origin} failed: {_safe_message(exc, api_key)}", source=origin) from exc
    report.tables.extend(flattened.tables)
    return report


def _pages(service: Any, params: Params) -> Iterator[tuple[datetime, list[dict[str, Any]]]]:
    """Each page's request time and its objects as plain JSON dicts, following ``starting_after``."""
    while True:
        fetched_at = datetime.now(UTC)
        page = service.list(params)
        items = _raw_items(page)
        if items:
            yield fetched_at, items
        if not getattr(page, "has_more", False) or not items:
            return
        params = {**params, "starting_after": items[-1]["id"]}


def _raw_items(page: Any) -> list[dict[str, Any]]:
    """The objects of a list page as the API sent them (the response JSON, not SDK objects)."""
    response = page.last_response
    body = response.data if response is not None else page.to_dict(for_json=True)
    return [dict(item) for item in body.get("data", []) if isinstance(item, Mapping)]


def _with_all_lines(client: stripe.StripeClient, invoice: dict[str, Any], page_size: int) -> dict[str, Any]:
    """The invoice with every line (its embedded ``lines`` list paged to the end)."""
    lines = invoice.get("lines")
    if not isinstance(lines, Mapping) or not lines.get("has_more"):
        return invoice
    data = list(lines.get("data") or [])
    params: Params = {"limit": page_size}
    while True:
        if data:
            params["starting_after"] = data[-1]["id"]
        page = client.v1.invoices.line_items.list(invoice["id"], cast(Any, params))
        more = _raw_items(page)
        data.extend(more)
        if not getattr(page, "has_more", False) or not more:
            break
    return {**invoice, "lines": {**lines, "data": data, "has_more": False}}


def _record(warehouse: Warehouse, load_id: str, entry: TableLoad, started_at: str) -> None:
    with transaction(warehouse):
        record_load(
            warehouse,
            LoadRecord(
                load_id, entry.source, OBJECTS.name, entry.rows_read, entry.rows_inserted, started_at, utc_now_text()
            ),
        )


def _since_epoch(since: datetime | date | None) -> int | None:
    if since is None:
        return None
    if not isinstance(since, datetime):
        since = datetime(since.year, since.month, since.day, tzinfo=UTC)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return int(since.timestamp())


def _origin(api_base: str | None) -> str:
    parts = urlsplit(api_base or stripe.DEFAULT_API_BASE)
    return f"{parts.scheme}://{parts.netloc}"


def _safe_message(exc: stripe.StripeError, api_key: str) -> str:
    message = str(exc.user_message or exc) or type(exc).__name__
    return message.replace(api_key, "***") if api_key else message
