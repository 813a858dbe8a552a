"""The CEO's weekly digest: headline metrics against last week, bookings against quota and new pipeline (with a
CRM), the month's MRR bridge, the orgs whose health moved most (with the sentence why), the week's alerts and
charts (``charts.py``). Rendered as HTML (email and
file, the charts as images beside it) and Slack blocks (the charts as links)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vitals.alerts.routes.mrkdwn import escape, link
from vitals.alerts.state import AlertStore
from vitals.config import Settings
from vitals.errors import VitalsError
from vitals.health import HealthError, HealthLine, health_report
from vitals.metrics.activity import WAP_METRIC, wap_metric
from vitals.metrics.catalog import Metric, default_catalog
from vitals.metrics.headline import HEADLINE, format_value, headlines_as_of
from vitals.metrics.reader import WarehouseReader
from vitals.metrics.series import latest_day, many_daily_values
from vitals.metrics.sources import connected_sources
from vitals.reports.charts import CHARTS, Trends, chart_filename, load_trends
from vitals.revenue import BRIDGE, MonthBridge, RevenueError, revenue_bridge
from vitals.warehouse import open_warehouse

TOP_MOVERS = 5


class ReportError(VitalsError):
    """The digest cannot be made: the message says what to build first."""


@dataclass(frozen=True)
class HeadlineChange:
    """A headline metric on the report's last day and seven days before (weekly active providers: the last full
    week and the week before)."""

    metric: Metric
    value: float | None
    previous: float | None

    def change_text(self) -> str:
        """``+4.2%`` (or points for ratios); ``-`` when either side is missing."""
        if self.value is None or self.previous is None:
            return "-"
        if self.metric.unit == "ratio":
            return f"{100 * (self.value - self.previous):+.1f} pts"
        if self.previous == 0:
            return "new" if self.value else "0.0%"
        return f"{100 * (self.value - self.previous) / abs(self.previous):+.1f}%"


@dataclass(frozen=True)
class SalesWeek:
    """The week's bookings and new pipeline against the week before, and quota attainment month to date."""

    bookings_cents: float
    previous_bookings_cents: float
    pipeline_created_cents: float
    previous_pipeline_created_cents: float
    quota_attainment_mtd: float | None

    def rows(self) -> list[tuple[str, str, str]]:
        """(what, this week, the week before) as people read them."""
        return [
            (
                "Bookings (won)",
                format_value("cents", self.bookings_cents),
                format_value("cents", self.previous_bookings_cents),
            ),
            (
                "New pipeline",
                format_value("cents", self.pipeline_created_cents),
                format_value("cents", self.previous_pipeline_created_cents),
            ),
            ("Quota attainment, month to date", format_value("ratio", self.quota_attainment_mtd), ""),
        ]


SALES_METRICS = ("sales_won_amount_cents", "sales_pipeline_created_cents", "sales_quota_attainment_mtd")


def sales_week(reader: WarehouseReader, end: date) -> SalesWeek | None:
    """The sales figures of the 7 days ending ``end`` (None without a CRM)."""
    if "crm_deals" not in connected_sources(reader.warehouse):
        return None
    catalog = default_catalog()
    values = many_daily_values(
        reader,
        [catalog.metric(n) for n in SALES_METRICS],
        ("global", "global"),
        end - timedelta(days=13),
        end,
        action="digest",
    )
    week_start = end - timedelta(days=6)

    def total(name: str, this_week: bool) -> float:
        return sum(v or 0.0 for d, v in values[name] if (d >= week_start) == this_week)

    attainment = [v for d, v in values["sales_quota_attainment_mtd"] if d == end]
    return SalesWeek(
        total("sales_won_amount_cents", True),
        total("sales_won_amount_cents", False),
        total("sales_pipeline_created_cents", True),
        total("sales_pipeline_created_cents", False),
        attainment[0] if attainment else None,
    )


@dataclass(frozen=True)
class AlertLine:
    """An alert that fired during the week."""

    at: datetime
    rule: str
    scope: str
    summary: str
    status: str


@dataclass
class WeeklyReport:
    """Everything the digest says."""

    week_start: date
    week_end: date
    headlines: list[HeadlineChange]
    bridge: MonthBridge | None
    movers: list[HealthLine]
    alerts: list[AlertLine]
    dashboard_url: str
    notes: list[str] = field(default_factory=list)
    trends: Trends | None = None
    sales: SalesWeek | None = None

    @property
    def title(self) -> str:
        return f"vitals weekly: {self.week_start:%b %-d} – {self.week_end:%b %-d, %Y}"

    def chart_files(self) -> list[tuple[str, str]]:
        """(file name, title) of each chart, saved beside the digest."""
        return [(chart_filename(self.week_end, spec.slug), spec.title) for spec in CHARTS]


def weekly_report(settings: Settings, as_of: datetime | None = None) -> WeeklyReport:
    """The digest for the 7 business days ending on the last built day at or before ``as_of``."""
    tz = ZoneInfo(settings.timezone)
    moment = (as_of or datetime.now(UTC)).astimezone(tz)
    catalog = default_catalog()
    with open_warehouse(settings) as wh:
        schema = wh.core_schema
        if not wh.table_exists(schema, "metrics_daily"):
            raise ReportError("metrics_daily is not built yet: run `vitals build` before the weekly report")
        reader = WarehouseReader(wh)
        end = latest_day(reader, moment.date() - timedelta(days=1))
        if end is None:
            raise ReportError(f"no metrics before {moment.date().isoformat()}: run `vitals build`")
        shown = [WAP_METRIC if n == "wau" else n for n in HEADLINE]
        values = headlines_as_of(reader, end, metrics=shown, action="digest")
        store = AlertStore(wh)
        store.ensure_tables()
        week_start = datetime.combine(end - timedelta(days=6), time(0), tz)
        week_end = datetime.combine(end + timedelta(days=1), time(0), tz)
        fired = [
            n
            for n in store.notifications(since=week_start)
            if n.created_at < week_end and n.kind in ("firing", "resolved")
        ]
        trends = load_trends(wh, end)
        sales = sales_week(reader, end)
    # the one headline definition (vitals.metrics.headline): each number as of the report's last day against
    # 7 days earlier; seed 000's weekly active providers (last full week) in place of the rolling wau
    headlines = []
    for name in shown:
        found = values.item(name)
        metric = wap_metric() if name == WAP_METRIC else catalog.metric(name)
        headlines.append(HeadlineChange(metric, found.value if found else None, found.previous if found else None))
    notes: list[str] = []
    bridge = None
    try:
        bridges = revenue_bridge(settings, f"{end:%Y-%m}")
        bridge = bridges[-1] if bridges else None
    except RevenueError as exc:
        notes.append(f"revenue: {exc}")
    movers: list[HealthLine] = []
    try:
        orgs = [h for h in health_report(settings, None) if h.entity_type == "org" and h.change_7d is not None]
        movers = sorted(orgs, key=lambda h: (-abs(h.change_7d or 0.0), h.name))[:TOP_MOVERS]
    except HealthError as exc:
        notes.append(f"health: {exc}")
    seen: set[tuple[str, str, str, str]] = set()
    alerts = []
    for n in fired:
        key = (n.rule_name, n.scope, n.kind, n.created_at.isoformat())
        if key in seen:  # one line per notification, not per route
            continue
        seen.add(key)
        alerts.append(AlertLine(n.created_at, n.rule_name, n.scope, str(n.payload.get("summary", "")), n.kind))
    return WeeklyReport(
        end - timedelta(days=6),
        end,
        headlines,
        bridge,
        movers,
        alerts,
        settings.alerts.dashboard_url,
        notes,
        trends,
        sales,
    )


def _bridge_rows(bridge: MonthBridge) -> list[tuple[str, str]]:
    return [(label, f"{sign}{format_value('cents', bridge.values[col])}") for col, label, sign in BRIDGE]


def render_text(report: WeeklyReport) -> str:
    """Plain text (the email's text part and the terminal)."""
    out = [report.title, ""]
    for h in report.headlines:
        out.append(
            f"{h.metric.label:<42} {format_value(h.metric.unit, h.value):>12}  {h.change_text():>10} vs last week"
        )
    if report.sales is not None:
        out += ["", "Sales (this week, the week before):"]
        out += [f"  {what:<32} {now:>12} {before:>12}" for what, now, before in report.sales.rows()]
    if report.bridge is not None:
        out += ["", f"MRR bridge {report.bridge.month:%Y-%m}:"]
        out += [f"  {label:<14} {value:>12}" for label, value in _bridge_rows(report.bridge)]
    if report.movers:
        out += ["", "Biggest health moves:"]
        out += [f"  {m.name[:40]:<40} {m.score:5.1f} {m.band:<8} {m.move or ''}" for m in report.movers]
    out += ["", "Alerts this week:" if report.alerts else "No alerts this week."]
    out += [f"  {a.at:%a %H:%M} {a.status:<8} {a.summary}" for a in report.alerts]
    out += ["", "Charts: " + ", ".join(name for name, _ in report.chart_files())]
    out += [f"note: {n}" for n in report.notes]
    return "\n".join(out) + "\n"


def render_html(report: WeeklyReport, image_src: Callable[[str], str] | None = None) -> str:
    """The HTML page: the email body (``image_src`` maps a chart's file name to its ``cid:``) and the file
    saved to disk (charts by relative path, the default)."""
    e = html.escape
    src = image_src or (lambda name: name)
    charts = [
        f"<p><img src='{e(src(name), quote=True)}' alt='{e(title, quote=True)}' width='760' "
        "style='max-width:100%;height:auto'></p>"
        for name, title in report.chart_files()
    ]

    def table(head: list[str], rows: list[list[str]]) -> str:
        th = "".join(f"<th align='left' style='padding:4px 12px 4px 0'>{e(h)}</th>" for h in head)
        body = "".join(
            "<tr>" + "".join(f"<td style='padding:2px 12px 2px 0'>{e(c)}</td>" for c in r) + "</tr>" for r in rows
        )
        return f"<table style='border-collapse:collapse'><tr>{th}</tr>{body}</table>"

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{e(report.title)}</title></head><body style='font-family:sans-serif;max-width:760px'>",
        f"<h1>{e(report.title)}</h1>",
        "<h2>Headline metrics</h2>",
        table(
            ["metric", "this week", "vs last week"],
            [[h.metric.label, format_value(h.metric.unit, h.value), h.change_text()] for h in report.headlines],
        ),
        charts[0],
        charts[2],
    ]
    if report.sales is not None:
        parts += [
            "<h2>Sales</h2>",
            table(["", "this week", "the week before"], [list(r) for r in report.sales.rows()]),
        ]
    if report.bridge is not None:
        parts += [
            f"<h2>MRR bridge {report.bridge.month:%Y-%m}</h2>",
            table(["", ""], [list(r) for r in _bridge_rows(report.bridge)]),
            charts[1],
        ]
    else:
        parts += ["<h2>MRR bridge</h2>", charts[1]]  # the image says there is none
    if report.movers:
        parts += [
            "<h2>Biggest health moves</h2>",
            table(
                ["org", "score", "band", "why"],
                [[m.name, f"{m.score:.1f}", m.band, m.move or ""] for m in report.movers],
            ),
        ]
    parts.append("<h2>Alerts this week</h2>")
    if report.alerts:
        parts.append(
            table(["when", "status", "alert"], [[f"{a.at:%a %H:%M} UTC", a.status, a.summary] for a in report.alerts])
        )
    else:
        parts.append("<p>No alerts this week.</p>")
    parts += [f"<p style='color:#666'>{e(n)}</p>" for n in report.notes]
    parts.append(f"<p><a href='{e(report.dashboard_url, quote=True)}'>Open the dashboard</a></p></body></html>")
    return "".join(parts)


def render_slack(report: WeeklyReport, saved_in: Path | None = None) -> dict[str, Any]:
    """A Slack incoming-webhook body: ``text`` and blocks. Incoming webhooks take no files, so the charts are
    named with a link to the dashboard's digest page of the week, which shows them (or, without a dashboard
    URL, the folder they are saved in)."""
    lines = [
        f"*{escape(h.metric.label)}*: {escape(format_value(h.metric.unit, h.value))} ({escape(h.change_text())})"
        for h in report.headlines
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": report.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
    ]
    if report.sales is not None:
        sales = "\n".join(
            f"• {escape(what)}: {escape(now)}" + (f" (week before {escape(before)})" if before else "")
            for what, now, before in report.sales.rows()
        )
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Sales*\n{sales}"}})
    if report.bridge is not None:
        bridge = escape(", ".join(f"{label} {value}" for label, value in _bridge_rows(report.bridge)))
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*MRR {report.bridge.month:%Y-%m}*: {bridge}"}}
        )
    if report.movers:
        movers = "\n".join(
            f"• {escape(m.name)}: {m.score:.0f} ({escape(m.band)}) {escape(m.move or '')}" for m in report.movers
        )
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Biggest health moves*\n{movers}"[:2900]}}
        )
    alerts = "\n".join(f"• {escape(a.status)}: {escape(a.summary)}" for a in report.alerts) or "none"
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Alerts this week*\n{alerts}"[:2900]}})
    files = report.chart_files()
    if report.dashboard_url:
        base = report.dashboard_url.rstrip("/")
        titles = escape(" · ".join(title for _, title in files))
        charts = f"*Charts*: {titles}: {link(f'{base}/digest?week={report.week_end.isoformat()}', 'open the digest')}"
    else:
        where = f" in {saved_in}" if saved_in is not None else ""
        charts = f"*Charts* saved{escape(where)}: " + escape(", ".join(name for name, _ in files))
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": charts[:2900]}})
    return {"text": escape(report.title), "blocks": blocks}
