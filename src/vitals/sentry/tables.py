"""The raw table of the Sentry way in (schema ``raw``, every column text).

``sentry_deliveries``: every accepted webhook delivery and every event a REST backfill fetched, verbatim
(``body``), once per ``delivery_key``:

- ``error.created`` / ``event_alert.triggered``: ``<resource>.<action>:<event_id>``;
- ``issue.<action>``: ``issue.<action>:<issue id>:<hash of the issue's JSON>`` (an issue delivery has no
  event id; a new state of the issue is a new delivery, a redelivery of the same state is not);
- a backfilled event: ``api.event:<event_id>``.

The error rows flattened from it land in the shared ``sentry_errors_big`` contract.
Timestamps are UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (fixed width: text order is time order).
"""

from __future__ import annotations

from vitals.contracts import StateTable

DELIVERIES = StateTable(
    name="sentry_deliveries",
    columns=(
        ("delivery_key", "text"),
        ("resource", "text"),
        ("action", "text"),
        ("event_id", "text"),
        ("issue_id", "text"),
        ("project", "text"),
        ("received_via", "text"),
        ("request_id", "text"),
        ("hook_timestamp", "text"),
        ("body", "text"),
        ("received_at", "text"),
    ),
)
