"""The raw tables of the Stripe way in (schema ``raw``, every column text).

- ``stripe_events``: every verified webhook delivery, verbatim, once per ``event_id``.
- ``stripe_objects``: every state of every Stripe object seen (from a webhook event or a backfill
  page), with the columns needed to order the states of one object (``state_ts``, ``object_ts``,
  ``lifecycle_rank``) and the JSON of the object.
- ``stripe_customer_orgs``: an optional customer -> org mapping a user may fill.
- ``stripe_subscription_items``: the subscription-item fact flattened from subscription states.

The invoice rows flattened from these land in the shared ``stripe_billing_big`` contract.
Timestamps are UTC text ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (fixed width: text order is time order).
"""

from __future__ import annotations

from vitals.contracts import Column, ColumnKind, RawTable, StateTable

EVENTS = StateTable(
    name="stripe_events",
    columns=(
        ("event_id", "text"),
        ("event_type", "text"),
        ("api_version", "text"),
        ("created_at", "text"),
        ("livemode", "text"),
        ("body", "text"),
        ("received_at", "text"),
    ),
)

OBJECTS = StateTable(
    name="stripe_objects",
    columns=(
        ("object_id", "text"),
        ("object_type", "text"),
        ("customer_id", "text"),
        ("status", "text"),
        ("created_at", "text"),
        ("state_ts", "text"),
        ("object_ts", "text"),
        ("lifecycle_rank", "text"),
        ("is_deleted", "text"),
        ("received_via", "text"),
        ("event_id", "text"),
        ("event_type", "text"),
        ("api_version", "text"),
        ("payload", "text"),
        ("payload_hash", "text"),
        ("_loaded_at", "text"),
    ),
)

CUSTOMER_ORGS = StateTable(
    name="stripe_customer_orgs",
    columns=(("customer_id", "text"), ("org_id", "text"), ("updated_at", "text")),
)
"""Customer -> org mapping; the row with the greatest ``updated_at`` per customer applies."""

T, TS, INT, BOOL = ColumnKind.TEXT, ColumnKind.TIMESTAMP, ColumnKind.INTEGER, ColumnKind.BOOLEAN

SUBSCRIPTION_ITEMS = RawTable(
    name="stripe_subscription_items",
    key="subscription_item_id",
    columns=(
        Column("subscription_item_id", T, required=True),
        Column("subscription_id", T, required=True),
        Column("customer_id"),
        Column("org_id"),
        Column("subscription_status"),
        Column("price_id"),
        Column("product"),
        Column("currency"),
        Column("unit_amount_cents", INT),
        Column("quantity", INT),
        Column("billing_interval"),
        Column("interval_count", INT),
        Column("usage_type"),
        Column("discount_percent_off"),
        Column("discount_amount_off_cents", INT),
        Column("discount_end", TS),
        Column("item_created_at", TS),
        Column("subscription_created_at", TS),
        Column("current_period_start", TS),
        Column("current_period_end", TS),
        Column("trial_start", TS),
        Column("trial_end", TS),
        Column("cancel_at_period_end", BOOL),
        Column("cancel_at", TS),
        Column("canceled_at", TS),
        Column("ended_at", TS),
        Column("state_order"),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)
"""One row per subscription item per stored state of its subscription. ``_ingest_ts`` is the state's time;
``state_order`` (``object_ts|lifecycle_rank|state_ts``, fixed width) sorts the states of a subscription as
``objects.ObjectState.order_key`` does. Derived from ``stripe_objects``: a table of an older layout is
dropped and landed again by the next flatten."""

STATE_TABLES = (EVENTS, OBJECTS, CUSTOMER_ORGS)
