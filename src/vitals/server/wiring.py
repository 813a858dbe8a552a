"""What the server mounts and schedules by default: the webhook receivers, the alert evaluation and the
weekly digest."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from vitals.config import Settings
from vitals.server import hooks

log = logging.getLogger("vitals.server.wiring")


def default_routers(settings: Settings) -> list[APIRouter]:
    """The webhook receivers: Stripe (``POST /webhooks/stripe``) and Sentry (``POST /webhooks/sentry``), the
    token-authenticated HTTP API (``/api/v1``, docs/api.md) and the web dashboard (``/``, docs/dashboard.md)."""
    from vitals.api.app import create_api_router
    from vitals.dashboard.router import create_dashboard_router
    from vitals.sentry.webhook import create_router as sentry_router
    from vitals.stripe.webhook import create_router as stripe_router

    return [
        stripe_router(settings),
        sentry_router(settings),
        create_api_router(settings),
        create_dashboard_router(settings),
    ]


ALERT_TABLES = ("metrics_daily", "mart_reliability_hourly")
"""The models the alert rules read; until a build made them there is nothing to evaluate."""


def evaluate_alerts(settings: Settings) -> None:
    """The alerts job: evaluate every rule now and deliver what is due (skipped, with a log line, until the
    first build has made the metrics the rules read)."""
    from vitals.alerts import evaluate
    from vitals.warehouse import open_warehouse

    with open_warehouse(settings) as warehouse:
        missing = [t for t in ALERT_TABLES if not warehouse.table_exists(warehouse.core_schema, t)]
    if missing:
        log.info("alerts not evaluated: %s not built yet (the first build makes them)", ", ".join(missing))
        return
    evaluate(settings)


def weekly_digest(settings: Settings) -> None:
    """The digest job: build, save and (when digest routes are configured) send the weekly digest."""
    from vitals.reports.digest import save, send
    from vitals.reports.weekly import weekly_report

    report = weekly_report(settings)
    path = save(report, settings)
    if not settings.alerts.digest_routes:
        log.info("weekly digest saved to %s (no alerts.digest_routes to send it to)", path)
        return
    failed = [r for r in send(report, settings) if not r.ok]
    if failed:
        raise RuntimeError("weekly digest not delivered to " + ", ".join(f"{r.route} ({r.error})" for r in failed))


def register_default_hooks() -> None:
    """Fill the scheduler's hooks (idempotent)."""
    hooks.alerts.register(evaluate_alerts)
    hooks.digest.register(weekly_digest)
