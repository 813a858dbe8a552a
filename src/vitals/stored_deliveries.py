"""Flatten what the webhook receivers stored but did not flatten yet.

A receiver acknowledges a delivery once it is stored, and flattens it afterwards in the background. A
process killed in between leaves acknowledged deliveries that no table shows. `vitals serve` calls
``flatten_stored`` at start-up and before every build, and so does `vitals build`: every stored Stripe
object and Sentry error reaches ``stripe_billing_big`` / ``sentry_errors_big`` before the models read them.
"""

from __future__ import annotations

import logging

from vitals.config import Settings
from vitals.ingest.report import LoadReport
from vitals.warehouse.base import Warehouse

log = logging.getLogger("vitals.stored_deliveries")


def flatten_stored(settings: Settings, warehouse: Warehouse | None = None, *, repair: bool = False) -> list[LoadReport]:
    """Flatten the pending Stripe objects and Sentry errors (through ``warehouse``, else a connection of
    its own); the reports of the flattens that ran (none when nothing was pending). ``repair``: first
    rebuild the stores' DuckDB indexes, which a crash leaves incomplete (``webhook_support``); pass it
    when the process may be the first to open the warehouse since a crash."""
    if warehouse is None:
        from vitals.warehouse import open_warehouse

        with open_warehouse(settings) as own:
            return flatten_stored(settings, own, repair=repair)
    from vitals.sentry.flatten import flatten_pending as flatten_sentry
    from vitals.sentry.settings import sentry_settings
    from vitals.sentry.store import repair_indexes as repair_sentry
    from vitals.stripe.flatten import flatten_pending as flatten_stripe
    from vitals.stripe.settings import stripe_settings
    from vitals.stripe.store import repair_indexes as repair_stripe

    if repair:
        for name, repaired in (("Stripe events", repair_stripe), ("Sentry deliveries", repair_sentry)):
            removed = repaired(warehouse)
            if removed:
                log.warning("%s: %d duplicate(s) stored past a broken index were removed", name, removed)

    reports = []
    for name, report in (
        ("Stripe", flatten_stripe(warehouse, stripe_settings(settings))),
        ("Sentry", flatten_sentry(warehouse, sentry_settings(settings))),
    ):
        if report is not None:
            log.info(
                "stored %s deliveries flattened: %d read, %d row(s) landed",
                name,
                report.rows_read,
                report.rows_inserted,
            )
            reports.append(report)
    return reports
