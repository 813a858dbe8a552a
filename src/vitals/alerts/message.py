"""The notification every route renders: one JSON-able dict, stored in the outbox as it is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vitals.alerts.rules import Rule
from vitals.alerts.state import AlertState
from vitals.metrics.catalog import default_catalog
from vitals.metrics.headline import format_value

PAGERDUTY_SEVERITY = {"critical": "critical", "high": "error", "medium": "warning", "low": "info"}
"""Rule severity -> PagerDuty Events v2 ``payload.severity``."""


def dedup_key(rule_name: str, scope: str) -> str:
    """The one key of a rule and scope across every route and every notification of one incident."""
    return f"vitals/{rule_name}/{scope}"


def build_message(
    rule: Rule, state: AlertState, kind: str, at: datetime, dashboard_url: str, *, by: str = ""
) -> dict[str, Any]:
    """What is said when ``rule`` fires (``firing``, ``repeat``), is acknowledged (``acknowledged``) or resolves
    (``resolved``, ``by`` whom) for a scope."""
    metric = default_catalog().metric(rule.metric)
    status = kind if kind in ("resolved", "acknowledged") else "firing"
    where = "all orgs" if state.scope == "global" else f"org {state.scope}"
    value = format_value(metric.unit, state.value)
    head = {"resolved": "Resolved", "acknowledged": f"Acknowledged by {by}"}.get(status, rule.severity.upper())
    summary = f"[{head}] {rule.name}: {metric.label} is {value} ({where})"
    base = dashboard_url.rstrip("/")
    link = f"{base}/orgs/{state.scope}" if state.scope != "global" else f"{base}/metrics/{rule.metric}"
    return {
        "version": 1,
        "dedup_key": dedup_key(rule.name, state.scope),
        "status": status,
        "kind": kind,
        "rule": rule.name,
        "description": rule.description,
        "severity": rule.severity,
        "pagerduty_severity": PAGERDUTY_SEVERITY[rule.severity],
        "scope": state.scope,
        "org_id": None if state.scope == "global" else state.scope,
        "metric": rule.metric,
        "metric_label": metric.label,
        "value": state.value,
        "value_text": value,
        "condition": rule.summary_text(metric),
        "reason": state.reason,
        "summary": summary[:1024],
        "started_at": state.firing_since.isoformat() if state.firing_since else None,
        "at": at.isoformat(),
        "url": link,
        **({"acknowledged_by": by} if status == "acknowledged" else {}),
    }
