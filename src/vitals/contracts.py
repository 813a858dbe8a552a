"""The raw table contracts: exactly the columns of each source, in order.

Raw tables store every column as text, untouched, as the source sent it; staging models cast
and normalize. The loader still validates that typed columns *can* be cast (see ``ColumnKind``),
so that a broken file is refused with the file, row and column named instead of landing garbage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnKind(StrEnum):
    """What a raw column must parse as for a row to be accepted."""

    TEXT = "text"  # anything, including '' and NULL
    TIMESTAMP = "timestamp"  # ISO-8601 / 'YYYY-MM-DD HH:MM:SS[.fff][+HH:MM]'; '' or NULL allowed unless required
    INTEGER = "integer"  # whole number; '' or NULL allowed
    NUMBER = "number"  # decimal number (1.08, 1e-3); '' or NULL allowed
    BOOLEAN = "boolean"  # true/false/t/f/1/0/yes/no; '' or NULL allowed
    JSON = "json"  # stored as text; invalid JSON is kept and counted by staging, never refused


@dataclass(frozen=True)
class Column:
    """One raw column: its name, what it must parse as, and whether it may be empty."""

    name: str
    kind: ColumnKind = ColumnKind.TEXT
    required: bool = False
    bounds: tuple[int, int] | None = None
    """INTEGER columns only: the inclusive range a value must fall in (e.g. an NPS score, 0..10)."""
    choices: tuple[str, ...] | None = None
    """TEXT columns only: the values allowed (compared trimmed and lowercased), e.g. a ticket's status."""


@dataclass(frozen=True)
class RawTable:
    """A raw source table: its name, its columns in contract order and its natural key."""

    name: str
    columns: tuple[Column, ...]
    key: str
    versioned_by: str | None = None
    """Snapshot tables: the column dating each version of a ``key`` (every version sent is kept; the newest
    as of a time wins)."""

    @property
    def column_names(self) -> list[str]:
        """The contract's column names, in order."""
        return [c.name for c in self.columns]


T, TS, INT, NUM, BOOL, JSON = (
    ColumnKind.TEXT,
    ColumnKind.TIMESTAMP,
    ColumnKind.INTEGER,
    ColumnKind.NUMBER,
    ColumnKind.BOOLEAN,
    ColumnKind.JSON,
)

EVENTS = RawTable(
    name="events_big",
    key="event_id",
    columns=(
        Column("event_id", T, required=True),
        Column("org_id"),
        Column("provider_id"),
        Column("user_id"),
        Column("occurred_at", TS, required=True),
        Column("event_name", T, required=True),
        Column("session_id"),
        Column("request_id"),
        Column("source"),
        Column("endpoint"),
        Column("device"),
        Column("geo_country"),
        Column("properties", JSON),
        Column("inserted_at", TS),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)

STRIPE_BILLING = RawTable(
    name="stripe_billing_big",
    key="invoice_id",
    columns=(
        Column("invoice_id", T, required=True),
        Column("org_id"),
        Column("customer_id"),
        Column("subscription_id"),
        Column("price_id"),
        Column("product"),
        Column("currency"),
        Column("period_start", TS),
        Column("period_end", TS),
        Column("amount_cents", INT),
        Column("subtotal_cents", INT),
        Column("tax_cents", INT),
        Column("discount_cents", INT),
        Column("quantity", INT),
        Column("status"),
        Column("paid_at", TS),
        Column("refunded_cents", INT),
        Column("mrr_cents", INT),
        Column("churn_flag", BOOL),
        Column("expansion_flag", BOOL),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)

SENTRY_ERRORS = RawTable(
    name="sentry_errors_big",
    key="event_id",
    columns=(
        Column("event_id", T, required=True),
        Column("org_id"),
        Column("provider_id"),
        Column("project"),
        Column("group_id"),
        Column("level"),
        Column("message"),
        Column("culprit"),
        Column("release"),
        Column("environment"),
        Column("url"),
        Column("user_id_raw"),
        Column("created_at", TS, required=True),
        Column("tags", JSON),
        Column("contexts", JSON),
        Column("group_first_seen", TS),
        Column("group_last_seen", TS),
        Column("group_count", INT),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)

CURRENCY_RATES = RawTable(
    name="currency_rates",
    key="currency",
    columns=(
        Column("currency", T, required=True),
        Column("rate_date", TS, required=True),
        Column("rate", NUM, required=True),
    ),
)
"""Exchange rates for the revenue models: ``rate`` reporting-currency units per one unit of ``currency``
(e.g. EUR 1.08 when reporting in USD), in effect from ``rate_date`` (a date, business time zone) until the
currency's next rate. Optional: with no rates, only amounts in the reporting currency convert."""

NPS_RESPONSES = RawTable(
    name="nps_responses",
    key="response_id",
    columns=(
        Column("response_id", T, required=True),
        Column("org_id"),
        Column("provider_id"),
        Column("user_id"),
        Column("score", INT, required=True, bounds=(0, 10)),
        Column("comment"),
        Column("responded_at", TS, required=True),
    ),
)
"""Net Promoter Score survey answers (optional domain source): one row per response, ``score`` 0..10
("how likely are you to recommend us"), from a survey tool's export or the app's database. Staging
keeps the last landed copy of each ``response_id``."""

CRM_DEALS = RawTable(
    name="crm_deals",
    key="deal_id",
    versioned_by="updated_at",
    columns=(
        Column("deal_id", T, required=True),
        Column("org_id"),
        Column("company_name"),
        Column("company_domain"),
        Column("owner_id"),
        Column("pipeline"),
        Column("stage"),
        Column("amount_cents", INT),
        Column("currency"),
        Column("created_at", TS),
        Column("expected_close_date", TS),
        Column("closed_at", TS),
        Column("is_won", BOOL),
        Column("lost_reason"),
        Column("source_channel"),
        Column("updated_at", TS, required=True),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)
"""CRM deals (optional domain source, snapshots): one row per version of a deal; ``org_id`` is '' while the
company is a prospect, ``is_won`` 'true'/'false' once closed, '' while open."""

ACTIVITY_KINDS = ("call", "email", "meeting", "note")

CRM_ACTIVITIES = RawTable(
    name="crm_activities",
    key="activity_id",
    columns=(
        Column("activity_id", T, required=True),
        Column("deal_id"),
        Column("org_id"),
        Column("owner_id"),
        Column("kind", T, required=True, choices=ACTIVITY_KINDS),
        Column("occurred_at", TS, required=True),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)
"""Sales activities (optional domain source): calls, emails, meetings and notes, each on a deal and/or an org."""

CRM_QUOTAS = RawTable(
    name="crm_quotas",
    key="owner_id",
    columns=(
        Column("owner_id", T, required=True),
        Column("owner_name"),
        Column("team"),
        Column("month", TS, required=True),
        Column("quota_cents", INT, required=True),
        Column("currency"),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)
"""Sales quotas (optional domain source): one row per owner and month (its first day)."""

MARKETING_SPEND = RawTable(
    name="marketing_spend",
    key="spend_date",
    columns=(
        Column("spend_date", TS, required=True),
        Column("channel"),
        Column("campaign"),
        Column("spend_cents", INT, required=True),
        Column("currency"),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)
"""Marketing spend (optional domain source): one row per day, channel and campaign."""

MARKETING_LEADS = RawTable(
    name="marketing_leads",
    key="lead_id",
    versioned_by="updated_at",
    columns=(
        Column("lead_id", T, required=True),
        Column("created_at", TS),
        Column("company_domain"),
        Column("channel"),
        Column("campaign"),
        Column("mql_at", TS),
        Column("sql_at", TS),
        Column("deal_id"),
        Column("org_id"),
        Column("updated_at", TS, required=True),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)
"""Marketing leads (optional domain source, snapshots): when each lead came, from which channel and campaign,
and when it became marketing- and sales-qualified."""

TICKET_STATUSES = ("new", "open", "pending", "solved", "closed")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")

SUPPORT_TICKETS = RawTable(
    name="support_tickets",
    key="ticket_id",
    versioned_by="updated_at",
    columns=(
        Column("ticket_id", T, required=True),
        Column("org_id"),
        Column("provider_id"),
        Column("created_at", TS),
        Column("first_response_at", TS),
        Column("resolved_at", TS),
        Column("status", T, choices=TICKET_STATUSES),
        Column("priority", T, choices=TICKET_PRIORITIES),
        Column("channel"),
        Column("category"),
        Column("csat_score", INT, bounds=(1, 5)),
        Column("escalated", BOOL),
        Column("updated_at", TS, required=True),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)
"""Support tickets (optional domain source, snapshots): each version of a help-desk ticket."""

CAMPAIGN_KINDS = ("win_back", "training", "check_in", "renewal")
CAMPAIGN_OUTCOMES = ("recovered", "churned", "no_response")

RETENTION_CAMPAIGNS = RawTable(
    name="retention_campaigns",
    key="campaign_id",
    versioned_by="updated_at",
    columns=(
        Column("campaign_id", T, required=True),
        Column("org_id"),
        Column("kind", T, choices=CAMPAIGN_KINDS),
        Column("channel"),
        Column("started_at", TS),
        Column("sent_at", TS),
        Column("opened_at", TS),
        Column("clicked_at", TS),
        Column("responded_at", TS),
        Column("outcome", T, choices=CAMPAIGN_OUTCOMES),
        Column("updated_at", TS, required=True),
        Column("_ingest_source"),
        Column("_ingest_ts", TS),
    ),
)
"""Retention campaigns (optional domain source, snapshots): each version of a campaign sent to an org."""

DOMAIN_TABLES: tuple[RawTable, ...] = (
    NPS_RESPONSES,
    CRM_DEALS,
    CRM_ACTIVITIES,
    CRM_QUOTAS,
    MARKETING_SPEND,
    MARKETING_LEADS,
    SUPPORT_TICKETS,
    RETENTION_CAMPAIGNS,
)
"""The optional domain contracts (SPEC 2.6), in the order loads land them."""

RAW_TABLES: dict[str, RawTable] = {
    t.name: t for t in (EVENTS, STRIPE_BILLING, SENTRY_ERRORS, CURRENCY_RATES, *DOMAIN_TABLES)
}

OPTIONAL_SOURCES: tuple[str, ...] = tuple(t.name for t in DOMAIN_TABLES)
"""Optional domain sources (SPEC 2.6): metrics that need one report "source not connected" until it is loaded."""

RAW_SCHEMA = "raw"
"""Schema (DuckDB/Postgres) or database (Spark) holding the raw tables."""

ROW_HASH_COLUMN = "_row_hash"
"""Extra raw column: a hash of the whole row; a row already present is never inserted again."""

LOADED_AT_COLUMN = "_loaded_at"
"""Extra raw column: when vitals landed the row (UTC text); staging's tie-breaker after _ingest_ts."""


@dataclass(frozen=True)
class StateTable:
    """A load-state table in the raw schema: its name and (column, SQL type) pairs.

    Types are portable names: ``text`` (mapped to the engine's text type) and ``bigint``.
    """

    name: str
    columns: tuple[tuple[str, str], ...]


LOADS = StateTable(
    name="_loads",
    columns=(
        ("load_id", "text"),
        ("source", "text"),
        ("table_name", "text"),
        ("rows_read", "bigint"),
        ("rows_inserted", "bigint"),
        ("rows_skipped", "bigint"),
        ("started_at", "text"),
        ("finished_at", "text"),
    ),
)
"""One row per raw table per load (per batch for incremental pulls); times are UTC ISO text."""

CURSORS = StateTable(
    name="_cursors",
    columns=(
        ("source", "text"),
        ("cursor_column", "text"),
        ("cursor_value", "text"),
        ("updated_at", "text"),
    ),
)
"""Append-only cursor history of incremental pulls; a source's cursor is its greatest ``cursor_value``.

``source`` names host, port, database and table, never a user or password.
"""

STATE_TABLES: tuple[StateTable, ...] = (LOADS, CURSORS)
