"""Benchmark reference: the core tables computed by plain DuckDB SQL straight from the raw files.

The project's all-in time (load, then a full dbt build) is reported as a ratio to this: one DuckDB
connection reads the dataset's files (``events_big``, ``sentry_errors_big``, ``stripe_billing_big``, as
Parquet or CSV of text columns, as ``vitals.generate`` writes them) and builds, with the same rules as the
dbt models:

- ``stg_events``: ids trimmed and lowercased ('', 'null', 'none' are missing), org and provider ids kept
  only when they are UUIDs, timestamps parsed as UTC (naive text is UTC, an ISO offset is honoured,
  anything else is missing), event names mapped to their canonical names (``DEFAULT_EVENT_NAMES``), the
  allowlisted properties read from the JSON; events after the as-of time dropped, then one row per event
  id: its first ingested copy.
- ``stg_errors``: Sentry errors likewise, the org from the column or else from the ``org_id`` tag (tags as
  an object or as [key, value] pairs); the first ingested copy wins.
- ``stg_invoices``: invoices whose period started by the as-of time; the last ingested state wins.
- ``summarization_jobs``: a job is the first ``note_submit`` of a note (else request, else event); its
  first start, success and failure and its latest patient status, from events no earlier than it with the
  same note (else request); its first Sentry error of level error or fatal tagged with its request or
  note; outcome success, error, timeout (``job_timeout_minutes`` after the start) or pending; pending jobs
  and jobs without a valid org are left out.
- ``providers``: first and last event, the org of the first event naming one, the role of the first
  ``provider_created``, the latest device and country.
- ``organizations``: every org of an event or invoice; name from the first ``org_created``; customer,
  plan and seats from the latest non-void invoice; MRR from the latest paid or open invoice covering the
  as-of time; first and last event.
- ``sessions``: per org and session, its span, event count and latest provider; whether a successful job
  of the same org and provider completed inside the span, and whether a Sentry error of level error or
  fatal of the same org happened inside it.

Simplifications, none of which changes a row on generated data:

- One load: the loader stamps every row of a load with the same ``_loaded_at``, so the orderings that
  read it (copy ranks, the naming ``org_created``) skip it.
- Copies of one id with the same ingest time are ordered by DuckDB's ``hash`` of the raw row instead of
  the loader's md5 row hash (the generator never writes such: a redelivered copy is always later).
- Properties are read from the raw JSON text; the loader first reduces them to the allowlisted keys,
  which keeps each allowlisted value (a number may be written anew, with the same value).
- MRR from invoices only: the generated data has no Stripe objects (subscriptions, items), and no
  exchange rates, so an amount counts in the reporting currency USD (a missing currency is USD) and any
  other currency counts 0, as the project does without rates.
- ``business_tz``: the core tables read the business calendar only for the MRR of the as-of day, where
  "covers the day" compares with the as-of time itself; the zone is checked but changes no row.

Only the staged columns the four core tables read are kept.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from vitals.config import DEFAULT_EVENT_NAMES

SOURCES = {"events": "events_big", "errors": "sentry_errors_big", "invoices": "stripe_billing_big"}
"""Raw table each staged table reads (file ``<name>.parquet``, ``<name>.csv`` or ``<name>.csv.gz``)."""

CORE_TABLES = ("summarization_jobs", "providers", "organizations", "sessions")
STAGED_TABLES = ("stg_events", "stg_errors", "stg_invoices")

EVENT_PROPERTIES = (
    "note_id",
    "feature",
    "quality_score",
    "hard_error",
    "client_release",
    "error_code",
    "org_name",
    "role",
)
"""The allowlisted event properties the core tables read, in the order ``stg_events`` extracts them."""

JOB_EVENTS = ("summarize_start", "summarize_success", "summarize_failed", "note_locked", "note_review")
REPORTING_CURRENCY = "USD"

_UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_NAIVE_TIMESTAMP = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$"
_OFFSET_TIMESTAMP = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$"
)
_BIGINT = "^[+-]?[0-9]{1,18}([.]0*)?$"
_DOUBLE = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"


@dataclass(frozen=True)
class ReferenceResult:
    """Seconds of each step (in order), their total with the connection, peak RSS and rows per table."""

    steps: Mapping[str, float]
    total_seconds: float
    peak_rss_mb: float | None
    rows: Mapping[str, int]

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for JSON."""
        return {key: dict(value) if isinstance(value, Mapping) else value for key, value in asdict(self).items()}


# ---------------------------------------------------------------- SQL expressions


def _lit(text: str) -> str:
    """A SQL text literal."""
    return "'" + text.replace("'", "''") + "'"


def _texts(values: Sequence[str]) -> str:
    return ", ".join(_lit(v) for v in values)


def _clean(expr: str, *, lower: bool = False) -> str:
    """Trimmed text (lowercased with ``lower``); '', 'null' and 'none' in any case are missing."""
    value = f"lower(trim({expr}))" if lower else f"trim({expr})"
    return f"case when lower(trim({expr})) in ('', 'null', 'none') then null else {value} end"


def _norm_id(expr: str) -> str:
    return _clean(expr, lower=True)


def _uuid(expr: str) -> str:
    """A normalized id when it is a UUID, else missing."""
    return f"case when regexp_full_match({expr}, {_lit(_UUID)}) then {expr} end"


def _utc(expr: str) -> str:
    """Timestamp text (already trimmed) as a UTC timestamp: naive text is UTC, an ISO offset is honoured."""
    return (
        f"case when regexp_full_match({expr}, {_lit(_NAIVE_TIMESTAMP)}) then try_cast({expr} as timestamp) "
        f"when regexp_full_match({expr}, {_lit(_OFFSET_TIMESTAMP)}) "
        f"then timezone('UTC', try_cast({expr} as timestamptz)) end"
    )


def _bigint(expr: str) -> str:
    return (
        f"case when regexp_full_match({expr}, {_lit(_BIGINT)}) then cast(cast({expr} as decimal(38, 6)) as bigint) end"
    )


def _double(expr: str) -> str:
    return f"case when regexp_full_match({expr}, {_lit(_DOUBLE)}) then cast({expr} as double) end"


def _boolean(expr: str) -> str:
    return (
        f"case when lower(trim({expr})) in ('true', 't', '1', 'yes', 'y') then true "
        f"when lower(trim({expr})) in ('false', 'f', '0', 'no', 'n') then false end"
    )


def _json_text(expr: str) -> str:
    """Blank JSON text is missing."""
    return f"case when trim({expr}) = '' then null else {expr} end"


def _canonical_event_name(expr: str, mapping: Mapping[str, Sequence[str]] = DEFAULT_EVENT_NAMES) -> str:
    """The canonical name of a trimmed, lowercased app event name; a canonical name mapped away is missing."""
    sent = {name.lower().strip() for names in mapping.values() for name in names}
    cases = [
        f"when {expr} in ({_texts([n.lower().strip() for n in names])}) then {_lit(canonical)}"
        for canonical, names in mapping.items()
    ]
    remapped = [canonical for canonical in mapping if canonical not in sent]
    if remapped:
        cases.append(f"when {expr} in ({_texts(remapped)}) then null")
    return f"case {' '.join(cases)} else {expr} end"


def _tag(tags: str, key: str) -> str:
    """A Sentry tag's value from parsed tags: an object, or a list of [key, value] pairs."""
    return (
        f"case json_type({tags}) "
        f"when 'OBJECT' then json_extract_string({tags}, {_lit(f'$.{json.dumps(key)}')}) "
        f"when 'ARRAY' then list_extract(json_extract_string({tags}, '$[*][1]'), "
        f"list_position(json_extract_string({tags}, '$[*][0]'), {_lit(key)})) end"
    )


def _one_copy(relation: str, key: str, order: str) -> str:
    """A query of one row of ``relation`` per ``key``: the first by ``order``. Only the keys with several
    rows are ranked (almost every key has one)."""
    repeated = f"(select {key} from {relation} group by {key} having count(*) > 1) as repeated"
    return (
        f"select * from {relation} anti join {repeated} using ({key}) "
        f"union all "
        f"(select * from {relation} semi join {repeated} using ({key}) "
        f"qualify row_number() over (partition by {key} order by {order}) = 1)"
    )


def _timestamp(value: datetime) -> str:
    return f"timestamp '{value.strftime('%Y-%m-%d %H:%M:%S')}'"


# ---------------------------------------------------------------- sources and steps


def source_scan(data_dir: Path, table: str) -> str:
    """A DuckDB table function reading the raw file of ``table`` in ``data_dir``, every column as text."""
    parquet = data_dir / f"{table}.parquet"
    if parquet.is_file():
        return f"read_parquet({_lit(str(parquet))})"
    for suffix in (".csv", ".csv.gz"):
        csv = data_dir / f"{table}{suffix}"
        if csv.is_file():
            # as the loader reads CSV: an empty field is missing, a quoted empty field is ''
            return (
                f"read_csv({_lit(str(csv))}, header = true, all_varchar = true, quote = '\"', "
                f"escape = '\"', allow_quoted_nulls = false)"
            )
    raise FileNotFoundError(f"{data_dir}: no {table}.parquet, {table}.csv or {table}.csv.gz")


def stage_events_sql(scan: str, as_of: datetime) -> str:
    """``stg_events``: visible events, first ingested copy of each id, with the properties read."""
    paths = "[" + ", ".join(_lit(f"$.{json.dumps(key)}") for key in EVENT_PROPERTIES) + "]"
    prop = {key: f"props[{i}]" for i, key in enumerate(EVENT_PROPERTIES, start=1)}
    return f"""
create or replace table stg_events as
with raw as (
    select
        {_norm_id("event_id")} as event_id,
        {_norm_id("org_id")} as org_text,
        {_norm_id("provider_id")} as provider_text,
        {_utc("trim(occurred_at)")} as occurred_at,
        lower(trim(event_name)) as app_event_name,
        {_norm_id("session_id")} as session_id,
        {_norm_id("request_id")} as request_id,
        {_clean("source", lower=True)} as source,
        {_clean("endpoint")} as endpoint,
        {_clean("device")} as device,
        {_clean("geo_country")} as geo_country,
        {_json_text("properties")} as properties,
        {_utc("trim(_ingest_ts)")} as ingested_at,
        hash(src) as row_key
    from {scan} as src
),

visible as materialized (
    select * from raw
    where event_id is not null and occurred_at is not null and occurred_at <= {_timestamp(as_of)}
),

first_copies as (
    {_one_copy("visible", "event_id", "ingested_at asc nulls last, row_key asc")}
),

read as (
    select
        *,
        case when json_valid(properties) then json_extract_string(properties, {paths}) end as props
    from first_copies
)

select
    event_id,
    {_uuid("org_text")} as org_id,
    {_uuid("provider_text")} as provider_id,
    occurred_at,
    {_canonical_event_name("app_event_name")} as event_name,
    session_id,
    request_id,
    source,
    endpoint,
    device,
    geo_country,
    {_norm_id(prop["note_id"])} as note_id,
    {_clean(prop["feature"], lower=True)} as feature,
    {_double(f"trim({prop['quality_score']})")} as quality_score,
    {_boolean(prop["hard_error"])} as hard_error,
    {_clean(prop["client_release"])} as client_release,
    {_clean(prop["error_code"])} as error_code,
    {_clean(prop["org_name"])} as org_name,
    {_clean(prop["role"], lower=True)} as role
from read
"""


def stage_errors_sql(scan: str, as_of: datetime) -> str:
    """``stg_errors``: visible Sentry errors, first ingested copy of each id, with their tags read."""
    return f"""
create or replace table stg_errors as
with raw as (
    select
        {_norm_id("event_id")} as error_id,
        {_norm_id("org_id")} as org_text,
        {_norm_id("group_id")} as group_id,
        {_clean("level", lower=True)} as level,
        {_clean("release")} as release,
        {_utc("trim(created_at)")} as created_at,
        {_json_text("tags")} as tags_text,
        {_utc("trim(_ingest_ts)")} as ingested_at,
        hash(src) as row_key
    from {scan} as src
),

visible as materialized (
    select * from raw
    where error_id is not null and created_at is not null and created_at <= {_timestamp(as_of)}
),

first_copies as (
    {_one_copy("visible", "error_id", "ingested_at asc nulls last, row_key asc")}
),

parsed as (
    select *, case when json_valid(tags_text) then json(tags_text) end as tags
    from first_copies
),

tagged as (
    select
        *,
        {_norm_id(_tag("tags", "request_id"))} as tag_request_id,
        {_norm_id(_tag("tags", "note_id"))} as tag_note_id,
        {_norm_id(_tag("tags", "org_id"))} as tag_org_id
    from parsed
)

select
    error_id,
    coalesce({_uuid("org_text")}, {_uuid("tag_org_id")}) as org_id,
    group_id,
    level,
    release,
    created_at,
    tag_request_id,
    tag_note_id
from tagged
"""


def stage_invoices_sql(scan: str, as_of: datetime) -> str:
    """``stg_invoices``: invoices whose period started by the as-of time, last ingested state of each id."""
    return f"""
create or replace table stg_invoices as
with raw as (
    select
        {_clean("invoice_id")} as invoice_id,
        {_norm_id("org_id")} as org_text,
        {_clean("customer_id")} as customer_id,
        {_clean("product")} as product,
        upper({_clean("currency")}) as currency,
        {_utc("trim(period_start)")} as period_start,
        {_utc("trim(period_end)")} as period_end,
        {_bigint("trim(quantity)")} as quantity,
        {_clean("status", lower=True)} as status,
        {_bigint("trim(mrr_cents)")} as mrr_cents,
        {_utc("trim(_ingest_ts)")} as ingested_at,
        hash(src) as row_key
    from {scan} as src
),

visible as materialized (
    select * from raw
    where invoice_id is not null and period_start is not null and period_start <= {_timestamp(as_of)}
),

last_states as (
    {_one_copy("visible", "invoice_id", "ingested_at desc nulls last, row_key desc")}
)

select
    invoice_id,
    {_uuid("org_text")} as org_id,
    customer_id,
    product,
    currency,
    period_start,
    period_end,
    quantity,
    status,
    mrr_cents,
    ingested_at
from last_states
"""


def jobs_sql(as_of: datetime, timeout_minutes: int) -> str:
    """``summarization_jobs``: jobs of a valid org whose outcome is known."""
    first = "(events.occurred_at, events.event_id)"
    return f"""
create or replace table summarization_jobs as
with starts as (
    -- a job is the first note_submit of its note (else request, else event)
    select
        coalesce(note_id, request_id, event_id) as job_id,
        org_id,
        provider_id,
        request_id,
        note_id,
        session_id,
        source,
        endpoint,
        coalesce(feature, 'note') as feature,
        occurred_at as created_at
    from stg_events
    where event_name = 'note_submit'
    qualify row_number() over (partition by coalesce(note_id, request_id, event_id) order by occurred_at, event_id) = 1
),

steps as (
    -- the job's events no earlier than its start, with the same note (else request)
    select
        starts.job_id,
        min(events.occurred_at) filter (where events.event_name = 'summarize_start') as summarize_started_at,
        arg_min(
            {{'completed_at': events.occurred_at, 'quality_score': events.quality_score,
              'hard_error': events.hard_error, 'client_release': events.client_release}},
            {first}
        ) filter (where events.event_name = 'summarize_success') as first_success,
        min(events.occurred_at) filter (where events.event_name = 'summarize_failed') as failed_event_at,
        arg_max(events.event_name, {first})
            filter (where events.event_name in ('note_locked', 'note_review')) as status_event
    from starts
    inner join stg_events as events
        on coalesce(events.note_id, events.request_id) = starts.job_id and starts.created_at <= events.occurred_at
    where events.event_name in ({_texts(JOB_EVENTS)})
    group by starts.job_id
),

serious_errors as (
    select * from stg_errors where level in ('error', 'fatal')
),

error_matches as (
    select starts.job_id, serious_errors.*
    from starts
    inner join serious_errors
        on starts.request_id = serious_errors.tag_request_id and starts.created_at <= serious_errors.created_at
    union all
    select starts.job_id, serious_errors.*
    from starts
    inner join serious_errors
        on starts.note_id = serious_errors.tag_note_id and starts.created_at <= serious_errors.created_at
),

first_errors as (
    select
        job_id,
        arg_min(
            {{'created_at': created_at, 'group_id': group_id, 'level': level, 'release': release}},
            (created_at, error_id)
        ) as first_error
    from error_matches
    group by job_id
),

outcomes as (
    select
        starts.*,
        steps.summarize_started_at,
        steps.first_success,
        steps.failed_event_at,
        steps.status_event,
        first_errors.first_error,
        starts.created_at + interval ({int(timeout_minutes)}) minute as timeout_at,
        case
            when steps.first_success is not null then 'success'
            when steps.failed_event_at is not null or first_errors.first_error is not null then 'error'
            when starts.created_at + interval ({int(timeout_minutes)}) minute <= {_timestamp(as_of)} then 'timeout'
            else 'pending'
        end as outcome
    from starts
    left join steps on starts.job_id = steps.job_id
    left join first_errors on starts.job_id = first_errors.job_id
)

select
    job_id,
    org_id,
    provider_id,
    request_id,
    note_id,
    session_id,
    case when outcome = 'success' then 'success' else 'error' end as status,
    feature,
    created_at,
    first_success.completed_at,
    case
        when outcome = 'timeout' then timeout_at
        when outcome = 'error' then least(first_error.created_at, failed_event_at)
    end as failed_at,
    epoch_ms(first_success.completed_at) - epoch_ms(created_at) as duration_ms,
    case
        when summarize_started_at <= first_success.completed_at
            then epoch_ms(first_success.completed_at) - epoch_ms(summarize_started_at)
    end as summarize_ms,
    case status_event when 'note_locked' then 'Locked' when 'note_review' then 'Review' end as patient_status,
    source,
    endpoint,
    coalesce(first_error.release, first_success.client_release) as client_release,
    first_error.group_id as error_group_id,
    case when outcome = 'timeout' then 'timeout' else first_error.level end as error_level,
    first_success.quality_score,
    first_success.hard_error
from outcomes
where org_id is not null and outcome <> 'pending'
"""


def providers_sql() -> str:
    """``providers``: one row per provider seen in an event."""
    first = "(occurred_at, event_id)"
    return f"""
create or replace table providers as
select
    provider_id,
    arg_min(org_id, {first}) filter (where org_id is not null) as org_id,
    arg_min(role, {first}) filter (where event_name = 'provider_created' and role is not null) as role,
    min(occurred_at) as first_seen_at,
    max(occurred_at) as last_seen_at,
    arg_max(device, {first}) filter (where device is not null) as last_device,
    arg_max(geo_country, {first}) filter (where geo_country is not null) as last_geo_country
from stg_events
where provider_id is not null
group by provider_id
"""


def organizations_sql(as_of: datetime) -> str:
    """``organizations``: one row per valid org of an event or invoice."""
    latest = "period_start desc nulls last, ingested_at desc nulls last, invoice_id desc nulls last"
    at = _timestamp(as_of)
    return f"""
create or replace table organizations as
with org_ids as (
    select org_id from stg_events where org_id is not null
    union
    select org_id from stg_invoices where org_id is not null
),

activity as (
    select org_id, min(occurred_at) as first_seen_at, max(occurred_at) as last_seen_at
    from stg_events
    where org_id is not null
    group by org_id
),

names as (
    select org_id, arg_min(org_name, (occurred_at, event_id)) as org_name
    from stg_events
    where event_name = 'org_created' and org_id is not null and org_name is not null
    group by org_id
),

latest_invoices as (
    -- the latest non-void invoice by period start: customer, plan and seats
    select org_id, customer_id, product, quantity
    from stg_invoices
    where org_id is not null and coalesce(status, '') <> 'void'
    qualify row_number() over (partition by org_id order by {latest}) = 1
),

current_mrr as (
    -- the latest paid or open invoice covering the as-of time; another currency has no rate
    select
        org_id,
        case when coalesce(currency, {_lit(REPORTING_CURRENCY)}) = {_lit(REPORTING_CURRENCY)}
            then coalesce(mrr_cents, 0) else 0 end as mrr_cents
    from stg_invoices
    where org_id is not null and status in ('paid', 'open') and period_start <= {at} and period_end > {at}
    qualify row_number() over (partition by org_id order by {latest}) = 1
)

select
    org_ids.org_id,
    coalesce(names.org_name, org_ids.org_id) as org_name,
    latest_invoices.customer_id as stripe_customer_id,
    latest_invoices.product as current_plan,
    latest_invoices.quantity as seats_purchased,
    coalesce(current_mrr.mrr_cents, 0) as mrr_cents,
    coalesce(current_mrr.mrr_cents, 0) > 0 as is_active,
    activity.first_seen_at,
    activity.last_seen_at
from org_ids
left join activity on org_ids.org_id = activity.org_id
left join names on org_ids.org_id = names.org_id
left join latest_invoices on org_ids.org_id = latest_invoices.org_id
left join current_mrr on org_ids.org_id = current_mrr.org_id
"""


def sessions_sql() -> str:
    """``sessions``: one row per org and session; a success or an error inside the span is found by an
    as-of join (the first one at or after the session's start, then compared with its end)."""
    return """
create or replace table sessions as
with spans as (
    select
        org_id,
        session_id,
        arg_max(provider_id, (occurred_at, event_id)) filter (where provider_id is not null) as provider_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events_count
    from stg_events
    where org_id is not null and session_id is not null
    group by org_id, session_id
),

keyed as (
    select *, coalesce(provider_id, '') as provider_key from spans
),

successes as (
    select org_id, coalesce(provider_id, '') as provider_key, completed_at
    from summarization_jobs
    where status = 'success'
),

serious_errors as (
    select org_id, created_at from stg_errors where org_id is not null and level in ('error', 'fatal')
),

next_success as (
    select keyed.*, successes.completed_at as success_at
    from keyed
    asof left join successes
        on keyed.org_id = successes.org_id
        and keyed.provider_key = successes.provider_key
        and keyed.started_at <= successes.completed_at
),

next_error as (
    select next_success.*, serious_errors.created_at as error_at
    from next_success
    asof left join serious_errors
        on next_success.org_id = serious_errors.org_id
        and next_success.started_at <= serious_errors.created_at
)

select
    org_id,
    session_id,
    provider_id,
    started_at,
    ended_at,
    cast(floor((epoch_ms(ended_at) - epoch_ms(started_at)) / 1000.0 + 0.5) as bigint) as duration_sec,
    events_count,
    events_count = 1 as is_bounce,
    coalesce(success_at <= ended_at, false) as has_success,
    coalesce(error_at <= ended_at, false) as has_error
from next_error
"""


def reference_steps(data_dir: Path, as_of: datetime, job_timeout_minutes: int = 60) -> list[tuple[str, str]]:
    """(table, statement) in build order; ``as_of`` is naive UTC."""
    return [
        ("stg_events", stage_events_sql(source_scan(data_dir, SOURCES["events"]), as_of)),
        ("stg_errors", stage_errors_sql(source_scan(data_dir, SOURCES["errors"]), as_of)),
        ("stg_invoices", stage_invoices_sql(source_scan(data_dir, SOURCES["invoices"]), as_of)),
        ("summarization_jobs", jobs_sql(as_of, job_timeout_minutes)),
        ("providers", providers_sql()),
        ("organizations", organizations_sql(as_of)),
        ("sessions", sessions_sql()),
    ]


# ---------------------------------------------------------------- running


def utc_as_of(as_of: datetime) -> datetime:
    """``as_of`` as naive UTC truncated to the second, as a build takes it (naive input is UTC)."""
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(UTC).replace(tzinfo=None)
    return as_of.replace(microsecond=0)


def peak_rss_mb() -> float | None:
    """This process's peak resident set so far, in MB (None where the OS does not say)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_reference(
    data_dir: Path,
    as_of: datetime,
    business_tz: str = "America/Los_Angeles",
    job_timeout_minutes: int = 60,
    database: Path | None = None,
) -> ReferenceResult:
    """Build the staged and core tables from the files in ``data_dir`` as of ``as_of`` into ``database``
    (a DuckDB file, its tables replaced; in memory when None) and time each step."""
    ZoneInfo(business_tz)  # an unknown zone fails here, as it would fail a build
    steps = reference_steps(Path(data_dir), utc_as_of(as_of), job_timeout_minutes)
    started = time.perf_counter()
    con = duckdb.connect(str(database) if database is not None else ":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set preserve_insertion_order = false")
        seconds: dict[str, float] = {}
        for table, statement in steps:
            step_started = time.perf_counter()
            con.execute(statement)
            seconds[table] = time.perf_counter() - step_started
        total = time.perf_counter() - started
        rows = {table: _count(con, table) for table, _ in steps}
    finally:
        con.close()
    return ReferenceResult(steps=seconds, total_seconds=total, peak_rss_mb=peak_rss_mb(), rows=rows)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    found = con.execute(f"select count(*) from {table}").fetchone()
    return int(found[0]) if found else 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m vitals.bench.reference",
        description="Compute the core tables with plain DuckDB SQL from a dataset's raw files; print seconds as JSON.",
    )
    parser.add_argument("data_dir", type=Path, help="directory of events_big, sentry_errors_big, stripe_billing_big")
    parser.add_argument("--as-of", required=True, type=datetime.fromisoformat, help="ISO time (naive = UTC)")
    parser.add_argument("--database", type=Path, default=None, help="DuckDB file to build into (default: memory)")
    parser.add_argument("--business-tz", default="America/Los_Angeles")
    parser.add_argument("--job-timeout-minutes", type=int, default=60)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the reference on a dataset directory and print its result as JSON."""
    args = _parse_args(argv)
    result = run_reference(
        args.data_dir,
        args.as_of,
        business_tz=args.business_tz,
        job_timeout_minutes=args.job_timeout_minutes,
        database=args.database,
    )
    print(json.dumps(result.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
