"""PagerDuty Events API v2: ``trigger`` on firing, ``acknowledge`` when someone takes the incident in vitals,
``resolve`` on resolved, one ``dedup_key`` for all three."""

from __future__ import annotations

import json
from typing import Any

import httpx

from vitals.alerts.delivery import Attempt, http_attempt
from vitals.alerts.settings import PagerDutyRoute


def pagerduty_event(message: dict[str, Any], routing_key: str, dashboard_url: str) -> dict[str, Any]:
    """The Events v2 body for ``message``."""
    if message["status"] in ("resolved", "acknowledged"):
        action = "resolve" if message["status"] == "resolved" else "acknowledge"
        return {"routing_key": routing_key, "event_action": action, "dedup_key": message["dedup_key"]}
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": message["dedup_key"],
        "payload": {
            "summary": message["summary"][:1024],
            "source": f"vitals:{message['scope']}",
            "severity": message["pagerduty_severity"],
            "timestamp": message["at"],
            "component": message["metric"],
            "group": "global" if message["org_id"] is None else "org",
            "class": message["rule"],
            "custom_details": {
                "value": message["value"],
                "condition": message["condition"],
                "reason": message["reason"],
                "description": message["description"],
                "org_id": message["org_id"],
                "started_at": message["started_at"],
            },
        },
        "client": "vitals",
        "client_url": dashboard_url,
        "links": [{"href": message["url"], "text": "Open in vitals"}],
    }


class PagerDutyEvents:
    """POST events to the Events API v2 endpoint."""

    def __init__(self, name: str, config: PagerDutyRoute, client: httpx.Client, dashboard_url: str) -> None:
        self.name = name
        self.url = config.url
        self.routing_key = config.routing_key.get_secret_value()
        self.client = client
        self.dashboard_url = dashboard_url

    def send(self, message: dict[str, Any]) -> Attempt:
        body = json.dumps(pagerduty_event(message, self.routing_key, self.dashboard_url)).encode()
        return http_attempt(self.client, self.url, content=body, headers={"Content-Type": "application/json"})
