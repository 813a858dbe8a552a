"""The Sentry way in: signed Integration Platform webhooks and REST API backfills, stored verbatim in
``raw.sentry_deliveries`` and flattened into ``sentry_errors_big``. See docs/sentry.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

    from vitals.config import Settings
    from vitals.ingest.report import LoadReport

__all__ = ["create_app", "create_router", "flatten_warehouse"]
# the API backfill is vitals.sentry.backfill.backfill (a submodule, so not re-exported here)


def create_app(settings: Settings) -> FastAPI:
    """The webhook ASGI app (see ``vitals.sentry.webhook``)."""
    from vitals.sentry.webhook import create_app as make

    return make(settings)


def create_router(settings: Settings) -> APIRouter:
    """The ``POST /webhooks/sentry`` route, for the server to mount."""
    from vitals.sentry.webhook import create_router as make

    return make(settings)


def flatten_warehouse(settings: Settings, **_: Any) -> LoadReport:
    """Flatten the stored Sentry deliveries into ``sentry_errors_big`` of the configured warehouse."""
    from vitals.sentry.flatten import flatten
    from vitals.sentry.settings import sentry_settings
    from vitals.warehouse import open_warehouse

    with open_warehouse(settings) as warehouse:
        return flatten(warehouse, sentry_settings(settings))
