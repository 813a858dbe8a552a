"""Text from data reaches Slack as text: an org name or alert summary holding ``<!channel>`` or a disguised link
``<https://evil|dashboard>`` is escaped for mrkdwn in alert notifications and in the weekly digest."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from vitals.alerts.routes.mrkdwn import escape, link
from vitals.alerts.routes.slack import slack_body
from vitals.health import HealthLine
from vitals.reports.weekly import AlertLine, WeeklyReport, render_slack

HOSTILE = "Acme & Co <!channel> <https://evil.example/login|open the dashboard> <@U024BE7LH>"
ESCAPED = "Acme &amp; Co &lt;!channel&gt; &lt;https://evil.example/login|open the dashboard&gt; &lt;@U024BE7LH&gt;"


def mrkdwn_texts(body: Any) -> list[str]:
    """Every string Slack parses as mrkdwn: the top-level ``text`` and each ``mrkdwn`` object's text."""
    found = [body["text"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body["blocks"])
    return found


def control_sequences(texts: list[str]) -> list[str]:
    """What Slack would read as a mention or a link: every ``<...>``."""
    return [m for text in texts for m in re.findall(r"<[^>]*>", text)]


def test_escape_follows_slacks_three_rules() -> None:
    assert escape(HOSTILE) == ESCAPED
    assert escape("a &amp; b") == "a &amp;amp; b"  # shown as typed, not decoded
    assert escape("*bold* _it_") == "*bold* _it_"


def test_a_link_cannot_be_closed_early_by_its_url_or_label() -> None:
    made = link("https://vitals.example/orgs/x>|<!channel", "open <!here>")
    assert made.count("<") == 1 and made.count(">") == 1
    assert made.startswith("<https://vitals.example/orgs/x%3E%7C%3C!channel|open &lt;!here&gt;")


def test_an_alert_notification_escapes_summary_reason_description_and_scope() -> None:
    message = {
        "status": "firing",
        "severity": "critical",
        "summary": f"[CRITICAL] health_low: Health score is 12 (org {HOSTILE})",
        "metric_label": "Health score",
        "value_text": "12",
        "condition": "Health score < 40",
        "org_id": HOSTILE,
        "description": "Page <!subteam^S123> now",
        "reason": "score 12 < 40 & falling",
        "url": "https://vitals.example/orgs/acme",
    }
    body = slack_body(message)
    texts = mrkdwn_texts(body)
    assert control_sequences(texts) == ["<https://vitals.example/orgs/acme|open>"]
    joined = json.dumps(texts)
    assert ESCAPED in joined and "Health score &lt; 40" in joined and "12 &lt; 40 &amp; falling" in joined
    assert "<!channel>" not in joined and "<!subteam" not in joined


def test_the_weekly_digest_escapes_org_names_and_alert_summaries() -> None:
    mover = HealthLine(
        entity_type="org",
        entity_id="550e8400-e29b-41d4-a716-446655440000",
        name=HOSTILE,
        org_id="550e8400-e29b-41d4-a716-446655440000",
        as_of=date(2026, 11, 30),
        score=31.0,
        band="Critical",
        components={},
        points={},
        change_7d=-14.0,
        move="down 14: engagement <!here> −9",
    )
    alert = AlertLine(datetime(2026, 11, 28, tzinfo=UTC), "health_low", "org", f"health low for {HOSTILE}", "firing")
    report = WeeklyReport(date(2026, 11, 24), date(2026, 11, 30), [], None, [mover], [alert], "https://vitals.example/")
    texts = mrkdwn_texts(render_slack(report))
    assert control_sequences(texts) == ["<https://vitals.example/digest?week=2026-11-30|open the digest>"]
    joined = json.dumps(texts)
    assert f"• {ESCAPED}: 31 (Critical) down 14: engagement &lt;!here&gt; −9" in "\n".join(texts)
    assert f"health low for {ESCAPED}" in joined
