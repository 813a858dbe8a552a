"""The Stripe way in: signed webhooks and API backfills into raw Stripe objects, flattened into
``stripe_billing_big`` (invoices) and ``stripe_subscription_items``. See docs/stripe.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date, datetime

    from fastapi import FastAPI

    from vitals.config import Settings
    from vitals.ingest.report import LoadReport

__all__ = ["backfill", "create_app", "flatten_warehouse"]


def backfill(
    settings: Settings,
    api_key: str,
    since: datetime | date | None = None,
    api_base: str | None = None,
    progress: bool = True,
) -> LoadReport:
    """Backfill from the Stripe API and flatten (see ``vitals.stripe.backfill``)."""
    from vitals.stripe.backfill import backfill as run

    return run(settings, api_key, since, api_base, progress)


def create_app(settings: Settings) -> FastAPI:
    """The webhook ASGI app (see ``vitals.stripe.webhook``)."""
    from vitals.stripe.webhook import create_app as make

    return make(settings)


def flatten_warehouse(settings: Settings, **_: Any) -> LoadReport:
    """Flatten the stored Stripe objects into the raw billing tables of the configured warehouse."""
    from vitals.stripe.flatten import flatten
    from vitals.stripe.settings import stripe_settings
    from vitals.warehouse import open_warehouse

    with open_warehouse(settings) as warehouse:
        return flatten(warehouse, stripe_settings(settings))
