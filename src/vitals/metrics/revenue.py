"""Revenue by month and MRR by day, company-wide or over a filtered set of orgs (one org, a plan).

Every monthly number is ``mart_revenue_segments_monthly``'s, where the bridge and its ratios are computed for
all orgs, each current plan and each org: company-wide its global rows (``mart_revenue_monthly``), else the
row of the org or of the plan a reader filters on."""

from __future__ import annotations

from datetime import date
from typing import Any

from vitals.metrics.reader import Reader, Source

MOVEMENTS = (
    ("new_mrr_cents", "New", 1),
    ("expansion_mrr_cents", "Expansion", 1),
    ("reactivation_mrr_cents", "Reactivation", 1),
    ("contraction_mrr_cents", "Contraction", -1),
    ("churned_mrr_cents", "Churn", -1),
)
"""The MRR movements of a month: column, label and the sign they are charted with."""
SUMS = ("start_mrr_cents", "end_mrr_cents", *(name for name, _, _ in MOVEMENTS))
COUNTS = ("customers_start", "customers_end", "churned_customers")
RATES = ("arpa_month_end_cents", "nrr", "grr", "logo_churn_rate", "revenue_churn_rate")
MONTHLY = Source("{core}.mart_revenue_monthly", "global")
SEGMENTS = Source("{core}.mart_revenue_segments_monthly", "org", org_column="segment")
"""Read for one org or one plan; an org token's reach (``segment`` = its org) leaves it its own org's rows."""
ORG_MRR = Source(
    "{core}.mart_revenue_mrr_daily d left join {core}.organizations o on o.org_id = d.org_id",
    "org",
    org_column="d.org_id",
)
COLUMNS = ", ".join(("month_start", *SUMS, *COUNTS, *RATES))


def revenue_months(
    reader: Reader,
    first_month: date,
    end: date,
    *,
    org: str | None = None,
    plan: str | None = None,
    action: str = "revenue.months",
) -> list[dict[str, Any]]:
    """Per month from ``first_month`` to ``end``: the bridge, orgs paying at start and end, churned orgs, ARPA,
    NRR, GRR, logo and revenue churn, oldest first. Company-wide when no ``org`` or ``plan`` narrows the read
    and the reader reads every org (or no org rows at all); else the one org's rows (``org``, or the org a
    reader is limited to), kept only when its current plan is ``plan`` if both are given, or the plan's."""
    one_org = org or reader.org_id
    if reader.allows("org_metrics") and (one_org or plan):
        conditions = ["segment_type = ?", "segment = ?", "month_start >= ?", "month_start <= ?"]
        params: list[Any] = ["org" if one_org else "plan", one_org or plan, first_month, end]
        if one_org and plan:
            conditions.append("plan = ?")
            params.append(plan)
        return reader.select(
            SEGMENTS,
            columns=COLUMNS,
            conditions=conditions,
            params=params,
            order_by="month_start",
            action=action,
            target="mart_revenue_segments_monthly",
            org_level=bool(one_org),
        )
    return reader.select(
        MONTHLY,
        columns=COLUMNS,
        conditions=["month_start >= ?", "month_start <= ?"],
        params=[first_month, end],
        order_by="month_start",
        org_level=False,
    )


def mrr_by_day(
    reader: Reader, start: date, end: date, conditions: list[str], params: list[Any], *, action: str = "revenue.mrr"
) -> list[dict[str, Any]]:
    """The MRR of the orgs selected by ``conditions`` (on ``ORG_MRR``' aliases d and o) on each day from
    ``start`` to ``end``: ``metric_date``, ``mrr_cents``."""
    return reader.select(
        ORG_MRR,
        columns="d.metric_date, sum(coalesce(d.mrr_cents, 0)) as mrr_cents",
        conditions=["d.metric_date >= ?", "d.metric_date <= ?", *conditions],
        params=[start, end, *params],
        group_by="d.metric_date",
        order_by="d.metric_date",
        action=action,
        target="mart_revenue_mrr_daily",
    )


ORG_MOVEMENTS = Source(
    "{core}.mart_revenue_movements_monthly m left join {core}.organizations o on o.org_id = m.org_id",
    "org",
    org_column="m.org_id",
)
"""Each org's movement of each month (the rows the bridge sums), with its name and plan."""


def org_movements(
    reader: Reader,
    first: date,
    last: date,
    conditions: list[str],
    params: list[Any],
    *,
    action: str = "revenue.org_movements",
) -> list[dict[str, Any]]:
    """The orgs behind the MRR bridge of the months from ``first`` to ``last`` (conditions on ``ORG_MOVEMENTS``'
    aliases m and o): each org that moved (new, expansion, reactivation, contraction, churn; not the retained or
    inactive ones) with its MRR at the month's start and end, newest month first, largest MRR first."""
    return reader.select(
        ORG_MOVEMENTS,
        columns="m.month_start, m.org_id, o.org_name, o.current_plan as plan, m.movement, m.start_mrr_cents, "
        "m.end_mrr_cents",
        conditions=[
            "m.month_start >= ?",
            "m.month_start <= ?",
            "m.movement not in ('retained', 'inactive')",
            *conditions,
        ],
        params=[first, last, *params],
        order_by="m.month_start desc, greatest(coalesce(m.start_mrr_cents, 0), coalesce(m.end_mrr_cents, 0)) desc, "
        "o.org_name, m.org_id",
        action=action,
        target="mart_revenue_movements_monthly",
    )
