"""The `vitals` command line: thin commands over the library."""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape

from vitals.cli_output import CsvRawOption, Format, FormatOption, print_rows
from vitals.config import Settings, load_settings
from vitals.errors import VitalsError

app = typer.Typer(
    name="vitals",
    help="Customer metrics from product events, Stripe billing and Sentry errors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(help="Pull data incrementally from a live source.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
metrics_app = typer.Typer(help="The metric catalog and each metric's daily values.", no_args_is_help=True)
app.add_typer(metrics_app, name="metrics")

console = Console()
err_console = Console(stderr=True)


@contextmanager
def _friendly_errors() -> Iterator[None]:
    """Print a known failure as one clear message and exit 1, never a stack trace."""
    try:
        yield
    except VitalsError as exc:  # every error vitals reports derives from it
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from None


def _settings(**overrides: Any) -> Settings:
    with _friendly_errors():
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})


def _parse_as_of(value: str | None) -> datetime | None:
    """An as-of time from the command line: ISO date or timestamp; no offset means UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO date or timestamp (e.g. 2026-11-01T08:00)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@app.command()
def init(
    path: Annotated[Path, typer.Option(help="Where to write the configuration.")] = Path("vitals.toml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented vitals.toml with every setting at its default."""
    from vitals.config_template import render_config

    if path.exists() and not force:
        err_console.print(f"[bold red]error:[/] {path} exists; use --force to overwrite it")
        raise typer.Exit(1)
    path.write_text(render_config())
    console.print(f"wrote {path}; edit it, then run `vitals doctor`")


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Directory to write the raw files into.")],
    orgs: Annotated[int, typer.Option(min=1, help="Number of organizations.")] = 50,
    days: Annotated[int, typer.Option(min=1, help="Days of history.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 42,
    format: Annotated[Literal["csv", "parquet", "jsonl"], typer.Option(help="File format.")] = "csv",
    end: Annotated[str | None, typer.Option(help="Last day of data (YYYY-MM-DD); default today.")] = None,
    events: Annotated[int | None, typer.Option(min=1, help="Approximate number of event rows wanted.")] = None,
    incident_at: Annotated[
        datetime | None,
        typer.Option(
            help="Make the quality incident live at this time (UTC unless it has an offset): from 3 hours before "
            "it to an hour after, with enough jobs for the hourly rule to judge. Default: on one of the last days."
        ),
    ] = None,
) -> None:
    """Generate realistic raw data in the source contracts: events, invoices, errors and NPS answers, and the
    CRM (deals, activities, quotas), marketing (leads, spend), support tickets and retention campaigns."""
    from vitals.generate import generate as run_generate

    settings = _settings()
    end_day = date.fromisoformat(end) if end else None
    live = None if incident_at is None else incident_at.replace(tzinfo=incident_at.tzinfo or UTC)
    result = run_generate(
        out,
        orgs=orgs,
        days=days,
        seed=seed,
        fmt=format,
        end=end_day,
        events=events,
        timezone=settings.timezone,
        incident_at=live,
    )
    for table, rows in result.rows.items():
        console.print(f"{table:<20} {rows:>12,} rows")
    console.print(f"wrote {out} in {result.elapsed_seconds:.1f} s")


@app.command()
def load(
    directory: Annotated[Path, typer.Argument(help="Directory with events_big.*, stripe_billing_big.*, ...")],
) -> None:
    """Load raw files (csv, parquet, jsonl) into the warehouse; loading the same data twice changes nothing."""
    from vitals.ingest.files import load_directory

    settings = _settings()
    server = _owning_server(settings)
    if server is not None:
        with _friendly_errors():
            reply = server.load(directory)
        console.print(f"loaded by the server at {server.url}")
        console.print(reply.get("report", ""))
        return
    with _friendly_errors():
        report = load_directory(settings, directory, progress=sys.stderr.isatty())
    console.print(report.render())


@ingest_app.command("postgres")
def ingest_postgres_cmd(
    dsn: Annotated[str, typer.Option(help="The app database, e.g. postgresql://user@host:5432/app.")],
    table: Annotated[str, typer.Option(help="Source table holding the columns of the --into contract.")] = "events_big",
    cursor_column: Annotated[str, typer.Option(help="Column the incremental cursor follows.")] = "_ingest_ts",
    into: Annotated[
        str,
        typer.Option(help="Raw table (contract) to land into, e.g. events_big, nps_responses or support_tickets."),
    ] = "events_big",
) -> None:
    """Pull new rows (events by default) from the app's Postgres since the saved cursor (with an overlap window)."""
    from vitals.ingest.postgres import ingest_postgres

    settings = _settings()
    with _friendly_errors():
        report = ingest_postgres(
            settings, dsn, table=table, cursor_column=cursor_column, into=into, progress=sys.stderr.isatty()
        )
    console.print(report.render())


@ingest_app.command("stripe")
def ingest_stripe_cmd(
    api_key: Annotated[
        str, typer.Option(envvar="STRIPE_API_KEY", help="A Stripe secret or restricted key (env STRIPE_API_KEY).")
    ],
    since: Annotated[
        str | None, typer.Option(help="Only objects created on or after this day or time (ISO 8601).")
    ] = None,
    api_base: Annotated[str | None, typer.Option(help="Stripe API address (default: Stripe's own).")] = None,
) -> None:
    """Backfill customers, subscriptions, invoices (all lines), prices, credit notes and refunds from the
    Stripe API, then flatten them into stripe_billing_big. Safe to re-run: stored objects are deduped."""
    from vitals.stripe.backfill import backfill

    settings = _settings()
    with _friendly_errors():
        report = backfill(settings, api_key, since=_parse_as_of(since), api_base=api_base, progress=sys.stderr.isatty())
    console.print(report.render())


@ingest_app.command("sentry")
def ingest_sentry_cmd(
    token: Annotated[
        str,
        typer.Option(envvar="SENTRY_AUTH_TOKEN", help="A Sentry auth token with project:read (env SENTRY_AUTH_TOKEN)."),
    ],
    org: Annotated[str, typer.Option(help="The Sentry organization slug (or id).")],
    project: Annotated[str, typer.Option(help="The Sentry project slug (or id).")],
    since: Annotated[
        str | None, typer.Option(help="Only events created on or after this day or time (ISO 8601).")
    ] = None,
    api_base: Annotated[
        str | None, typer.Option(help="Sentry API address (default: sentry.api_base, https://sentry.io).")
    ] = None,
) -> None:
    """Backfill a project's error events from the Sentry REST API (every page of the Link-header cursor),
    then flatten them into sentry_errors_big. Safe to re-run: stored events are deduped."""
    from vitals.sentry.backfill import backfill

    settings = _settings()
    with _friendly_errors():
        report = backfill(
            settings,
            token,
            org,
            project,
            since=_parse_as_of(since),
            api_base=api_base,
            progress=sys.stderr.isatty(),
        )
    console.print(report.render())


@ingest_app.command("hubspot")
def ingest_hubspot_cmd(
    token: Annotated[
        str,
        typer.Option(
            envvar="VITALS_HUBSPOT_TOKEN",
            help="A HubSpot private app's access token (env VITALS_HUBSPOT_TOKEN).",
        ),
    ],
    api_base: Annotated[
        str | None, typer.Option(help="HubSpot API address (default: hubspot.api_base, https://api.hubapi.com).")
    ] = None,
) -> None:
    """Pull deals (with their stage history), calls, emails, meetings, notes, contacts' lifecycle dates and
    tickets changed since the last pull from HubSpot into crm_deals, crm_activities, marketing_leads and
    support_tickets. Safe to re-run: a cursor per object type, rows already landed are skipped."""
    from vitals.hubspot.pull import pull

    settings = _settings()
    with _friendly_errors():
        report = pull(settings, token, api_base=api_base, progress=sys.stderr.isatty())
    console.print(report.render())


@app.command("serve-webhooks")
def serve_webhooks(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8001,
) -> None:
    """Receive Stripe webhooks at POST /webhooks/stripe: verify, store durably, then acknowledge."""
    import uvicorn

    from vitals.stripe import create_app
    from vitals.stripe.settings import stripe_settings

    settings = _settings()
    if not stripe_settings(settings).webhook_secrets:
        err_console.print(
            "[yellow]warning:[/] no webhook secret is set (VITALS_STRIPE_WEBHOOK_SECRETS): every delivery is "
            "answered 503 until one is"
        )
    with _friendly_errors():
        application = create_app(settings)
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command()
def build(
    full_refresh: Annotated[bool, typer.Option(help="Rebuild every model from scratch.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Build as of this UTC time (ISO); default now.")] = None,
    select: Annotated[str | None, typer.Option(help="dbt selector, e.g. 'summarization_jobs+'.")] = None,
    tests: Annotated[
        bool | None,
        typer.Option(
            "--tests/--no-tests",
            help="Run the data and unit tests (default: the data_tests setting; `auto` runs them on first and full "
            "builds, incremental builds skip them).",
        ),
    ] = None,
) -> None:
    """Transform raw data into the core model and metrics (dbt, in this process).

    A warehouse built before is built incrementally: only what changed since the last build is recomputed.
    The build goes full by itself when it must (as-of earlier than the last build, models or settings
    changed) and says why."""
    settings = _settings()
    server = _owning_server(settings)
    if server is not None:
        with _friendly_errors(), console.status(f"building in the server at {server.url}..."):
            reply = server.build(full_refresh=full_refresh, as_of=_parse_as_of(as_of), select=select)
        console.print(f"built by the server as of {reply['as_of']} in {reply['seconds']:.1f} s")
        return
    result = _run_build(settings, as_of=_parse_as_of(as_of), full_refresh=full_refresh, select=select, tests=tests)
    kind = {"first": "first build", "incremental": "incremental build", "full": "full build"}[result.plan.kind]
    reason = f" ({result.plan.reason})" if result.plan.kind == "full" and result.plan.reason else ""
    tested = "tests run" if result.tested else "tests skipped"
    console.print(
        f"built as of {result.as_of.isoformat()} in {result.elapsed:.1f} s: {kind}{reason}, {tested}", soft_wrap=True
    )
    _print_warnings(result)


def _print_warnings(result: Any) -> None:
    """One line per warning test of a build: its name and what dbt said."""
    for node in result.warnings():
        console.print(f"[yellow]warning[/yellow] {node.name}: {node.message or 'returned rows'}", soft_wrap=True)


def _owning_server(settings: Settings) -> Any:
    """The running `vitals serve` that owns the DuckDB warehouse, or None."""
    from vitals.server.client import owning_server

    return owning_server(settings)


def _run_build(settings: Settings, **kwargs: Any) -> Any:
    """Flatten the stored webhook deliveries not flattened yet, run the dbt build with a progress line per
    model, then publish the BI snapshot."""
    from vitals.bi.snapshot import publish_after_build
    from vitals.stored_deliveries import flatten_stored
    from vitals.warehouse.dbt import build as run_build

    with _friendly_errors(), console.status("building models...") as status:
        status.update("flattening stored webhook deliveries...")
        flatten_stored(settings, repair=True)

        def on_node(name: str, state: str, seconds: float) -> None:
            status.update(f"building models... {name} {state} ({seconds:.1f} s)")

        result = run_build(settings, on_node=on_node, **kwargs)
        status.update("publishing the BI snapshot...")
        publish_after_build(settings, result.as_of)  # the read-only copy BI tools open (a failure only warns)
        return result


@app.command("dbt-profile")
def dbt_profile() -> None:
    """Write the dbt profile and a dbt project directory for the configured warehouse, and print how to run
    plain dbt and the MetricFlow CLI (mf) on the models."""
    from vitals.warehouse.dbt import write_profile, write_workspace

    settings = _settings()
    with _friendly_errors():
        directory = write_profile(settings)
        workspace = write_workspace(settings)
    console.print(f"cd {workspace.resolve()} && export DBT_PROFILES_DIR={directory.resolve()}", soft_wrap=True)
    console.print("dbt build            # the models and their tests, as vitals builds them", soft_wrap=True)
    console.print("mf query --metrics mrr --group-by metric_time__month", soft_wrap=True)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run on the warehouse.")],
    format: FormatOption = "table",
    csv_raw: CsvRawOption = False,
    limit: Annotated[int, typer.Option(help="Rows shown at most in table format.")] = 100,
    write: Annotated[
        bool, typer.Option("--write", help="Allow statements that change the warehouse (asks for confirmation).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --write: do not ask for confirmation.")] = False,
) -> None:
    """Run a query on the warehouse (core tables are on the search path). Read-only unless --write; never
    reaches files, extensions or other databases."""
    from vitals.warehouse.user_sql import run_user_sql

    settings = _settings()
    if write and not yes:
        where = settings.warehouse if settings.engine == "duckdb" else f"{settings.engine} warehouse"
        typer.confirm(f"Run this statement with write access to {where}?", abort=True, err=True)
    with _friendly_errors():
        try:
            data = run_user_sql(settings, query, write=write)
        except Exception as exc:  # the engine's own message is the useful part
            if isinstance(exc, VitalsError):
                raise
            err_console.print(f"[bold red]error:[/] {escape(str(exc).strip().splitlines()[0])}", highlight=False)
            raise typer.Exit(1) from None
    _print_rows(data.column_names, [tuple(r.values()) for r in data.to_pylist()], format, limit, csv_raw=csv_raw)


@metrics_app.command("list")
def metrics_list(
    domain: Annotated[str | None, typer.Option(help="Only this domain (kpi, product, revenue, ...).")] = None,
    format: FormatOption = "table",
    csv_raw: CsvRawOption = False,
) -> None:
    """List the metric catalog: name, label, domain, grains, unit, direction, tier, model and the optional
    source a metric needs (e.g. nps_responses; `vitals metrics show` says whether it is connected)."""
    from vitals.metrics.catalog import default_catalog

    with _friendly_errors():
        catalog = default_catalog()
    rows = [
        (m.name, m.label, m.domain, ",".join(m.grain), m.unit, m.direction, m.tier, m.model, m.source or "")
        for metrics in catalog.by_domain().values()
        for m in metrics
        if domain is None or m.domain == domain
    ]
    columns = ["name", "label", "domain", "grain", "unit", "direction", "tier", "model", "source"]
    _print_rows(columns, rows, format, csv_raw=csv_raw)


@metrics_app.command("show")
def metrics_show(
    name: Annotated[str, typer.Argument(help="Metric name (see `vitals metrics list`).")],
    org: Annotated[str | None, typer.Option("--org", help="An org id; default: the global value.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    format: FormatOption = "table",
    csv_raw: CsvRawOption = False,
    limit: Annotated[int, typer.Option(help="Rows shown at most in table format (the latest).")] = 60,
) -> None:
    """A metric's daily values, global or for one org, with its definition ("source not connected" when the
    optional source it needs, such as nps_responses, is not loaded)."""
    from vitals.metrics.series import metric_series

    settings = _settings()
    with _friendly_errors():
        series = metric_series(settings, name, org_id=org, start=_parse_day(start), end=_parse_day(end))
    if not series.source_connected:
        from vitals.metrics.sources import not_connected_message

        (console if format == "table" else err_console).print(not_connected_message(series.metric), highlight=False)
        if format != "table":
            _print_rows(["metric_date", "value"], [], format, limit, csv_raw=csv_raw)
        return
    if format == "table":
        metric = series.metric
        console.print(
            f"[bold]{metric.label}[/] ({metric.name}, {metric.unit}, {series.entity_type} {series.entity_id})"
        )
        console.print(metric.definition, style="dim")
        points = series.points[-limit:]
    else:
        points = series.points
    _print_rows(["metric_date", "value"], points, format, limit, csv_raw=csv_raw)


@app.command()
def health(
    org: Annotated[str | None, typer.Option("--org", help="One org's score, then each of its providers'.")] = None,
    format: FormatOption = "table",
    csv_raw: CsvRawOption = False,
) -> None:
    """Health scores (0-100): score, band, the five components and the sentence that explains the week's move."""
    from vitals.health import COMPONENTS, TABLE_COLUMNS, health_legend, health_report, health_table

    settings = _settings()
    with _friendly_errors():
        lines = health_report(settings, org)
    if format == "table":
        console.print(health_legend(lines), highlight=False, markup=False)
        if lines:
            _print_rows(list(TABLE_COLUMNS), health_table(lines), format)
        return
    columns = ["entity_type", "entity_id", "name", "org_id", "as_of", "score", "band", *COMPONENTS, "change_7d", "move"]
    rows = [
        (
            line.entity_type,
            line.entity_id,
            line.name,
            line.org_id,
            line.as_of,
            line.score,
            line.band,
            *(line.components[c] for c in COMPONENTS),
            line.change_7d,
            line.move,
        )
        for line in lines
    ]
    _print_rows(columns, rows, format, csv_raw=csv_raw)


@app.command()
def revenue(
    month: Annotated[str | None, typer.Option(help="The month (YYYY-MM); default: the latest built.")] = None,
    months: Annotated[int, typer.Option(min=1, max=36, help="Months shown, ending with --month.")] = 3,
    format: FormatOption = "table",
    csv_raw: CsvRawOption = False,
) -> None:
    """The MRR bridge (start + new + expansion + reactivation − contraction − churn = end) with ARR, ARPA,
    NRR, GRR, churn rates and LTV (csv and json: one row per month, cents as cents)."""
    from vitals.revenue import BRIDGE_COLUMNS, bridge_rows, render_bridge, revenue_bridge

    settings = _settings()
    with _friendly_errors():
        bridges = revenue_bridge(settings, month, months)
    if format == "table":
        console.print(render_bridge(bridges, width=console.width), highlight=False, markup=False)
        return
    _print_rows(list(BRIDGE_COLUMNS), bridge_rows(bridges), format, csv_raw=csv_raw)


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _print_rows(
    columns: list[str], rows: list[Any], format: Format, limit: int | None = None, *, csv_raw: bool = False
) -> None:
    print_rows(console, columns, rows, format, limit=limit, csv_raw=csv_raw)


@app.command()
def doctor() -> None:
    """Check the configuration, the engine and the warehouse; say what to fix."""
    from vitals.doctor import run_checks

    checks = run_checks()
    for check in checks:
        mark = "[green]ok[/]  " if check.ok else "[red]FAIL[/]"
        console.print(f"{mark} {check.name}: {check.detail}")
        if not check.ok and check.fix:
            console.print(f"       fix: {check.fix}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command()
def bench(
    events: Annotated[int, typer.Option(min=1000, help="Approximate event rows in the dataset.")] = 1_000_000,
    runs: Annotated[int, typer.Option(min=1, help="Runs; medians are reported.")] = 3,
    data_root: Annotated[Path, typer.Option(help="Where datasets are generated and reused.")] = Path(".vitals/bench"),
    out: Annotated[Path | None, typer.Option(help="JSON report path.")] = None,
    source_format: Annotated[
        str, typer.Option(help="Format of the dataset's files, which the load reads: parquet or csv.")
    ] = "parquet",
    load_only: Annotated[bool, typer.Option(help="Measure the load alone (no full or incremental build).")] = False,
    pg_admin_dsn: Annotated[
        str, typer.Option(help="With engine postgres: DSN used to create a fresh database per run.")
    ] = "postgresql://postgres@127.0.0.1:5432/postgres",
    webhooks: Annotated[
        bool, typer.Option(help="Instead: acknowledged requests/s, latency and freshness of `vitals serve`.")
    ] = False,
    seconds: Annotated[float, typer.Option(min=1, help="With --webhooks: how long the clients post.")] = 30,
    clients: Annotated[int, typer.Option(min=1, help="With --webhooks: concurrent clients (2 processes).")] = 16,
    build_interval: Annotated[
        float, typer.Option(min=0.05, help="With --webhooks: the server's build interval (minutes).")
    ] = 1.0,
    exports: Annotated[
        bool,
        typer.Option(
            help="Instead: export big marts (CSV, Parquet) from the existing warehouse through `vitals serve` "
            "over HTTP; rows, bytes, seconds and the server's peak RSS growth."
        ),
    ] = False,
    marts: Annotated[
        str, typer.Option(help="With --exports: the marts to export, comma-separated.")
    ] = "metrics_daily,mart_customer_success_provider_health",
    api: Annotated[
        bool,
        typer.Option(
            help="Instead: p50/p95/p99 of the dashboard's API reads from the existing warehouse through "
            "`vitals serve` over HTTP."
        ),
    ] = False,
    requests: Annotated[int, typer.Option(min=1, help="With --api: measured requests per endpoint and round.")] = 200,
    warmup: Annotated[int, typer.Option(min=0, help="With --api: unmeasured requests per endpoint first.")] = 20,
    rounds: Annotated[int, typer.Option(min=1, help="With --api: rounds; medians are reported.")] = 3,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            help="With --exports or --api: the DuckDB warehouse to serve (default: the configured one). The "
            "server writes its tokens and audit log there: use a copy."
        ),
    ] = None,
    incident: Annotated[
        bool,
        typer.Option(
            help="Instead: against `vitals serve` over a built warehouse of --events events, normal traffic then "
            "an incident through /ingest/events; incident start -> page and recovery -> resolve at a local "
            "PagerDuty-compatible receiver."
        ),
    ] = False,
    incident_kind: Annotated[
        str, typer.Option(help="With --incident: slow (5-minute summarization) or quality (failing jobs).")
    ] = "slow",
    jobs_per_minute: Annotated[
        float, typer.Option(min=1, help="With --incident: completed jobs posted per minute.")
    ] = 60,
    normal_minutes: Annotated[
        float, typer.Option(min=0, help="With --incident: minutes of normal traffic before the incident.")
    ] = 3,
) -> None:
    """Benchmark load and full build on a generated dataset: medians of time, rows/s, CPU time and peak RSS
    (--load-only: the load alone; --source-format csv: from CSV files instead of Parquet).
    With --webhooks: the live service's sustained acknowledged requests/s, p50/p99 latency and
    event-to-metric freshness. With --exports or --api: exports and API latency of an existing warehouse.
    With --incident: how fast the real-time rules page on-call and resolve against a running server."""
    from vitals.bench.harness import SOURCE_FORMATS, duckdb_run_env, postgres_run_env, run_bench

    settings = _settings()
    if warehouse is not None:
        settings = settings.model_copy(update={"warehouse": warehouse})
    if exports:
        from vitals.bench.exports import run_export_bench

        target = out or data_root / f"bench-exports-{settings.engine}.json"
        names = [m.strip() for m in marts.split(",") if m.strip()]
        with _friendly_errors():
            export_report = run_export_bench(
                settings, marts=names, out=target, say=lambda line: console.print(line, highlight=False, soft_wrap=True)
            )
        console.print(f"report written to {target}")
        if not export_report.peak_reset:
            console.print("note: the peak RSS could not be reset between exports; growth is since start")
        return
    if api:
        from vitals.bench.api_latency import run_api_bench

        target = out or data_root / f"bench-api-{settings.engine}.json"
        with _friendly_errors():
            api_report = run_api_bench(
                settings, requests=requests, warmup=warmup, rounds=rounds, out=target, say=console.print
            )
        for line in api_report.lines():
            console.print(line, highlight=False, soft_wrap=True)
        console.print(f"report written to {target}")
        return
    if incident:
        from vitals.bench.incident import run_incident_bench

        if incident_kind not in ("slow", "quality"):
            raise typer.BadParameter("use slow or quality", param_hint="--incident-kind")
        target = out or data_root / f"bench-incident-{incident_kind}-{events}.json"
        with _friendly_errors():
            incident_report = run_incident_bench(
                settings,
                events=events,
                data_root=data_root,
                kind="slow" if incident_kind == "slow" else "quality",
                jobs_per_minute=jobs_per_minute,
                normal_minutes=normal_minutes,
                linger_seconds=30,
                max_wait_minutes=20,
                out=target,
                say=console.print,
            )
        for line in incident_report.lines():
            console.print(line, highlight=False)
        console.print(f"report written to {target}")
        return
    if webhooks:
        from vitals.bench.webhooks import run_webhook_bench

        processes = 2 if clients >= 2 else 1
        target = out or data_root / f"bench-webhooks-{settings.engine}.json"
        fresh_db = postgres_run_env(pg_admin_dsn) if settings.engine == "postgres" else duckdb_run_env(data_root)
        with _friendly_errors():
            webhook_report = run_webhook_bench(
                settings,
                seconds=seconds,
                processes=processes,
                threads=max(clients // processes, 1),
                build_interval_minutes=build_interval,
                work_dir=data_root,
                fresh_warehouse=fresh_db,
                out=target,
                say=console.print,
            )
        for line in webhook_report.lines():
            console.print(line)
        console.print(f"report written to {target}")
        return
    if source_format not in SOURCE_FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(SOURCE_FORMATS)}", param_hint="--source-format")
    if source_format != "parquet" and not load_only:
        raise typer.BadParameter("the builds use the Parquet dataset: add --load-only", param_hint="--source-format")
    suffix = "" if source_format == "parquet" else f"-{source_format}"
    out = out or data_root / f"bench-{settings.engine}-{events}{suffix}{'-load' if load_only else ''}.json"
    fresh = postgres_run_env(pg_admin_dsn) if settings.engine == "postgres" else duckdb_run_env(data_root)
    with _friendly_errors():
        report = run_bench(
            settings,
            events=events,
            runs=runs,
            data_root=data_root,
            out=out,
            fresh_warehouse=fresh,
            say=console.print,
            source_format=source_format,
            load_only=load_only,
        )
    for line in report.lines():
        console.print(line)
    console.print(f"report written to {out}")


@app.command()
def demo(
    orgs: Annotated[int, typer.Option(min=1, help="Organizations to generate.")] = 50,
    days: Annotated[int, typer.Option(min=7, help="Days of history.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to build into (default: vitals.duckdb).")] = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Then create an admin token and serve the dashboard.")
    ] = True,
) -> None:
    """Generate 90 days for ~50 orgs, load, build, and summarize: the first ten minutes of vitals. Then (unless
    --no-serve) create a demo admin token, print the dashboard's URL and the token, and serve until Ctrl-C."""
    from vitals.health import health_report
    from vitals.ingest.files import load_directory
    from vitals.metrics.headline import headline_kpis, headline_text
    from vitals.summary import core_summary
    from vitals.warehouse.connect import open_warehouse

    settings = _settings(warehouse=warehouse)
    if settings.engine == "duckdb" and settings.warehouse.exists():
        console.print(f"replacing the previous demo warehouse {settings.warehouse}")
        settings.warehouse.unlink()
    with tempfile.TemporaryDirectory(prefix="vitals-demo-") as tmp:
        console.rule("1/3 generate")
        # the quality incident is live: it runs through the hours before now, so the served demo shows it firing
        generate(
            Path(tmp),
            orgs=orgs,
            days=days,
            seed=seed,
            format="parquet",
            end=None,
            events=None,
            incident_at=datetime.now(UTC),
        )
        console.rule("2/3 load")
        with _friendly_errors():
            report = load_directory(settings, Path(tmp), progress=True)
        console.print(report.render())
    console.rule("3/3 build")
    result = _run_build(settings, full_refresh=True)
    console.print(f"built as of {result.as_of.isoformat()} in {result.elapsed:.1f} s")
    with open_warehouse(settings) as wh:
        summary = core_summary(wh)
        kpis = headline_kpis(wh)
    console.rule("summary")
    for line in summary.lines():
        console.print(line)
    if kpis.end is not None:
        console.rule(f"headline KPIs as of {kpis.end.isoformat()}")
        for kpi in kpis.items:
            console.print(headline_text(kpi), highlight=False)
    with _friendly_errors():
        least_healthy = [h for h in health_report(settings, None) if h.entity_type == "org"][:5]
    if least_healthy:
        console.rule("five least healthy orgs")
        for org_health in least_healthy:
            move = org_health.move or "no score 7 days earlier"
            console.print(
                f"{org_health.score:5.1f}  {org_health.band:<8}  {org_health.name[:40]:<40}  {move}", highlight=False
            )
    _demo_alerts(settings)
    where = settings.warehouse if settings.engine == "duckdb" else settings.engine
    console.print(f'\nwarehouse: {where}   try: vitals sql "select * from summarization_jobs limit 5"', soft_wrap=True)
    if serve:
        _serve_demo(settings)


def _demo_alerts(settings: Settings) -> None:
    """Evaluate the alert rules once, so the dashboard shows what fires (the live quality incident) at once."""
    from vitals.alerts import evaluate

    with _friendly_errors():
        report = evaluate(settings)
    firing = report.firing()
    console.rule(f"alerts: {len(firing)} firing")
    for result in firing:
        console.print(f"{result.rule}  ({result.scope})  {result.reason}", highlight=False)


def _serve_demo(settings: Settings) -> None:
    """A demo admin token, the dashboard's URL and the token printed, then ``vitals serve`` until Ctrl-C."""
    from vitals.api.tokens import TokenStore
    from vitals.warehouse.connect import open_warehouse

    with _friendly_errors(), open_warehouse(settings) as wh:
        record, secret = TokenStore(wh).create("admin", name=f"demo-{uuid.uuid4().hex[:8]}")
        _token_audit(wh, "token.create", record.name, "role admin (vitals demo)")
    host = "127.0.0.1" if settings.serve.host in ("0.0.0.0", "::", "") else settings.serve.host
    console.rule("dashboard")
    console.print(f"dashboard: http://{host}:{settings.serve.port}/   (Ctrl-C stops it)", soft_wrap=True)
    console.print(f"demo admin token {record.name!r}: paste it at the login page", soft_wrap=True)
    print(secret, flush=True)
    _serve(settings, None, None, False)


alerts_app = typer.Typer(
    help="Alert rules over the metrics: evaluate, silence, acknowledge, list and history.", no_args_is_help=True
)
app.add_typer(alerts_app, name="alerts")


@alerts_app.command("eval")
def alerts_eval(
    as_of: Annotated[str | None, typer.Option(help="Evaluate as of this UTC time (ISO); default now.")] = None,
    format: FormatOption = "table",
    csv_raw: CsvRawOption = False,
) -> None:
    """Evaluate every rule once: move each state, send what is due, and print where each rule stands."""
    from vitals.alerts import evaluate

    settings = _settings()
    with _friendly_errors():
        report = evaluate(settings, _parse_as_of(as_of))
    shown = [r for r in report.results if r.state != "inactive" or r.notified] if format == "table" else report.results
    rows = [(r.rule, r.scope, r.state, r.value, ",".join(r.notified), r.reason) for r in shown]
    _print_rows(["rule", "scope", "state", "value", "notified", "reason"], rows, format, csv_raw=csv_raw)
    if format == "table":
        quiet = len(report.results) - len(shown)
        for n in report.notifications:
            console.print(f"{n.kind:<8} {n.rule_name} ({n.scope}) -> {n.route}: {n.status}", highlight=False)
        for rule_name, why in report.skipped:
            console.print(f"skipped  {rule_name}: {why}", highlight=False)
        console.print(f"evaluated as of {report.as_of.isoformat()}; {quiet} scope(s) inactive")


@alerts_app.command("silence")
def alerts_silence(
    rule: Annotated[str, typer.Argument(help="Rule name (see `vitals alerts list`).")],
    duration: Annotated[str, typer.Option("--for", help="How long, e.g. 30m, 2h, 1d.")],
    comment: Annotated[str, typer.Option(help="Why (kept in the history).")],
    org: Annotated[str | None, typer.Option("--org", help="Only this org; default: every scope of the rule.")] = None,
) -> None:
    """Hold a rule's firing notifications for a while (resolves still go out)."""
    from vitals.alerts.durations import parse_duration
    from vitals.alerts.manage import silence

    try:
        length = parse_duration(duration)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    settings = _settings()
    with _friendly_errors():
        made = silence(settings, rule, org=org, duration=length, comment=comment)
    console.print(f"silenced {made.rule_name} ({made.scope or 'every scope'}) until {made.ends_at.isoformat()}")


@alerts_app.command("ack")
def alerts_ack(
    rule: Annotated[str, typer.Argument(help="Rule name (see `vitals alerts list`).")],
    org: Annotated[str | None, typer.Option("--org", help="The org of the incident; default: the global one.")] = None,
    comment: Annotated[str, typer.Option(help="What is being done (kept in the history).")] = "",
) -> None:
    """Acknowledge a firing alert: it repeats no more until it resolves; PagerDuty hears `acknowledge`."""
    from vitals.alerts.manage import acknowledge

    settings = _settings()
    with _friendly_errors():
        ack = acknowledge(settings, rule, scope=org or "global", comment=comment)
    when = ack.acknowledged_at.strftime("%Y-%m-%d %H:%M UTC")
    console.print(f"acknowledged {ack.rule_name} ({ack.scope}) by {ack.acknowledged_by} at {when}", highlight=False)


@alerts_app.command("list")
def alerts_list(format: FormatOption = "table", csv_raw: CsvRawOption = False) -> None:
    """The rules in force with the state of each scope that is not inactive."""
    from vitals.alerts.manage import rule_statuses

    settings = _settings()
    with _friendly_errors():
        statuses = rule_statuses(settings)
    rows = []
    for r in statuses:
        live = [s for s in r.states if s.state != "inactive"]
        states = ", ".join(f"{s.scope}={s.state}" for s in live[:5]) + (f" +{len(live) - 5}" if len(live) > 5 else "")
        rows.append((r.name, r.metric, r.scope, r.condition, r.window, r.for_, r.severity, r.routes, r.enabled, states))
    columns = ["rule", "metric", "scope", "condition", "window", "for", "severity", "routes", "enabled", "states"]
    _print_rows(columns, rows, format, csv_raw=csv_raw)


@alerts_app.command("history")
def alerts_history(
    rule: Annotated[str | None, typer.Option(help="Only this rule.")] = None,
    since: Annotated[str | None, typer.Option(help="Only since this UTC time (ISO).")] = None,
    limit: Annotated[int, typer.Option(help="State changes shown at most.")] = 50,
    format: FormatOption = "table",
    csv_raw: CsvRawOption = False,
) -> None:
    """State changes, notifications (with their delivery status) and silences."""
    from vitals.alerts.manage import history

    settings = _settings()
    with _friendly_errors():
        changes, notes, silences = history(settings, rule_name=rule, since=_parse_as_of(since), limit=limit)
    rows = [
        (c["at"], c["rule_name"], c["scope"], c["from_state"], c["to_state"], c["value"], c["reason"]) for c in changes
    ]
    _print_rows(["at", "rule", "scope", "from", "to", "value", "reason"], rows, format, limit, csv_raw=csv_raw)
    if format == "table":
        if notes:
            note_rows = [(n.created_at, n.rule_name, n.scope, n.kind, n.route, n.status, n.attempts) for n in notes]
            _print_rows(
                ["at", "rule", "scope", "kind", "route", "status", "attempts"],
                note_rows,
                format,
                limit,
                csv_raw=csv_raw,
            )
        for s in silences:
            console.print(
                f"silence {s.silence_id}: {s.rule_name} ({s.scope or 'every scope'}) {s.starts_at:%Y-%m-%d %H:%M} "
                f"to {s.ends_at:%Y-%m-%d %H:%M} UTC by {s.created_by}: {s.comment}",
                highlight=False,
            )


report_app = typer.Typer(help="Reports: the weekly digest.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("weekly")
def report_weekly(
    as_of: Annotated[
        str | None, typer.Option(help="The week ending on the last built day before this UTC time.")
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="Deliver it to alerts.digest_routes (Slack, email).")] = False,
) -> None:
    """The CEO's weekly digest: headline metrics vs last week, MRR bridge, health movers, the week's alerts."""
    from vitals.reports.digest import save
    from vitals.reports.digest import send as send_digest
    from vitals.reports.weekly import render_text, weekly_report

    settings = _settings()
    with _friendly_errors():
        report = weekly_report(settings, _parse_as_of(as_of))
        path = save(report, settings)
    console.print(render_text(report), highlight=False, soft_wrap=True)
    console.print(f"saved {path}")
    if send:
        with _friendly_errors():
            results = send_digest(report, settings)
        for r in results:
            console.print(f"{r.route}: {'sent' if r.ok else 'failed: ' + (r.error or '')} ({r.attempts} attempt(s))")
        if not all(r.ok for r in results):
            raise typer.Exit(1)


tokens_app = typer.Typer(help="API tokens: create (shown once), list and revoke.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


def _token_audit(warehouse: Any, action: str, target: str, detail: str) -> None:
    from vitals.api.audit import AuditLog

    AuditLog(warehouse).record(token_name="cli", role="cli", action=action, target=target, client="cli", detail=detail)


@tokens_app.command("create")
def tokens_create(
    role: Annotated[
        str, typer.Option(help="admin, analyst, cs, sales, oncall, viewer, org or ingest (posts events only).")
    ],
    org: Annotated[str | None, typer.Option(help="The org an org token reads (required for --role org).")] = None,
    name: Annotated[str | None, typer.Option(help="A name to list and revoke it by (default: role-<id>).")] = None,
) -> None:
    """Create an API token. The token is printed once, as the last line; only its hash is stored."""
    from vitals.api.tokens import TokenStore
    from vitals.warehouse import open_warehouse

    with _friendly_errors(), open_warehouse(_settings()) as warehouse:
        record, secret = TokenStore(warehouse).create(role, org_id=org, name=name)
        _token_audit(warehouse, "token.create", record.name, f"role {record.role}")
    scope = f" for org {record.org_id}" if record.org_id else ""
    console.print(f"created {record.role} token {record.name!r} (id {record.token_id}){scope}; store it now:")
    print(secret)


@tokens_app.command("list")
def tokens_list(format: FormatOption = "table", csv_raw: CsvRawOption = False) -> None:
    """List API tokens (never their secrets)."""
    from vitals.api.tokens import TokenStore
    from vitals.warehouse import open_warehouse

    with _friendly_errors(), open_warehouse(_settings()) as warehouse:
        tokens = TokenStore(warehouse).list()
    rows = [
        (t.name, t.token_id, t.role, t.org_id or "", str(t.created_at)[:19], str(t.revoked_at or "")[:19])
        for t in tokens
    ]
    _print_rows(["name", "id", "role", "org", "created_at", "revoked_at"], rows, format, csv_raw=csv_raw)


@tokens_app.command("revoke")
def tokens_revoke(name_or_id: Annotated[str, typer.Argument(help="The token's name or id.")]) -> None:
    """Revoke an API token: it gets 401 from now on."""
    from vitals.api.tokens import TokenStore
    from vitals.warehouse import open_warehouse

    with _friendly_errors(), open_warehouse(_settings()) as warehouse:
        record = TokenStore(warehouse).revoke(name_or_id)
        _token_audit(warehouse, "token.revoke", record.name, "")
    console.print(f"revoked token {record.name!r} (id {record.token_id})")


bi_app = typer.Typer(help="BI tools: the read-only snapshot and the Superset bundle.", no_args_is_help=True)
app.add_typer(bi_app, name="bi")


@bi_app.command("snapshot")
def bi_snapshot() -> None:
    """Publish the read-only snapshot BI tools open (DuckDB; every successful build publishes it too)."""
    from vitals.bi.snapshot import publish_snapshot, snapshot_path

    settings = _settings()
    server = _owning_server(settings)
    if server is not None:
        err_console.print(
            f"the server at {server.url} owns the warehouse and publishes {snapshot_path(settings)} after each build; "
            "`vitals build` asks it for one"
        )
        raise typer.Exit(1)
    with _friendly_errors():
        snapshot = publish_snapshot(settings)
    console.print(f"published {snapshot.path} ({len(snapshot.tables)} tables) in {snapshot.seconds:.1f} s")


@bi_app.command("superset")
def bi_superset(
    out: Annotated[Path, typer.Argument(help="The ZIP to write, e.g. vitals-superset.zip.")],
    snapshot: Annotated[
        Path | None, typer.Option(help="The snapshot file as Superset sees it (default: the snapshot's path).")
    ] = None,
    uri: Annotated[
        str | None, typer.Option(help="SQLAlchemy URI of another database instead, e.g. the PostgreSQL warehouse.")
    ] = None,
    schema: Annotated[
        str | None, typer.Option(help="Schema of the marts (default: main; with --uri, postgres.schema_name).")
    ] = None,
    database_name: Annotated[str, typer.Option(help="The database's name in Superset.")] = "vitals",
) -> None:
    """Write the Superset bundle (database, datasets, metrics, dashboards) generated from the metric catalog."""
    from vitals.bi.snapshot import snapshot_path
    from vitals.bi.superset import sqlalchemy_uri, write_superset_bundle

    settings = _settings()
    target = uri or sqlalchemy_uri(snapshot or snapshot_path(settings))
    where = schema or (settings.postgres.schema_name if uri else "main")
    with _friendly_errors():
        bundle = write_superset_bundle(out, target, schema=where, database_name=database_name)
    counts = ", ".join(f"{len(bundle.of_kind(kind))} {kind}" for kind in ("datasets", "charts", "dashboards"))
    console.print(f"wrote {out} ({counts}) over {target}; import it with `superset import-dashboards -p {out}`")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: serve.host).")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port (default: serve.port).")] = None,
    access_log: Annotated[bool, typer.Option(help="Log every HTTP request (costly at high request rates).")] = False,
) -> None:
    """Run the live service: owns the warehouse, takes events and webhooks in durably, builds on schedule."""
    _serve(_settings(), host, port, access_log)


def _serve(settings: Settings, host: str | None, port: int | None, access_log: bool) -> None:
    """The live service over ``settings`` until interrupted."""
    import logging

    import uvicorn

    from vitals.server.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    host = host or settings.serve.host
    port = port or settings.serve.port
    advertised = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    with _friendly_errors():
        application = create_app(settings, url=f"http://{advertised}:{port}")
        from vitals.warehouse.connect import open_warehouse

        open_warehouse(settings).close()  # a locked DuckDB file is reported here, before the server starts
    proxies = settings.serve.trusted_proxies.strip()
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        proxy_headers=bool(proxies),  # uvicorn would otherwise believe X-Forwarded-For from loopback
        forwarded_allow_ips=proxies or None,
    )


def main() -> None:  # pragma: no cover - entry point
    """Entry point for `python -m vitals`."""
    app()
