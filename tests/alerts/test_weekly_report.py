"""The weekly digest on the generated set: headline metrics vs last week, the MRR bridge, health movers with
their sentences and the week's alerts; saved to disk and sent to a Slack receiver and a real SMTP server."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.alerts.generated import Built
from tests.alerts.receivers import Receiver, serve
from tests.alerts.smtp import Inbox
from vitals.alerts import evaluate
from vitals.alerts.settings import AlertSettings
from vitals.cli import app
from vitals.config import Settings
from vitals.reports.digest import save, send
from vitals.reports.weekly import ReportError, render_html, weekly_report
from vitals.warehouse import open_warehouse


def settings_for(
    tmp_path: Path, generated: Built, routes: dict[str, Any], digest: list[str], dashboard_url: str | None = None
) -> Settings:
    linked = {} if dashboard_url is None else {"dashboard_url": dashboard_url}
    return Settings(
        warehouse=generated.copy_to(tmp_path),
        state_dir=tmp_path / "state",
        alerts=AlertSettings(routes=routes, digest_routes=digest, **linked),
    )


def ceo_routes(slack_url: str, smtp_port: int) -> dict[str, Any]:
    """The CEO's Slack and email digest routes, pointed at the test's receivers."""
    return {
        "ceo_slack": {"type": "slack", "url": slack_url},
        "ceo_mail": {
            "type": "email",
            "host": "127.0.0.1",
            "port": smtp_port,
            "security": "none",
            "sender": "vitals@example.com",
            "to": ["ceo@example.com"],
        },
    }


def test_weekly_digest_content_and_delivery(tmp_path: Path, generated: Built, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    with serve(Receiver("slack")) as slack:
        routes = ceo_routes(slack.url, port)
        settings = settings_for(tmp_path, generated, routes, ["ceo_slack", "ceo_mail"])
        evaluate(settings, generated.made.incident_start + timedelta(hours=1, minutes=5))  # the week's page
        report = weekly_report(settings, generated.made.window_end)
        sent = send(report, settings, sleep=lambda _: None)
        slack_body = slack.bodies()[0]
    assert (report.week_start.isoformat(), report.week_end.isoformat()) == ("2026-11-24", "2026-11-30")
    labels = [h.metric.name for h in report.headlines]
    assert labels[:2] == ["dad", "npad"] and "mrr_cents" in labels
    assert all(h.value is not None and h.previous is not None for h in report.headlines)
    assert report.bridge is not None and report.bridge.holds()
    assert report.movers and all(m.move for m in report.movers)
    changes = [abs(m.change_7d or 0) for m in report.movers]
    assert changes == sorted(changes, reverse=True)
    assert any(a.rule == "quality_pass_rate_hourly_low" and a.status == "firing" for a in report.alerts)
    assert [(s.route, s.ok) for s in sent] == [("ceo_slack", True), ("ceo_mail", True)]
    assert slack_body["text"] == report.title
    assert slack_body["blocks"][0]["type"] == "header"
    texts = " ".join(b["text"]["text"] for b in slack_body["blocks"][1:])
    assert "*Daily active doctors*" in texts and "*MRR 2026-11*" in texts and "quality_pass_rate_hourly_low" in texts
    mail: Any = email.message_from_bytes(inbox.envelopes[0][2], policy=email.policy.default)
    assert mail["Subject"].strip() == report.title
    html = mail.get_body(preferencelist=("html",)).get_content()
    for heading in ("Headline metrics", "MRR bridge 2026-11", "Biggest health moves", "Alerts this week"):
        assert heading in html
    assert report.movers[0].move in html.replace("&#x27;", "'")
    # with a CRM, bookings and new pipeline of the week against the week before, the sum of the daily values
    assert report.sales is not None and "<h2>Sales</h2>" in html and "*Sales*" in texts
    with open_warehouse(settings) as wh:
        sums = wh.query(
            "select sum(case when metric_date >= ? then value else 0 end), sum(case when metric_date < ? then value "
            "else 0 end) from metrics_daily where metric_name = 'sales_won_amount_cents' and entity_type = 'global' "
            "and metric_date between ? and ?",
            [report.week_start, report.week_start, report.week_start - timedelta(days=7), report.week_end],
        )[0]
    assert (report.sales.bookings_cents, report.sales.previous_bookings_cents) == (
        float(sums[0] or 0),
        float(sums[1] or 0),
    )


def test_weekly_digest_is_saved_and_printed_by_the_cli(
    tmp_path: Path, generated: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path, generated, {}, [])
    monkeypatch.setenv("VITALS_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("VITALS_STATE_DIR", str(settings.state_dir))
    result = CliRunner().invoke(app, ["report", "weekly", "--as-of", generated.made.window_end.isoformat()])
    assert result.exit_code == 0, result.output
    assert "vitals weekly: Nov 24 – Nov 30, 2026" in result.output and "No alerts this week." in result.output
    saved = settings.state_dir / "reports" / "weekly-2026-11-30.html"
    assert saved.read_text() == render_html(weekly_report(settings, generated.made.window_end))
    assert save(weekly_report(settings, generated.made.window_end), settings) == saved
    assert (settings.state_dir / "reports" / "weekly-2026-11-30.slack.json").exists()
    refused = CliRunner().invoke(app, ["report", "weekly", "--send"])
    assert refused.exit_code == 1 and "no digest routes" in refused.output


def test_weekly_digest_needs_a_build(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "empty.duckdb", state_dir=tmp_path / "state")
    with pytest.raises(ReportError, match="run `vitals build`"):
        weekly_report(settings)
