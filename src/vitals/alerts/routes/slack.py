"""Slack incoming webhooks: ``text`` (the fallback for notifications) and Block Kit ``blocks``."""

from __future__ import annotations

import json
from typing import Any

import httpx

from vitals.alerts.delivery import Attempt, http_attempt
from vitals.alerts.routes.mrkdwn import escape, link
from vitals.alerts.settings import SlackRoute

_EMOJI = {
    "resolved": ":large_green_circle:",
    "acknowledged": ":eyes:",
    "critical": ":red_circle:",
    "high": ":red_circle:",
}


def slack_body(message: dict[str, Any]) -> dict[str, Any]:
    """The webhook body: a one-line ``text`` and blocks with the value, the condition and a dashboard link.

    Every value taken from the message is escaped for mrkdwn, so a ``<!channel>`` or a ``<url|label>`` in an org
    name, a summary or a reason is shown as text."""
    status = message["status"]
    emoji = _EMOJI.get(
        status if status in ("resolved", "acknowledged") else message["severity"], ":large_yellow_circle:"
    )
    title = f"{emoji} {escape(message['summary'])}"
    fields = [
        {"type": "mrkdwn", "text": f"*Metric*\n{escape(message['metric_label'])}"},
        {"type": "mrkdwn", "text": f"*Value*\n{escape(message['value_text'])}"},
        {"type": "mrkdwn", "text": f"*Rule*\n{escape(message['condition'])}"},
        {"type": "mrkdwn", "text": f"*Scope*\n{escape(message['org_id'] or 'all orgs')}"},
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
        {"type": "section", "fields": fields},
    ]
    context = " · ".join(
        escape(x) for x in (message.get("description"), message.get("reason"), message.get("comment")) if x
    )
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context[:2900]}]})
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Open in vitals"}, "url": message["url"]}
            ],
        }
    )
    return {"text": f"{title} {link(message['url'], 'open')}", "blocks": blocks}


class SlackWebhook:
    """POST to a Slack incoming webhook URL."""

    def __init__(self, name: str, config: SlackRoute, client: httpx.Client) -> None:
        self.name = name
        self.url = config.url.get_secret_value()
        self.client = client

    def send(self, message: dict[str, Any]) -> Attempt:
        return self.post(slack_body(message))

    def post(self, body_json: dict[str, Any]) -> Attempt:
        """POST any webhook body (``text`` and ``blocks``)."""
        body = json.dumps(body_json).encode()
        return http_attempt(self.client, self.url, content=body, headers={"Content-Type": "application/json"})
