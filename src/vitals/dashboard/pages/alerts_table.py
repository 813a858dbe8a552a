"""The open-alerts table the executive and reliability pages show: the rules firing now (for the org
filter: that org's), the real-time on-call rules among them."""

from __future__ import annotations

from vitals.api.scope import Source
from vitals.dashboard.datasets import Column, Table
from vitals.dashboard.view import View

ALERT_STATE = Source(
    "alerts.alert_state",
    "long",
    entity_type_column="(case when scope = 'global' then 'global' else 'org' end)",
    entity_id_column="scope",
)


def open_alerts(view: View) -> Table:
    """The alert rules firing now (for the org filter: that org's)."""
    columns = [
        Column("rule_name", "rule"),
        Column("scope_name", "scope"),
        Column("value", "value", "count"),
        Column("reason", "reason"),
        Column("firing_since", "firing since"),
    ]
    empty = "No open alerts."
    warehouse = view.scope.warehouse
    if not warehouse.table_exists("alerts", "alert_state"):
        return Table("alerts", "Open alerts", columns, [], "No alerts evaluated yet: run `vitals alerts eval`.")
    conditions, params = ["state = 'firing'"], []
    if view.filters.org:
        conditions.append("scope = ?")
        params.append(view.filters.org)
    rows = view.scope.select(
        ALERT_STATE,
        columns="rule_name, scope, value, reason, firing_since",
        conditions=conditions,
        params=params,
        order_by="firing_since desc, rule_name, scope",
        action="dashboard.alerts",
        target="alerts",
    )
    names = {o["org_id"]: o["org_name"] for o in view.orgs()} if any(r["scope"] != "global" for r in rows) else {}
    for row in rows:
        row["scope_name"] = "company" if row["scope"] == "global" else names.get(row["scope"], row["scope"])
        row["firing_since"] = str(row["firing_since"])[:16] if row["firing_since"] else None
    return Table("alerts", "Open alerts", columns, rows, empty)
