"""The digest's charts: valid, deterministic PNGs saved beside the HTML and referenced from it, the bridge
waterfall built from the digest's own numbers, inline ``cid:`` images in the email a real SMTP server receives,
links in the Slack message, and images that say "no data" on a warehouse with nothing to draw."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import struct
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from tests.alerts.generated import Built
from tests.alerts.receivers import Receiver, serve
from tests.alerts.series import create_tables, put_daily
from tests.alerts.smtp import Inbox
from tests.alerts.test_weekly_report import ceo_routes
from tests.alerts.test_weekly_report import settings_for as report_settings
from vitals.config import Settings
from vitals.reports.charts import DPI, SIZE_INCHES, Trends, bridge_bars, load_trends, render_bridge, render_charts
from vitals.reports.digest import charts, save, send
from vitals.reports.weekly import WeeklyReport, render_text, weekly_report
from vitals.revenue import MonthBridge
from vitals.warehouse import open_warehouse

WIDTH, HEIGHT = int(SIZE_INCHES[0] * DPI), int(SIZE_INCHES[1] * DPI)
DASHBOARD = "https://vitals.example.com/"


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk, checking the signature and each CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, payload = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + payload) == crc, kind
        chunks.append((kind, payload))
        at += 12 + length
    return chunks


def assert_chart_png(data: bytes) -> None:
    """A whole PNG of the fixed size, with no timestamp or software version in it."""
    chunks = png_chunks(data)
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    assert struct.unpack(">II", chunks[0][1][:8]) == (WIDTH, HEIGHT)
    kinds = {k for k, _ in chunks}
    assert b"tIME" not in kinds
    text_keys = {p.split(b"\0")[0] for k, p in chunks if k in (b"tEXt", b"iTXt", b"zTXt")}
    assert not text_keys & {b"Software", b"Creation Time"}, text_keys
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.size == (WIDTH, HEIGHT)


def settings_for(tmp_path: Path, generated: Built, routes: dict[str, Any], digest: list[str]) -> Settings:
    return report_settings(tmp_path, generated, routes, digest, dashboard_url=DASHBOARD)


def test_bridge_bars_walk_from_start_to_end() -> None:
    values = {
        "start_mrr_cents": 1_400_000,
        "new_mrr_cents": 120_000,
        "expansion_mrr_cents": 30_000,
        "reactivation_mrr_cents": 10_000,
        "contraction_mrr_cents": 25_000,
        "churned_mrr_cents": 60_000,
        "end_mrr_cents": 1_475_000,
    }
    bars = bridge_bars(MonthBridge(date(2026, 11, 1), date(2026, 11, 30), values))
    assert [(b.label, b.kind, b.bottom, b.top, b.delta) for b in bars] == [
        ("MRR at start", "total", 0, 1_400_000, 1_400_000),
        ("new", "up", 1_400_000, 1_520_000, 120_000),
        ("expansion", "up", 1_520_000, 1_550_000, 30_000),
        ("reactivation", "up", 1_550_000, 1_560_000, 10_000),
        ("contraction", "down", 1_535_000, 1_560_000, -25_000),
        ("churn", "down", 1_475_000, 1_535_000, -60_000),
        ("MRR at end", "total", 0, 1_475_000, 1_475_000),
    ]


def test_bridge_chart_shows_the_digests_numbers(tmp_path: Path, generated: Built) -> None:
    settings = settings_for(tmp_path, generated, {}, [])
    report = weekly_report(settings, generated.made.window_end)
    assert report.bridge is not None and report.bridge.holds()
    bars = bridge_bars(report.bridge)
    text = render_text(report)
    shown = re.findall(r"^  (\S.*?)\s{2,}([−+=]?\$[\d,]+)$", text.split("MRR bridge")[1], re.MULTILINE)
    signs = {"up": "+", "down": "−"}
    as_shown = [
        (b.label, ("=" if b.label == "MRR at end" else signs.get(b.kind, "")) + f"${abs(b.delta) / 100:,.0f}")
        for b in bars
    ]
    assert as_shown == shown[: len(bars)]
    assert bars[-1].top == bars[0].top + sum(b.delta for b in bars[1:-1])  # the walk lands on the end
    assert any(b.kind == "up" and b.delta > 0 for b in bars)
    chart = render_bridge(report.bridge)
    assert not chart.empty
    assert_chart_png(chart.png)


def test_charts_are_saved_beside_the_html_and_are_deterministic(tmp_path: Path, generated: Built) -> None:
    settings = settings_for(tmp_path, generated, {}, [])
    report = weekly_report(settings, generated.made.window_end)
    assert report.trends is not None
    end = report.week_end
    assert [d for d, _ in report.trends.mrr_cents] == [end - timedelta(days=i) for i in range(90, -1, -1)]  # 13 weeks
    assert report.trends.dad[-1][0] == end and report.trends.dad[0][0] >= end - timedelta(days=55)  # 8 weeks at most
    assert report.trends.mrr_cents[-1][1] == next(h.value for h in report.headlines if h.metric.name == "mrr_cents")
    html_path = save(report, settings)
    folder = html_path.parent
    names = ["weekly-2026-11-30-mrr.png", "weekly-2026-11-30-bridge.png", "weekly-2026-11-30-activity.png"]
    html = html_path.read_text()
    for name in names:
        assert f"<img src='{name}'" in html
        assert_chart_png((folder / name).read_bytes())
    assert [c.empty for c in charts(report)] == [False, False, False]
    again = charts(report)  # drawn again: the same bytes
    assert [c.png for c in again] == [(folder / n).read_bytes() for n in names]
    assert "Charts: " + ", ".join(names) in render_text(report)
    slack = json.loads((folder / "weekly-2026-11-30.slack.json").read_text())
    last = slack["blocks"][-1]["text"]["text"]
    assert last.endswith(
        f"MRR bridge · Active providers, last 8 weeks: <{DASHBOARD}digest?week=2026-11-30|open the digest>"
    )


def test_email_carries_the_charts_inline_and_slack_links_them(
    tmp_path: Path, generated: Built, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    with serve(Receiver("slack")) as slack:
        routes = ceo_routes(slack.url, port)
        settings = settings_for(tmp_path, generated, routes, ["ceo_slack", "ceo_mail"])
        report = weekly_report(settings, generated.made.window_end)
        rendered = charts(report)
        sent = send(report, settings, sleep=lambda _: None, rendered=rendered)
        slack_body = slack.bodies()[0]
    assert [(s.route, s.ok) for s in sent] == [("ceo_slack", True), ("ceo_mail", True)]
    charts_block = slack_body["blocks"][-1]
    assert charts_block["type"] == "section" and charts_block["text"]["text"].startswith("*Charts*: ")
    links = re.findall(r"<([^|>]+)\|([^>]+)>", charts_block["text"]["text"])
    assert links == [(f"{DASHBOARD}digest?week=2026-11-30", "open the digest")]  # the page that shows them
    assert "MRR, last 13 weeks · MRR bridge · Active providers, last 8 weeks" in charts_block["text"]["text"]

    mail: Any = email.message_from_bytes(inbox.envelopes[0][2], policy=email.policy.default)
    assert mail.get_content_type() == "multipart/alternative"
    text, related = mail.get_payload()
    assert text.get_content_type() == "text/plain" and related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    html = html_part.get_content()
    srcs = re.findall(r"<img src='([^']+)'", html)
    assert len(srcs) == 3 and all(s.startswith("cid:") for s in srcs)
    by_cid = {img["Content-ID"].strip("<>"): img for img in images}
    assert sorted(by_cid) == sorted(s.removeprefix("cid:") for s in srcs)
    for chart in rendered:
        image = by_cid[f"{chart.filename(report.week_end)}@vitals"]
        assert image.get_content_type() == "image/png"
        assert image.get_content_disposition() == "inline"
        assert image.get_filename() == chart.filename(report.week_end)
        assert image.get_content() == chart.png
        assert_chart_png(image.get_content())


def test_without_a_dashboard_url_slack_says_where_the_charts_are(tmp_path: Path) -> None:
    from vitals.reports.weekly import render_slack

    report = WeeklyReport(date(2026, 11, 24), date(2026, 11, 30), [], None, [], [], "")
    text = render_slack(report, tmp_path)["blocks"][-1]["text"]["text"]
    assert text == f"*Charts* saved in {tmp_path}: " + ", ".join(n for n, _ in report.chart_files())


def test_an_empty_warehouse_draws_empty_charts(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / "state")
    end = date(2026, 11, 30)
    with open_warehouse(settings) as wh:
        assert load_trends(wh, end) == Trends(end)  # metrics_daily not built
    empty = render_charts(Trends(end), None)
    assert [c.empty for c in empty] == [True, True, True]
    for chart in empty:
        assert_chart_png(chart.png)

    create_tables(settings)  # built, with activity but no revenue at all
    put_daily(settings, "dad", {end - timedelta(days=i): 10.0 + i for i in range(3)})
    put_daily(settings, "wau", {end - timedelta(days=i): 20.0 for i in range(60)})  # not what the digest shows
    with open_warehouse(settings) as wh:  # WAP: org a 3 then 4 providers, org b 2 in the last full week
        wh.execute(
            f"create table {wh.core_schema}.mart_analyses_weekly_active_providers "
            "(org_id varchar, org_name varchar, week_start date, weekly_active_providers bigint)"
        )
        for org, week, providers in (("a", "2026-11-16", 3), ("a", "2026-11-23", 4), ("b", "2026-11-23", 2)):
            wh.execute(
                f"insert into {wh.core_schema}.mart_analyses_weekly_active_providers values (?, ?, ?, ?)",
                [org, org, date.fromisoformat(week), providers],
            )
    report = weekly_report(settings, datetime(2026, 12, 1, 12, tzinfo=UTC))
    assert report.bridge is None and any(n.startswith("revenue:") for n in report.notes)
    weeks = [date(2026, 11, 23) - timedelta(weeks=n) for n in range(7, -1, -1)]  # the 8 full weeks to Nov 29
    assert report.trends == Trends(
        end,
        [],
        [(end - timedelta(days=i), 10.0 + i) for i in (2, 1, 0)],
        [(week, {date(2026, 11, 16): 3.0, date(2026, 11, 23): 6.0}.get(week, 0.0)) for week in weeks],
    )
    wap = next(h for h in report.headlines if h.metric.name == "weekly_active_providers")
    assert (wap.metric.label, wap.value, wap.previous) == ("Weekly active providers", 6.0, 3.0)
    path = save(report, settings)
    drawn = charts(report)
    assert [(c.spec.slug, c.empty) for c in drawn] == [("mrr", True), ("bridge", True), ("activity", False)]
    for name, _ in report.chart_files():
        assert_chart_png((path.parent / name).read_bytes())
        assert f"<img src='{name}'" in path.read_text()
