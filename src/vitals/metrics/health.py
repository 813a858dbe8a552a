"""Org and provider health, read from the customer-success marts: the one home of these reads for the API
(``/orgs``), the dashboard (every page that lists orgs, the org page) and the CLI (``vitals health``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from vitals.errors import NotFound
from vitals.metrics.activity import wap_trend
from vitals.metrics.models import Component, OrgDetail, OrgOut, ProviderOut, RiskOut, clean
from vitals.metrics.reader import Reader, Source

COMPONENTS = ("engagement", "quality", "depth", "reliability", "latency")
HEALTH = "mart_customer_success_org_health"
PROVIDER_HEALTH = "mart_customer_success_provider_health"
BANDS = ("Critical", "At risk", "Neutral", "Healthy")
"""The health bands worst first: the order every list of bands is sorted by."""
ORGS = Source(
    f"{{core}}.{HEALTH} h"
    " left join {core}.organizations o on o.org_id = h.org_id"
    " left join {core}.mart_customer_success_churn_risk c on c.org_id = h.org_id and c.metric_date = h.metric_date"
    " left join {core}.mart_revenue_mrr_daily r on r.org_id = h.org_id and r.metric_date = h.metric_date",
    "org",
    org_column="h.org_id",
)
"""The health of each org and day, with its plan, MRR and churn risk."""
ORG_HEALTH = Source(f"{{core}}.{HEALTH} h", "org", org_column="h.org_id")
"""The health of each org and day alone (what the CLI shows; it needs no revenue or churn-risk mart)."""
ORGANIZATIONS = Source("{core}.organizations o", "org", org_column="o.org_id")
"""Every org ever seen (scored or not: a churned org keeps its row here)."""
PROVIDERS = Source(f"{{core}}.{PROVIDER_HEALTH} p", "org", org_column="p.org_id")
SCORE_COLUMNS = (
    "c.churn_risk_score as churn_risk_score, c.churn_risk_band as churn_risk_band, "
    "c.churn_risk_factors as churn_risk_factors, c.weighted_mrr_at_risk_cents as weighted_mrr_at_risk_cents, "
    "c.churn_risk_rank as churn_risk_rank"
)
"""The churn-risk score's columns (alias c)."""
ORG_COLUMNS = (
    "h.*, o.current_plan as plan, r.mrr_cents as mrr_cents, c.is_at_risk as is_at_risk, c.risk_rank as risk_rank, "
    "c.mrr_at_risk_cents as mrr_at_risk_cents, c.risk_factors as risk_factors, " + SCORE_COLUMNS
)
LIST_COLUMNS = (
    "h.org_id, h.org_name, h.metric_date, h.health_score, h.health_band, h.health_score_change_7d, "
    "o.current_plan as plan, r.mrr_cents as mrr_cents, c.is_at_risk as is_at_risk, "
    "c.churn_risk_score as churn_risk_score, c.churn_risk_band as churn_risk_band, count(*) over () as total_rows"
)
"""What a list shows (not the components), with the total of the filtered rows in the same read."""
WORST_FIRST = "h.health_score, h.org_name, h.org_id"
RISK_FIRST = "c.churn_risk_rank, h.health_score, h.org_name, h.org_id"
"""The at-risk order: churn-risk score x MRR, then MRR (the mart's ``churn_risk_rank``); not at risk last."""
CHURN_RISK = "mart_customer_success_churn_risk"
AT_RISK = Source(
    f"{{core}}.{CHURN_RISK} c"
    " left join {core}.organizations o on o.org_id = c.org_id"
    f" left join {{core}}.{HEALTH} h on h.org_id = c.org_id and h.metric_date = c.metric_date",
    "org",
    org_column="c.org_id",
)
"""The churn risk of each org with its health that day (an org with no health score is listed too)."""
AT_RISK_COLUMNS = (
    "c.org_id, c.org_name, c.metric_date, o.current_plan as plan, c.mrr_at_risk_cents, c.risk_rank, "
    "c.risk_factors, h.health_score, h.health_band, " + SCORE_COLUMNS
)
WAP_TREND_WEEKS = 8


def scored_day(reader: Reader, mart: str, as_of: date | None) -> date | None:
    """The latest scored day of a health mart on or before ``as_of``."""
    sql = f"select max(metric_date) from {reader.warehouse.core_schema}.{mart}"
    value = reader.warehouse.query(sql + " where metric_date <= ?", [as_of]) if as_of else reader.warehouse.query(sql)
    day = value[0][0]
    return None if day is None else date.fromisoformat(str(day)[:10])


def org_rows(
    reader: Reader,
    day: date,
    conditions: list[str] | None = None,
    params: list[Any] | None = None,
    *,
    source: Source = ORGS,
    columns: str = ORG_COLUMNS,
    limit: int | None = None,
    offset: int = 0,
    action: str = "orgs.list",
    target: str = "orgs",
    order_by: str = WORST_FIRST,
) -> list[dict[str, Any]]:
    """The orgs scored on ``day`` under ``conditions`` (on ``ORGS``' aliases h, o, c, r), worst health first;
    ``source=ORG_HEALTH`` with ``columns="h.*"`` for the health alone; ``order_by=RISK_FIRST`` for the at-risk
    order."""
    return reader.select(
        source,
        columns=columns,
        conditions=["h.metric_date = ?", *(conditions or [])],
        params=[day, *(params or [])],
        order_by=order_by,
        limit=limit,
        offset=offset,
        action=action,
        target=target,
    )


def at_risk_rows(
    reader: Reader,
    as_of: date | None,
    conditions: list[str] | None = None,
    params: list[Any] | None = None,
    *,
    action: str = "orgs.at_risk",
) -> list[dict[str, Any]]:
    """The at-risk orgs (paying, with a named or a score factor) of the churn-risk day on or before ``as_of``
    under ``conditions`` (on ``AT_RISK``' aliases c, o, h), by churn-risk score x MRR, then MRR: each with its
    score, band, both factor lists, MRR at risk and weighted MRR at risk, and its health that day if any."""
    day = scored_day(reader, CHURN_RISK, as_of)
    if day is None:
        return []
    return reader.select(
        AT_RISK,
        columns=AT_RISK_COLUMNS,
        conditions=["c.metric_date = ?", "c.is_at_risk", *(conditions or [])],
        params=[day, *(params or [])],
        order_by="c.churn_risk_rank, c.org_id",
        action=action,
        target=CHURN_RISK,
    )


def count_orgs(reader: Reader, day: date, conditions: list[str], params: list[Any]) -> int:
    """How many orgs scored on ``day`` match ``conditions``."""
    return reader.count(ORGS, conditions=["h.metric_date = ?", *conditions], params=[day, *params])


def band_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many orgs are in each health band (every band listed, in order)."""
    counts = dict.fromkeys(BANDS, 0)
    for row in rows:
        if row["health_band"] in counts:
            counts[row["health_band"]] += 1
    return counts


def org_out(row: dict[str, Any]) -> OrgOut:
    """One row of ``org_rows`` as the list shows it."""
    return OrgOut(
        org_id=row["org_id"],
        org_name=row["org_name"],
        as_of=row["metric_date"],
        health_score=clean(row["health_score"]),
        health_band=row["health_band"],
        health_score_change_7d=clean(row["health_score_change_7d"]),
        mrr_cents=None if row["mrr_cents"] is None else int(row["mrr_cents"]),
        plan=row["plan"],
        is_at_risk=row["is_at_risk"],
        churn_risk_score=clean(row.get("churn_risk_score")),
        churn_risk_band=row.get("churn_risk_band"),
    )


def factor_list(text: str | None) -> list[str]:
    """A comma-separated factor list as the mart renders it, as a list."""
    return [f.strip() for f in (text or "").split(",") if f.strip()]


def band_rank(band: str | None) -> int:
    """A band's place worst first (0 for Critical); an unknown or missing band sorts last."""
    return BANDS.index(band) if band in BANDS else len(BANDS)


def org_profile(reader: Reader, org_id: str) -> dict[str, Any] | None:
    """What is known of any org, scored or not: name, plan, MRR, whether it is active, first and last seen
    (None when the org was never seen)."""
    rows = reader.select(
        ORGANIZATIONS,
        columns="o.org_id, o.org_name, o.current_plan as plan, o.mrr_cents, o.is_active, o.first_seen_at, "
        "o.last_seen_at",
        conditions=["o.org_id = ?"],
        params=[org_id],
        action="orgs.read",
        target=org_id,
    )
    return rows[0] if rows else None


def org_names(reader: Reader) -> dict[str, str]:
    """Each org's name by id (orgs without a name are left out)."""
    rows = reader.select(ORGANIZATIONS, columns="o.org_id, o.org_name", action="orgs.names", target="orgs")
    return {str(r["org_id"]): str(r["org_name"]) for r in rows if r["org_name"]}


def org_detail(reader: Reader, org_id: str, as_of: date | None) -> OrgDetail:
    """The org's health score, band and five components with their week-over-week change, the sentence that
    explains the move, MRR, plan, the weekly active providers of the last 8 full weeks and the churn-risk
    factors, on the latest scored day on or before ``as_of``. ``NotFound`` when it has no score."""
    day = scored_day(reader, HEALTH, as_of)
    rows = [] if day is None else org_rows(reader, day, ["h.org_id = ?"], [org_id], action="orgs.read", target=org_id)
    if not rows or day is None:
        raise NotFound(f"org {org_id} has no health score{f' on {day.isoformat()}' if day else ''}")
    row = rows[0]
    return OrgDetail(
        **org_out(row).model_dump(),
        components=[
            Component(
                name=name,
                value=clean(row[f"health_{name}"]),
                points=clean(row[f"health_{name}_points"]),
                points_change_7d=clean(row[f"health_{name}_points_change_7d"]),
            )
            for name in COMPONENTS
        ],
        sentence=row["health_move"],
        providers_scored=row["health_providers_scored"],
        wap_trend=wap_trend(reader, org_id, day, WAP_TREND_WEEKS, action="orgs.read", audited=False),
        risk=RiskOut(
            is_at_risk=row["is_at_risk"],
            risk_rank=row["risk_rank"],
            mrr_at_risk_cents=None if row["mrr_at_risk_cents"] is None else int(row["mrr_at_risk_cents"]),
            factors=factor_list(row["risk_factors"]),
            score=clean(row["churn_risk_score"]),
            band=row["churn_risk_band"],
            score_factors=factor_list(row["churn_risk_factors"]),
            weighted_mrr_at_risk_cents=None
            if row["weighted_mrr_at_risk_cents"] is None
            else int(row["weighted_mrr_at_risk_cents"]),
            score_rank=row["churn_risk_rank"],
        ),
    )


def provider_rows(
    reader: Reader, org_id: str, day: date, *, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """The org's providers scored on ``day``, worst health first."""
    return reader.select(
        PROVIDERS,
        conditions=["p.metric_date = ?", "p.org_id = ?"],
        params=[day, org_id],
        order_by="p.health_score, p.provider_id",
        limit=limit,
        offset=offset,
        action="orgs.providers",
        target=org_id,
    )


def count_providers(reader: Reader, org_id: str, day: date) -> int:
    """How many of the org's providers are scored on ``day``."""
    return reader.count(PROVIDERS, conditions=["p.metric_date = ?", "p.org_id = ?"], params=[day, org_id])


def provider_out(row: dict[str, Any]) -> ProviderOut:
    """One row of ``provider_rows`` as the API shows it."""
    return ProviderOut(
        provider_id=row["provider_id"],
        org_id=row["org_id"],
        as_of=row["metric_date"],
        health_score=clean(row["health_score"]),
        health_band=row["health_band"],
        health_score_change_7d=clean(row["health_score_change_7d"]),
        sentence=row["health_move"],
        jobs_7d=row["health_jobs_7d"],
        notes_7d=row["health_notes_7d"],
    )
