"""Saving the weekly digest to disk (with its chart PNGs) and sending it through the alert routes: Slack, and
email with the charts inline (``multipart/related``, ``cid:`` images) so it reads offline."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx

from vitals.alerts.delivery import RetryPolicy, deliver_with_retry
from vitals.alerts.routes.email import SmtpEmail
from vitals.alerts.routes.slack import SlackWebhook
from vitals.alerts.settings import EmailRoute, SlackRoute
from vitals.config import Settings
from vitals.reports.charts import Chart, Trends, render_charts
from vitals.reports.weekly import ReportError, WeeklyReport, render_html, render_slack, render_text


def report_dir(settings: Settings) -> Path:
    """Where digests are saved: ``<state_dir>/reports``."""
    return settings.state_dir / "reports"


def charts(report: WeeklyReport) -> list[Chart]:
    """The digest's charts as PNG (an image saying so where there is no data)."""
    return render_charts(report.trends or Trends(report.week_end), report.bridge)


def save(report: WeeklyReport, settings: Settings, rendered: list[Chart] | None = None) -> Path:
    """Write ``weekly-<last day>.html`` (and ``.txt``, ``.slack.json``, ``-<chart>.png``); return the HTML path."""
    folder = report_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    for chart in rendered or charts(report):
        (folder / chart.filename(report.week_end)).write_bytes(chart.png)
    stem = folder / f"weekly-{report.week_end.isoformat()}"
    stem.with_suffix(".txt").write_text(render_text(report))
    stem.with_suffix(".slack.json").write_text(json.dumps(render_slack(report, folder), indent=2))
    path = stem.with_suffix(".html")
    path.write_text(render_html(report))
    return path


@dataclass(frozen=True)
class Sent:
    """What one route answered."""

    route: str
    ok: bool
    attempts: int
    error: str | None


def send(
    report: WeeklyReport,
    settings: Settings,
    sleep: Callable[[float], None] | None = None,
    rendered: list[Chart] | None = None,
) -> list[Sent]:
    """Deliver the digest to every route of ``alerts.digest_routes`` (with the alert retries)."""
    names = settings.alerts.digest_routes
    if not names:
        raise ReportError("no digest routes: set alerts.digest_routes to slack or email routes")
    images = rendered
    policy = RetryPolicy.from_settings(settings.alerts)
    results = []
    with httpx.Client(timeout=settings.alerts.timeout_seconds) as client:
        for name in names:
            config = settings.alerts.routes.get(name)
            if isinstance(config, SlackRoute):
                slack = SlackWebhook(name, config, client)
                body = render_slack(report, report_dir(settings))
                attempt = lambda slack=slack, body=body: slack.post(body)  # noqa: E731
            elif isinstance(config, EmailRoute):
                smtp = SmtpEmail(name, config, settings.alerts.timeout_seconds)
                if images is None:
                    images = charts(report)
                mail = digest_mail(report, config, images)
                attempt = lambda smtp=smtp, mail=mail: smtp.send_mail(mail)  # noqa: E731
            else:
                kind = "not configured" if config is None else f"a {config.type} route"
                raise ReportError(f"digest route {name} is {kind}; the digest goes to slack or email routes")
            outcome = deliver_with_retry(attempt, policy, sleep=sleep or time.sleep)
            results.append(Sent(name, outcome.ok, outcome.attempts, outcome.error))
    return results


def digest_mail(report: WeeklyReport, config: EmailRoute, rendered: list[Chart]) -> EmailMessage:
    """``multipart/alternative``: the text, and ``multipart/related`` with the HTML and its charts by ``cid:``."""
    cids = {chart.filename(report.week_end): f"{chart.filename(report.week_end)}@vitals" for chart in rendered}
    mail = EmailMessage()
    mail["Subject"] = report.title
    mail["From"] = config.sender
    mail["To"] = ", ".join(config.to)
    mail.set_content(render_text(report))
    mail.add_alternative(render_html(report, lambda name: f"cid:{cids.get(name, name)}"), subtype="html")
    html_part = mail.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for chart in rendered:
        name = chart.filename(report.week_end)
        html_part.add_related(
            chart.png, maintype="image", subtype="png", cid=f"<{cids[name]}>", filename=name, disposition="inline"
        )
    return mail
