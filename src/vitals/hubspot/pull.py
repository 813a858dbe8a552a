"""Pull HubSpot deals, activities, contacts and tickets into the domain contracts, incrementally.

Each object type is searched (``search_api.do_search``) for the objects whose last-modified property is
at or after its saved cursor minus ``hubspot.overlap_minutes``, oldest change first, page after page
(``paging.next.after``; past HubSpot's 10,000-result search window the search starts again from the
last change seen). Each page becomes contract rows (reading what the page needs: deals again with their
history, associated companies and deals) and lands in its own warehouse transaction together with the
advanced cursor (``raw._cursors``, one per object type) and a row of ``raw._loads``. A crash keeps what
was committed; objects read again land nothing new (row hash).

Deals deleted in HubSpot are listed from ``archived=true`` and land a final version with stage
``deleted``; a deal merged into another lands a final version with stage ``merged`` pointing at the
survivor (``lost_reason`` ``merged_into:<id>``): see ``rows``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import psycopg

from vitals.config import Settings
from vitals.contracts import (
    CRM_ACTIVITIES,
    CRM_DEALS,
    LOADED_AT_COLUMN,
    MARKETING_LEADS,
    RAW_SCHEMA,
    SUPPORT_TICKETS,
    RawTable,
)
from vitals.hubspot import rows as r
from vitals.hubspot.api import (
    CALLS,
    COMPANIES,
    CONTACTS,
    DEALS,
    EMAILS,
    MEETINGS,
    NOTES,
    SEARCH_WINDOW,
    TICKETS,
    HubSpotApi,
    HubSpotError,
    Json,
    ObjectType,
    paged,
)
from vitals.hubspot.settings import TOKEN_ENV, HubSpotSettings, hubspot_settings
from vitals.ingest.errors import LoadError
from vitals.ingest.landing import (
    LoadRecord,
    new_load_id,
    next_loaded_at,
    not_before,
    record_load,
    save_cursor,
    saved_cursor,
    transaction,
    utc_now_text,
)
from vitals.ingest.progress import LoadProgress
from vitals.ingest.reader import open_reader
from vitals.ingest.records import land_records
from vitals.ingest.report import LoadReport, TableLoad
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

HISTORY_BATCH = 50
"""Deals read with their property history per request (HubSpot serves fewer objects with history)."""
ARCHIVED_CURSOR = "archivedAt"
"""Cursor column of the archived-deals list."""


@dataclass
class _Context:
    """What every page of one pull shares: the API, the settings, the warehouse and the lookups made."""

    api: HubSpotApi
    config: HubSpotSettings
    warehouse: Warehouse
    companies: dict[str, r.Company] = field(default_factory=dict)
    stages: dict[str, r.Stage] | None = None

    def deal_stages(self) -> dict[str, r.Stage]:
        """The deal pipelines' stages, read once per pull."""
        if self.stages is None:
            self.stages = r.stages_of(self.api.pipelines(DEALS))
        return self.stages

    def companies_of(self, kind: ObjectType, ids: Sequence[str]) -> dict[str, r.Company]:
        """Each object's associated (primary) company."""
        links = self.api.associations(kind, COMPANIES, ids)
        self.read_companies(links.values())
        return {object_id: self.companies[company] for object_id, company in links.items()}

    def read_companies(self, ids: Iterable[str]) -> None:
        """Read the companies not read yet in this pull."""
        missing = sorted({i for i in ids if i and i not in self.companies})
        wanted = [*r.COMPANY_PROPERTIES, self.config.company_org_property]
        for chunk in _chunks(missing, self.config.page_size):
            for company in self.api.read(COMPANIES, chunk, wanted):
                self.companies[str(company.get("id"))] = r.company_of(company, self.config.company_org_property)
        for company_id in missing:
            self.companies.setdefault(company_id, r.NO_COMPANY)


@dataclass(frozen=True)
class Stream:
    """One object type searched into one contract."""

    kind: ObjectType
    table: RawTable
    properties: tuple[str, ...]
    rows: Callable[[_Context, list[Json]], list[r.Row]]


def _deal_rows(ctx: _Context, found: list[Json]) -> list[r.Row]:
    ids = [str(d.get("id")) for d in found]
    deals = [
        d
        for chunk in _chunks(ids, HISTORY_BATCH)
        for d in ctx.api.read(DEALS, chunk, r.DEAL_PROPERTIES, r.DEAL_HISTORY)
    ]
    companies = ctx.companies_of(DEALS, [str(d.get("id")) for d in deals])
    stages = ctx.deal_stages()
    rows: list[r.Row] = []
    merged: dict[str, tuple[str, str]] = {}
    for deal in deals:
        deal_id = str(deal.get("id"))
        rows += r.deal_rows(deal, companies.get(deal_id, r.NO_COMPANY), stages)
        merged.update({m: (deal_id, moment) for m, moment in r.merge_times(deal).items()})
    last = latest_deal_versions(ctx.warehouse, list(merged))
    for merged_id, (survivor, moment) in merged.items():
        pointer = f"{r.MERGED_INTO}{survivor}"
        previous = last.get(merged_id)
        if previous and previous.get("stage") == r.MERGED_STAGE and previous.get("lost_reason") == pointer:
            continue  # already landed (the survivor changed since)
        rows.append(r.final_deal_row(merged_id, previous, r.MERGED_STAGE, moment, pointer))
    return rows


def _activity_rows(kind: ObjectType) -> Callable[[_Context, list[Json]], list[r.Row]]:
    def rows(ctx: _Context, found: list[Json]) -> list[r.Row]:
        ids = [str(a.get("id")) for a in found]
        deals = ctx.api.associations(kind, DEALS, ids)
        companies = ctx.companies_of(kind, ids)
        return [
            r.activity_row(a, kind.name, deals.get(i, ""), companies.get(i, r.NO_COMPANY))
            for a, i in zip(found, ids, strict=True)
        ]

    return rows


def _lead_rows(ctx: _Context, found: list[Json]) -> list[r.Row]:
    leads = [c for c in found if r.is_lead(c)]
    ids = [str(c.get("id")) for c in leads]
    deals = ctx.api.associations(CONTACTS, DEALS, ids)
    company_ids = {
        i: r.text(r.properties(c).get("associatedcompanyid")).strip() for c, i in zip(leads, ids, strict=True)
    }
    ctx.read_companies(company_ids.values())
    campaign = ctx.config.contact_campaign_property
    return [
        r.lead_row(c, deals.get(i, ""), ctx.companies.get(company_ids[i], r.NO_COMPANY), campaign)
        for c, i in zip(leads, ids, strict=True)
    ]


def _ticket_rows(ctx: _Context, found: list[Json]) -> list[r.Row]:
    ids = [str(t.get("id")) for t in found]
    companies = ctx.companies_of(TICKETS, ids)
    config = ctx.config
    return [
        r.ticket_row(
            t,
            companies.get(i, r.NO_COMPANY),
            config.ticket_statuses,
            config.ticket_csat_property,
            config.ticket_escalated_property,
        )
        for t, i in zip(found, ids, strict=True)
    ]


def _ticket_properties(config: HubSpotSettings) -> tuple[str, ...]:
    extra = (config.ticket_csat_property, config.ticket_escalated_property)
    return tuple(dict.fromkeys([*r.TICKET_PROPERTIES, *(p for p in extra if p)]))


def streams(config: HubSpotSettings) -> list[Stream]:
    """What a pull searches, in order (deals first: merges land before the deleted deals are listed)."""
    return [
        Stream(DEALS, CRM_DEALS, ("hs_lastmodifieddate",), _deal_rows),
        *(
            Stream(kind, CRM_ACTIVITIES, r.ACTIVITY_PROPERTIES, _activity_rows(kind))
            for kind in (CALLS, EMAILS, MEETINGS, NOTES)
        ),
        Stream(CONTACTS, MARKETING_LEADS, (*r.CONTACT_PROPERTIES, config.contact_campaign_property), _lead_rows),
        Stream(TICKETS, SUPPORT_TICKETS, _ticket_properties(config), _ticket_rows),
    ]


def pull(settings: Settings, token: str, *, api_base: str | None = None, progress: bool = True) -> LoadReport:
    """Pull what changed in HubSpot since the saved cursors into the domain contracts."""
    if not token.strip():
        raise HubSpotError(f"no HubSpot token: set {TOKEN_ENV} to a private app's access token")
    config = hubspot_settings(settings)
    base = (api_base or config.api_base).rstrip("/")
    api = HubSpotApi(token.strip(), base, config.api_timeout_seconds)
    report = LoadReport(load_id=new_load_id())
    reader = open_reader(settings)
    try:
        with open_warehouse(settings) as warehouse, LoadProgress(progress) as bar:
            warehouse.ensure_raw_tables()
            landing = _Landing(warehouse, reader, settings, report.load_id, next_loaded_at(warehouse), bar)
            ctx = _Context(api, config, warehouse)
            for stream in streams(config):
                _pull_stream(ctx, stream, f"{base}/crm/v3/objects/{stream.kind.name}", landing, report)
                if stream.kind is DEALS:
                    _pull_deleted_deals(ctx, f"{base}/crm/v3/objects/deals?archived=true", landing, report)
    except (duckdb.Error, psycopg.Error) as exc:
        raise LoadError(f"landing HubSpot data failed: {exc}") from exc
    finally:
        reader.close()
    return report


@dataclass(frozen=True)
class _Landing:
    """Lands one page of rows with its cursor, in one transaction."""

    warehouse: Warehouse
    reader: duckdb.DuckDBPyConnection
    settings: Settings
    load_id: str
    loaded_at: str
    bar: LoadProgress

    def page(self, entry: TableLoad, table: RawTable, rows: list[r.Row], cursor: tuple[str, str] | None) -> None:
        """Land ``rows`` and save ``cursor`` (column, value) together; count them in ``entry``."""
        started_at = utc_now_text()
        with transaction(self.warehouse):
            inserted = land_records(
                self.warehouse,
                self.reader,
                table,
                rows,
                source=entry.source,
                loaded_at=self.loaded_at,
                allowlist=self.settings.property_allowlist,
            )
            if cursor is not None:
                save_cursor(self.warehouse, entry.source, *cursor)
            record_load(
                self.warehouse,
                LoadRecord(
                    self.load_id,
                    entry.source,
                    table.name,
                    len(rows),
                    inserted,
                    started_at,
                    not_before(self.loaded_at),
                ),
            )
        entry.rows_read += len(rows)
        entry.rows_inserted += inserted


def _pull_stream(ctx: _Context, stream: Stream, source: str, landing: _Landing, report: LoadReport) -> None:
    kind, config = stream.kind, ctx.config
    entry = TableLoad(table=stream.table.name, source=source)
    report.tables.append(entry)
    started = time.perf_counter()
    previous = saved_cursor(ctx.warehouse, source, kind.modified_property)
    since = None if previous is None else _epoch_ms(previous) - config.overlap_minutes * 60_000
    counter = landing.bar.rows(f"hubspot {kind.name}", None)
    latest, pages = previous, 0
    for found in _search_pages(ctx.api, kind, stream.properties, since, config.page_size):
        page_latest = max((r.modified_at(o, kind.modified_property) or "" for o in found), default="")
        advanced = bool(page_latest) and (latest is None or page_latest > latest)
        latest = page_latest if advanced else latest
        cursor = (kind.modified_property, page_latest) if advanced else None
        landing.page(entry, stream.table, stream.rows(ctx, found), cursor)
        pages += 1
        counter(len(found))
    if pages == 0:
        landing.page(entry, stream.table, [], None)
    counter.complete()
    entry.seconds = time.perf_counter() - started
    shown = previous or "(none)"
    entry.notes.append(f"{kind.name} cursor {kind.modified_property}: {shown} -> {latest or shown}")


def _search_pages(
    api: HubSpotApi, kind: ObjectType, properties: Sequence[str], since_ms: int | None, limit: int
) -> Iterator[list[Json]]:
    """The search's pages; past the 10,000-result window, a new search from the last change seen."""
    bound, after = since_ms, None
    while True:
        page = api.search(kind, properties, bound, after, limit)
        found = [o for o in page.get("results") or [] if isinstance(o, dict)]
        if found:
            yield found
        following = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not following or str(following) == after:
            return
        after = str(following)
        if after.isdigit() and int(after) + limit > SEARCH_WINDOW:
            last = max((r.modified_at(o, kind.modified_property) or "" for o in found), default="")
            restart = _epoch_ms(last) if last else None
            if restart is None or (bound is not None and restart <= bound):
                raise HubSpotError(
                    f"more than {SEARCH_WINDOW:,} {kind.name} were modified within one millisecond; "
                    "HubSpot's search cannot page past them"
                )
            bound, after = restart, None


def _pull_deleted_deals(ctx: _Context, source: str, landing: _Landing, report: LoadReport) -> None:
    """Archived deals deleted since the cursor: a final version with stage ``deleted`` (merged ones keep
    their ``merged`` version)."""
    entry = TableLoad(table=CRM_DEALS.name, source=source)
    report.tables.append(entry)
    started = time.perf_counter()
    previous = saved_cursor(ctx.warehouse, source, ARCHIVED_CURSOR)
    latest, pages = previous, 0
    page_size = ctx.config.page_size
    for found in paged(lambda after: ctx.api.archived(DEALS, r.DEAL_PROPERTIES, after, page_size)):
        gone = {str(d.get("id")): d for d in found if (r.timestamp(d.get("archivedAt")) or "") >= (previous or "")}
        last = latest_deal_versions(ctx.warehouse, list(gone))
        rows = []
        for deal_id, deal in gone.items():
            before = last.get(deal_id)
            if before is not None and before.get("stage") == r.MERGED_STAGE:
                continue
            moment = r.timestamp(deal.get("archivedAt")) or r.modified_at(deal) or ""
            base = before or r.deleted_deal_base(deal, r.NO_COMPANY)
            rows.append(r.final_deal_row(deal_id, base, r.DELETED_STAGE, moment))
        page_latest = max((r.timestamp(d.get("archivedAt")) or "" for d in gone.values()), default="")
        advanced = bool(page_latest) and (latest is None or page_latest > latest)
        latest = page_latest if advanced else latest
        landing.page(entry, CRM_DEALS, rows, (ARCHIVED_CURSOR, page_latest) if advanced else None)
        pages += 1
    if pages == 0:
        landing.page(entry, CRM_DEALS, [], None)
    entry.seconds = time.perf_counter() - started
    shown = previous or "(none)"
    entry.notes.append(f"deleted deals cursor {ARCHIVED_CURSOR}: {shown} -> {latest or shown}")


def latest_deal_versions(warehouse: Warehouse, deal_ids: Sequence[str]) -> dict[str, r.Row]:
    """The newest version landed from HubSpot of each deal (by ``updated_at``, then ``_ingest_ts``, then
    landing)."""
    if not deal_ids:
        return {}
    names = CRM_DEALS.column_names
    columns = ", ".join(names)
    marks = ", ".join("?" for _ in deal_ids)
    found = warehouse.query(
        f"select {columns} from (select {columns}, row_number() over (partition by deal_id "
        f"order by updated_at desc, _ingest_ts desc, {LOADED_AT_COLUMN} desc) as version "
        f"from {RAW_SCHEMA}.{CRM_DEALS.name} where _ingest_source = ? and deal_id in ({marks})) as v "
        "where version = 1",
        [r.INGEST_SOURCE, *deal_ids],
    )
    return {str(row[0]): dict(zip(names, row, strict=True)) for row in found}


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _epoch_ms(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
