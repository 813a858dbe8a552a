"""Seat utilization and expansion candidates, read from ``mart_customer_success_churn_risk``: the model whose
``churn_seat_utilization`` (providers with a successful job in the 30 days to the as-of day ÷ seats purchased)
also decides its ``seats unused`` risk factor, so the sales page and the churn risk agree on what a used seat
is."""

from __future__ import annotations

from typing import Any

from vitals.metrics.reader import Reader, Source

SEATS = Source(
    "{core}.mart_customer_success_churn_risk c left join {core}.organizations o on o.org_id = c.org_id",
    "org",
    org_column="c.org_id",
)
SEAT_COLUMNS = (
    "c.org_id, c.org_name, o.current_plan as plan, c.metric_date, c.churn_seats_purchased as seats_purchased, "
    "c.churn_active_providers_30d as active_providers, c.churn_seat_utilization as utilization, "
    "c.churn_seats_purchased - c.churn_active_providers_30d as free_seats, o.mrr_cents"
)


def seat_rows(
    reader: Reader,
    conditions: list[str] | None = None,
    params: list[Any] | None = None,
    *,
    expansion_only: bool = False,
    action: str = "accounts.seats",
) -> list[dict[str, Any]]:
    """Every org with purchased seats under ``conditions`` (on ``SEATS``' aliases c and o), most used first:
    seats, active providers (30 days), utilization and unused seats; only the mart's expansion candidates
    (utilization at or above ``churn_risk.expansion_utilization``) with ``expansion_only``."""
    wanted = ["c.churn_seats_purchased > 0", *(conditions or [])]
    values = list(params or [])
    if expansion_only:
        wanted.append("c.expansion_candidate")
    return reader.select(
        SEATS,
        columns=SEAT_COLUMNS,
        conditions=wanted,
        params=values,
        order_by="c.churn_seat_utilization desc, c.org_name, c.org_id",
        action=action,
        target="mart_customer_success_churn_risk",
    )
