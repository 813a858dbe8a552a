"""The Stripe way in: signed webhooks and API backfills into raw Stripe objects, flattened into
``stripe_billing_big`` (invoices) and ``stripe_subscription_items``. See docs/stripe.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from vitals.config import Settings
    from vitals.ingest.report import LoadReport

__all__ = ["create_app", "flatten_warehouse"]
# the API backfill is vitals.stripe.backfill.backfill (a submodule, so not re-exported here)


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
