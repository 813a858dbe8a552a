"""Delivery against local servers that speak the real formats: a Slack incoming webhook, the PagerDuty
Events API v2, an SMTP server (aiosmtpd) and a signed webhook; retries on 429/503, none on 400."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.alerts.conftest import alert_settings
from tests.alerts.receivers import Receiver, serve
from tests.alerts.series import create_tables, put_hour
from tests.alerts.smtp import Inbox, free_port
from vitals.alerts import evaluate
from vitals.alerts.manage import acknowledge
from vitals.alerts.state import AlertStore
from vitals.warehouse import open_warehouse

ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF"
SECRET = "s3cret"
HOUR = datetime(2026, 11, 10, 9)


def page_rule(route: str, severity: str = "critical") -> dict[str, Any]:
    return {
        "name": "quality_low",
        "description": "Fewer than 80% of the hour's jobs passed.",
        "metric": "quality_pass_rate_hourly",
        "condition": {"type": "threshold", "op": "<", "value": 0.8},
        "window": "1h",
        "min_volume": {"metric": "successful_jobs", "at_least": 20},
        "severity": severity,
        "routes": [route],
    }


def fire_and_resolve(settings: Any, sleeps: list[float] | None = None) -> None:
    """An hour at 50% quality (fires at 10:05), then a good hour (resolves at 11:05)."""
    create_tables(settings)
    put_hour(settings, HOUR, jobs=40, passed=20)
    put_hour(settings, HOUR.replace(hour=10), jobs=40, passed=40)
    sink = sleeps if sleeps is not None else []
    evaluate(settings, datetime(2026, 11, 10, 10, 5, tzinfo=UTC), sleep=sink.append)
    evaluate(settings, datetime(2026, 11, 10, 11, 5, tzinfo=UTC), sleep=sink.append)


def deliveries(settings: Any) -> list[tuple[str, int, int | None, str]]:
    with open_warehouse(settings) as wh:
        store = AlertStore(wh)
        kinds = {n.notification_id: n.kind for n in store.notifications()}
        return [(kinds[d["notification_id"]], d["attempt"], d["status_code"], d["outcome"]) for d in store.deliveries()]


def notification_statuses(settings: Any) -> list[tuple[str, str, int]]:
    with open_warehouse(settings) as wh:
        return [(n.kind, n.status, n.attempts) for n in AlertStore(wh).notifications()]


def test_pagerduty_trigger_then_resolve_with_one_dedup_key(tmp_path: Path) -> None:
    with serve(Receiver("pagerduty")) as pd:
        routes = {"oncall": {"type": "pagerduty", "routing_key": ROUTING_KEY, "url": pd.url}}
        settings = alert_settings("duckdb", tmp_path, None, [page_rule("oncall")], routes)
        fire_and_resolve(settings)
        trigger, resolve = pd.bodies()
    assert trigger["routing_key"] == ROUTING_KEY
    assert trigger["event_action"] == "trigger"
    assert trigger["dedup_key"] == "vitals/quality_low/global"
    payload = trigger["payload"]
    assert payload["summary"] == "[CRITICAL] quality_low: Quality pass rate (hourly) is 50.0% (all orgs)"
    assert payload["severity"] == "critical"
    assert payload["source"] == "vitals:global"
    assert payload["class"] == "quality_low" and payload["component"] == "quality_pass_rate_hourly"
    assert payload["custom_details"]["value"] == 0.5
    assert trigger["links"][0]["href"].endswith("/metrics/quality_pass_rate_hourly")
    assert resolve == {"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": trigger["dedup_key"]}
    assert notification_statuses(settings) == [("firing", "sent", 1), ("resolved", "sent", 1)]


def test_pagerduty_hears_acknowledge_between_trigger_and_resolve(tmp_path: Path) -> None:
    with serve(Receiver("pagerduty")) as pd:
        routes = {"oncall": {"type": "pagerduty", "routing_key": ROUTING_KEY, "url": pd.url}}
        settings = alert_settings("duckdb", tmp_path, None, [page_rule("oncall")], routes)
        create_tables(settings)
        put_hour(settings, HOUR, jobs=40, passed=20)
        evaluate(settings, datetime(2026, 11, 10, 10, 5, tzinfo=UTC))
        acknowledge(
            settings,
            "quality_low",
            scope="global",
            comment="rolling back",
            by="ann",
            at=HOUR.replace(hour=10, minute=30),
        )
        put_hour(settings, HOUR.replace(hour=10), jobs=40, passed=40)
        evaluate(settings, datetime(2026, 11, 10, 11, 5, tzinfo=UTC))
        actions = [(b["event_action"], b["dedup_key"]) for b in pd.bodies()]
    key = "vitals/quality_low/global"
    assert actions == [("trigger", key), ("acknowledge", key), ("resolve", key)]
    assert notification_statuses(settings) == [
        ("firing", "sent", 1),
        ("acknowledged", "sent", 1),
        ("resolved", "sent", 1),
    ]


@pytest.mark.parametrize(("severity", "expected"), [("high", "error"), ("medium", "warning"), ("low", "info")])
def test_pagerduty_severity_map(tmp_path: Path, severity: str, expected: str) -> None:
    with serve(Receiver("pagerduty")) as pd:
        routes = {"oncall": {"type": "pagerduty", "routing_key": ROUTING_KEY, "url": pd.url}}
        settings = alert_settings("duckdb", tmp_path, None, [page_rule("oncall", severity)], routes)
        fire_and_resolve(settings)
    assert pd.bodies()[0]["payload"]["severity"] == expected


def test_slack_text_and_blocks(tmp_path: Path) -> None:
    with serve(Receiver("slack")) as slack:
        settings = alert_settings(
            "duckdb",
            tmp_path,
            None,
            [page_rule("cs")],
            {"cs": {"type": "slack", "url": slack.url}},
        )
        fire_and_resolve(settings)
        firing, resolved = slack.bodies()
        headers = slack.requests[0].headers
    assert headers["content-type"] == "application/json"
    assert firing["text"].startswith(":red_circle: [CRITICAL] quality_low: Quality pass rate (hourly) is 50.0%")
    assert [b["type"] for b in firing["blocks"]] == ["section", "section", "context", "actions"]
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in firing["blocks"][1]["fields"]}
    assert fields == {
        "*Metric*": "Quality pass rate (hourly)",
        "*Value*": "50.0%",
        "*Rule*": "Quality pass rate (hourly) &lt; 0.8",
        "*Scope*": "all orgs",
    }
    button = firing["blocks"][3]["elements"][0]
    assert button["type"] == "button" and button["url"].startswith("http")
    assert resolved["text"].startswith(":large_green_circle: [Resolved] quality_low")
    assert notification_statuses(settings) == [("firing", "sent", 1), ("resolved", "sent", 1)]


def test_webhook_is_signed_with_hmac_sha256(tmp_path: Path) -> None:
    with serve(Receiver("webhook", secret=SECRET)) as hook:
        routes = {"hook": {"type": "webhook", "url": hook.url, "secret": SECRET}}
        settings = alert_settings("duckdb", tmp_path, None, [page_rule("hook")], routes)
        fire_and_resolve(settings)
    assert [b["status"] for b in hook.bodies()] == ["firing", "resolved"]
    assert notification_statuses(settings) == [("firing", "sent", 1), ("resolved", "sent", 1)]


def test_webhook_with_the_wrong_secret_is_refused_and_not_retried(tmp_path: Path) -> None:
    with serve(Receiver("webhook", secret="the receiver's secret")) as hook:
        routes = {"hook": {"type": "webhook", "url": hook.url, "secret": "another secret"}}
        settings = alert_settings("duckdb", tmp_path, None, [page_rule("hook")], routes)
        fire_and_resolve(settings)
    assert len(hook.requests) == 2  # 401 is final: one try each
    assert notification_statuses(settings) == [("firing", "failed", 1), ("resolved", "failed", 1)]


def test_retries_on_429_and_503_honouring_retry_after_then_succeeds(tmp_path: Path) -> None:
    receiver = Receiver("slack")
    receiver.script = [(429, {"Retry-After": "7"}, b"rate_limited"), (503, {}, b"unavailable")]
    with serve(receiver) as slack:
        settings = alert_settings(
            "duckdb", tmp_path, None, [page_rule("cs")], {"cs": {"type": "slack", "url": slack.url}}
        )
        sleeps: list[float] = []
        fire_and_resolve(settings, sleeps)
    assert len(receiver.requests) == 4  # three tries for the firing, one for the resolve
    assert sleeps == [7.0, 1.0]  # Retry-After, then backoff 0.5 x 2^1
    assert deliveries(settings) == [
        ("firing", 1, 429, "retry"),
        ("firing", 2, 503, "retry"),
        ("firing", 3, 200, "ok"),
        ("resolved", 1, 200, "ok"),
    ]
    assert notification_statuses(settings) == [("firing", "sent", 3), ("resolved", "sent", 1)]


def test_gives_up_after_max_attempts_on_5xx(tmp_path: Path) -> None:
    receiver = Receiver("pagerduty")
    receiver.script = [(500, {}, b"oops")] * 4
    with serve(receiver) as pd:
        routes = {"oncall": {"type": "pagerduty", "routing_key": ROUTING_KEY, "url": pd.url}}
        settings = alert_settings("duckdb", tmp_path, None, [page_rule("oncall")], routes)
        sleeps: list[float] = []
        fire_and_resolve(settings, sleeps)
    assert sleeps[:3] == [0.5, 1.0, 2.0]
    assert notification_statuses(settings)[0] == ("firing", "failed", 4)


def test_no_retry_on_400(tmp_path: Path) -> None:
    with serve(Receiver("pagerduty")) as pd:
        routes = {"oncall": {"type": "pagerduty", "routing_key": "too-short", "url": pd.url}}
        settings = alert_settings("duckdb", tmp_path, None, [page_rule("oncall")], routes)
        sleeps: list[float] = []
        fire_and_resolve(settings, sleeps)
    assert sleeps == []
    assert [r.json()["event_action"] for r in pd.requests] == ["trigger", "resolve"]
    assert deliveries(settings) == [("firing", 1, 400, "failed"), ("resolved", 1, 400, "failed")]
    with open_warehouse(settings) as wh:
        first = AlertStore(wh).notifications()[0]
    assert first.status == "failed" and "routing_key" in (first.last_error or "")


def test_unconfigured_route_is_recorded_not_fatal(tmp_path: Path) -> None:
    settings = alert_settings("duckdb", tmp_path, None, [page_rule("nowhere")], {})
    fire_and_resolve(settings)
    assert notification_statuses(settings) == [("firing", "unrouted", 0), ("resolved", "unrouted", 0)]


def _html(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("html",))
    assert body is not None, "no HTML part"
    return str(body.get_content())


def test_email_over_smtp_has_html_and_text(tmp_path: Path, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    route = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "vitals@example.com",
        "to": ["ops@example.com", "cs@example.com"],
    }
    settings = alert_settings("duckdb", tmp_path, None, [page_rule("mail")], {"mail": route})
    fire_and_resolve(settings)
    assert [(frm, to) for frm, to, _ in inbox.envelopes] == [
        ("vitals@example.com", ["ops@example.com", "cs@example.com"]),
    ] * 2
    firing: Any = email.message_from_bytes(inbox.envelopes[0][2], policy=email.policy.default)
    assert firing["Subject"].strip() == "[CRITICAL] quality_low: Quality pass rate (hourly) is 50.0% (all orgs)"
    assert firing["X-Vitals-Dedup-Key"] == "vitals/quality_low/global"
    assert firing.get_content_type() == "multipart/alternative"
    html = _html(firing)
    assert "<table>" in html and "50.0%" in html and "Open in vitals" in html
    resolved = email.message_from_bytes(inbox.envelopes[1][2], policy=email.policy.default)
    assert resolved["Subject"].strip().startswith("[Resolved] quality_low")
    assert notification_statuses(settings) == [("firing", "sent", 1), ("resolved", "sent", 1)]


def test_email_server_down_is_retried_then_failed(tmp_path: Path) -> None:
    route = {"type": "email", "host": "127.0.0.1", "port": free_port(), "security": "none",
             "sender": "vitals@example.com", "to": ["ops@example.com"]}  # fmt: skip
    settings = alert_settings("duckdb", tmp_path, None, [page_rule("mail")], {"mail": route})
    sleeps: list[float] = []
    fire_and_resolve(settings, sleeps)
    assert notification_statuses(settings) == [("firing", "failed", 4), ("resolved", "failed", 4)]
    assert sleeps == [0.5, 1.0, 2.0] * 2


@pytest.mark.postgres
def test_pg_notify_on_the_postgres_warehouse(tmp_path: Path, pg_database: str) -> None:
    settings = alert_settings("postgres", tmp_path, pg_database, [page_rule("db")], {"db": {"type": "pg_notify"}})
    with psycopg.connect(pg_database, autocommit=True) as listener:
        listener.execute("listen vitals_alerts")
        fire_and_resolve(settings)
        got = [json.loads(n.payload) for n in listener.notifies(timeout=5, stop_after=2)]
    assert [(n["status"], n["dedup_key"]) for n in got] == [
        ("firing", "vitals/quality_low/global"),
        ("resolved", "vitals/quality_low/global"),
    ]
    assert notification_statuses(settings) == [("firing", "sent", 1), ("resolved", "sent", 1)]


def test_pg_notify_needs_postgres(tmp_path: Path) -> None:
    settings = alert_settings("duckdb", tmp_path, None, [page_rule("db")], {"db": {"type": "pg_notify"}})
    fire_and_resolve(settings)
    with open_warehouse(settings) as wh:
        first = AlertStore(wh).notifications()[0]
    assert first.status == "failed" and "pg_notify needs the postgres engine" in (first.last_error or "")
