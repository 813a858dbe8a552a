"""``generate()``: size the population, simulate it chunk by chunk and stream the raw tables to disk."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vitals.contracts import (
    CRM_ACTIVITIES,
    CRM_DEALS,
    CRM_QUOTAS,
    EVENTS,
    MARKETING_LEADS,
    MARKETING_SPEND,
    NPS_RESPONSES,
    RETENTION_CAMPAIGNS,
    SENTRY_ERRORS,
    STRIPE_BILLING,
    SUPPORT_TICKETS,
)
from vitals.generate import mess
from vitals.generate.activity import Chunk, expected_activity, simulate
from vitals.generate.billing import render_invoices
from vitals.generate.campaigns import render_campaigns
from vitals.generate.clock import utc_datetime
from vitals.generate.crm import plan_sales, render_activities, render_deals, render_quotas
from vitals.generate.errors import build_groups, render_job_errors, render_web_noise, render_worker_noise
from vitals.generate.events import chunk_ids, render_events
from vitals.generate.live_incident import render_live_incident
from vitals.generate.marketing import render_leads, render_spend
from vitals.generate.nps import render_nps
from vitals.generate.orgs import Population, build_population
from vitals.generate.support import render_tickets
from vitals.generate.window import Window
from vitals.generate.writers import FORMATS, BackgroundWriters, Format, open_writer

CHUNK_EVENTS = 100_000
"""Expected event rows simulated and written at a time (bounds memory)."""
TARGET_TOLERANCE = 0.03
"""How close the expected event count must get to ``events=`` while sizing (the result lands within ±15%)."""


@dataclass(frozen=True)
class GenerateResult:
    """What :func:`generate` wrote."""

    events_path: Path
    stripe_billing_path: Path
    sentry_errors_path: Path
    rows: dict[str, int]
    """Rows written per raw table name (``events_big``, ``stripe_billing_big``, ``sentry_errors_big`` and the
    optional domain tables: ``nps_responses``, ``crm_deals``, ``crm_activities``, ``crm_quotas``,
    ``marketing_spend``, ``marketing_leads``, ``support_tickets``, ``retention_campaigns``)."""
    elapsed_seconds: float
    window_start: datetime
    """First instant of the window (UTC): midnight business time of the first day."""
    window_end: datetime
    """Exclusive end of the window (UTC): midnight business time after ``end``."""
    incident_start: datetime
    """Start of the quality incident (UTC)."""
    incident_end: datetime
    """End of the quality incident (UTC)."""
    orgs: int
    """Number of orgs generated (more than asked when ``events=`` needed them)."""
    providers: int
    """Number of providers generated."""
    paths: dict[str, Path] = field(default_factory=dict)
    """Path per raw table name."""


def _local_us(moment: datetime | None, timezone: str) -> int | None:
    """Wall-clock microseconds of ``moment`` in ``timezone`` (None stays None)."""
    if moment is None:
        return None
    local = moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return (local - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def _expected_total(pop: Population, window: Window) -> float:
    """Expected event rows: creation events, activity and duplicates."""
    activity = float(expected_activity(pop, window).sum())
    return (pop.orgs.n + pop.providers.n + activity) * (1 + mess.DUPLICATE_RATE)


def size_population(seed: int, window: Window, orgs: int, events: int | None) -> Population:
    """The population for ``orgs`` orgs, or scaled so its expected event count is about ``events``.

    Above the natural volume both the number of orgs (by the square root of the factor) and the
    providers per org grow; below it the providers per org and then their activity shrink.
    """
    pop = build_population(seed, window, orgs)
    if events is None:
        return pop
    factor = events / _expected_total(pop, window)
    n_orgs = max(orgs, round(orgs * math.sqrt(factor))) if factor > 1 else orgs
    seat_scale = factor * orgs / n_orgs if factor > 1 else max(factor, 0.25)
    activity = 1.0 if factor > 1 else min(1.0, factor / seat_scale)
    for _ in range(12):
        pop = build_population(seed, window, n_orgs, seat_scale=seat_scale, activity_scale=activity)
        ratio = events / _expected_total(pop, window)
        if abs(ratio - 1) <= TARGET_TOLERANCE:
            break
        if factor > 1 or seat_scale * ratio >= 0.25:
            seat_scale *= ratio
        else:
            activity *= ratio
    return pop


def plan_chunks(pop: Population, window: Window) -> list[Chunk]:
    """Runs of consecutive providers with at most CHUNK_EVENTS expected events each.

    An org's creation event goes with the chunk holding its first provider.
    """
    expected = expected_activity(pop, window) + 1
    bounds = [0]
    total = 0.0
    for prov, value in enumerate(expected.tolist()):
        if total > 0 and total + value > CHUNK_EVENTS:
            bounds.append(prov)
            total = 0.0
        total += value
    bounds.append(pop.providers.n)
    first = pop.orgs.first_provider
    return [
        Chunk(
            orgs=np.flatnonzero((first >= lo) & (first < hi)),
            providers=np.arange(lo, hi),
        )
        for lo, hi in pairwise(bounds)
        if hi > lo
    ]


def _tables(pop: Population, window: Window, seed: int) -> Iterator[tuple[pa.Table | None, pa.Table]]:
    """(events, sentry errors) per chunk, then the org-less worker noise."""
    groups = build_groups(seed, window)
    for number, chunk in enumerate(plan_chunks(pop, window)):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 1, number]))
        activity = simulate(pop, window, chunk, rng)
        ids = chunk_ids(rng, activity)
        events = render_events(pop, window, activity, ids, rng)
        errors = pa.concat_tables(
            [
                render_job_errors(pop, window, activity, ids, groups, rng),
                render_web_noise(pop, window, activity, groups, rng),
            ]
        )
        yield events, errors
    yield None, render_worker_noise(window, groups, pop.orgs.n, seed)


DOMAIN_SOURCES = (
    CRM_DEALS,
    CRM_ACTIVITIES,
    CRM_QUOTAS,
    MARKETING_SPEND,
    MARKETING_LEADS,
    SUPPORT_TICKETS,
    RETENTION_CAMPAIGNS,
)
"""The optional domain tables :func:`domain_tables` renders (besides ``nps_responses``)."""


def domain_tables(pop: Population, window: Window, seed: int) -> dict[str, pa.Table]:
    """The CRM, marketing, help-desk and campaign tables of the population, each from its own random streams
    (so the other sources do not move)."""
    sales = plan_sales(pop, window, seed)
    return {
        CRM_DEALS.name: render_deals(sales, window, seed),
        CRM_ACTIVITIES.name: render_activities(sales, window, seed),
        CRM_QUOTAS.name: render_quotas(sales, window, seed),
        MARKETING_SPEND.name: render_spend(sales, window, seed),
        MARKETING_LEADS.name: render_leads(sales, window, seed),
        SUPPORT_TICKETS.name: render_tickets(pop, window, seed),
        RETENTION_CAMPAIGNS.name: render_campaigns(pop, window, seed),
    }


def _progress(enabled: bool) -> Progress:
    """A rich progress bar (disabled when not wanted)."""
    return Progress(
        TextColumn("[bold]generating[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not enabled,
        transient=False,
    )


def generate(
    out_dir: Path,
    *,
    orgs: int = 50,
    days: int = 90,
    seed: int = 42,
    fmt: Format = "csv",
    end: date | None = None,
    events: int | None = None,
    timezone: str = "America/Los_Angeles",
    progress: bool = True,
    incident_at: datetime | None = None,
) -> GenerateResult:
    """Write ``events_big``, ``stripe_billing_big``, ``sentry_errors_big`` and the optional domain tables
    (``nps_responses``, CRM, marketing, support tickets, retention campaigns) as files into ``out_dir``.

    The window is ``days`` business-local days ending with ``end`` (default: today's UTC date):
    from midnight of its first day to midnight after ``end`` in ``timezone``. Creation events and
    invoices of orgs that signed up earlier reach back before it. ``events`` sizes the data to about
    that many event rows. The same arguments always give byte-identical files.

    The quality incident is on one of the window's last days; with ``incident_at`` (the demo passes its
    as-of time) it is live instead: from 3 hours before that time to an hour after, with a burst of jobs
    (vitals.generate.live_incident) so that an hourly rule has the volume to judge it at any hour.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if orgs < 1 or days < 1:
        raise ValueError(f"orgs and days must be at least 1 (got orgs={orgs}, days={days})")
    if events is not None and events < 1:
        raise ValueError(f"events must be positive (got {events})")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = Window.build(end or datetime.now(UTC).date(), days, timezone, _local_us(incident_at, timezone))
    pop = size_population(seed, window, orgs, events)
    tables = (EVENTS, STRIPE_BILLING, SENTRY_ERRORS, NPS_RESPONSES, *DOMAIN_SOURCES)
    paths = {table.name: out_dir / f"{table.name}.{fmt}" for table in tables}
    rows = dict.fromkeys(paths, 0)
    writers = BackgroundWriters(
        {table.name: open_writer(paths[table.name], fmt, table.column_names) for table in tables}
    )
    try:
        with _progress(progress) as bar:
            task = bar.add_task("events", total=round(_expected_total(pop, window)))
            for events_table, errors_table in _tables(pop, window, seed):
                if events_table is not None:
                    writers.write(EVENTS.name, events_table)
                    rows[EVENTS.name] += events_table.num_rows
                    bar.update(task, advance=events_table.num_rows)
                writers.write(SENTRY_ERRORS.name, errors_table)
                rows[SENTRY_ERRORS.name] += errors_table.num_rows
            burst = render_live_incident(pop, window, seed)
            if burst is not None:
                writers.write(EVENTS.name, burst)
                rows[EVENTS.name] += burst.num_rows
            bar.update(task, total=rows[EVENTS.name], completed=rows[EVENTS.name])
            invoices = render_invoices(pop, window, seed)
            writers.write(STRIPE_BILLING.name, invoices)
            rows[STRIPE_BILLING.name] = invoices.num_rows
            responses = render_nps(pop, window, seed)  # its own random stream: the tables above do not move
            writers.write(NPS_RESPONSES.name, responses)
            rows[NPS_RESPONSES.name] = responses.num_rows
            for name, table in domain_tables(pop, window, seed).items():
                writers.write(name, table)
                rows[name] = table.num_rows
    finally:
        writers.close()
    incident = window.incident_local()
    return GenerateResult(
        events_path=paths[EVENTS.name],
        stripe_billing_path=paths[STRIPE_BILLING.name],
        sentry_errors_path=paths[SENTRY_ERRORS.name],
        rows=rows,
        elapsed_seconds=time.perf_counter() - started,
        window_start=utc_datetime(window.start_utc),
        window_end=utc_datetime(window.end_utc),
        incident_start=utc_datetime(window.clock.local_to_utc(incident[0])),
        incident_end=utc_datetime(window.clock.local_to_utc(incident[1])),
        orgs=pop.orgs.n,
        providers=pop.providers.n,
        paths=paths,
    )
