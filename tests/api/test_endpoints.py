"""What the endpoints answer on the built dataset: catalog, series at each grain, summary arithmetic,
orgs with filters and pagination, one org's detail, providers, cohorts and ``as_of``."""

from __future__ import annotations

from datetime import date, timedelta
from statistics import mean

from tests.api.api_dataset import OA, OB, Api
from vitals.metrics.activity import last_full_week
from vitals.metrics.catalog import default_catalog
from vitals.warehouse import open_warehouse


def _daily(api: Api, metric: str, entity_id: str = "global") -> dict[date, float]:
    with open_warehouse(api.settings) as warehouse:
        rows = warehouse.query(
            "select metric_date, value from metrics_daily "
            "where metric_name = ? and entity_id = ? and value is not null",
            [metric, entity_id],
        )
    return {r[0]: float(r[1]) for r in rows}


def test_catalog_lists_every_metric_paginated_and_filtered(duck_api: Api) -> None:
    catalog = default_catalog()
    page = duck_api.get("viewer", "/metrics", limit=10, offset=5).json()
    assert page["total"] == len(catalog.metrics) and len(page["items"]) == 10 and page["offset"] == 5
    tier1 = duck_api.get("viewer", "/metrics", tier=1, limit=500).json()
    assert {m["name"] for m in tier1["items"]} == {m.name for m in catalog.metrics.values() if m.tier == 1}
    clamped = duck_api.get("viewer", "/metrics", limit=5000).json()
    assert clamped["limit"] == duck_api.settings.api.max_page_size
    dad = duck_api.get("viewer", "/metrics/dad").json()
    assert dad["unit"] == "count" and dad["grain"] == ["global", "org"]
    missing = duck_api.get("viewer", "/metrics/dadd")
    assert missing.status_code == 404 and "dad" in missing.json()["detail"]


def test_series_day_week_month_follow_the_unit_rule(duck_api: Api) -> None:
    daily = _daily(duck_api, "dad")
    day = duck_api.get("cs", "/metrics/dad/series", **{"from": "2026-02-09", "to": "2026-02-20"}).json()
    assert {date.fromisoformat(p["period_start"]): p["value"] for p in day["points"]} == {
        d: v for d, v in daily.items() if date(2026, 2, 9) <= d <= date(2026, 2, 20)
    }
    week = duck_api.get("cs", "/metrics/dad/series", grain="week").json()
    assert week["aggregation"] == "mean"
    monday = date(2026, 2, 16)
    points = {p["period_start"]: p["value"] for p in week["points"]}
    assert points["2026-02-16"] == mean(v for d, v in daily.items() if monday <= d < monday + timedelta(days=7))
    mrr = _daily(duck_api, "mrr_cents", OA)
    month = duck_api.get("cs", "/metrics/mrr_cents/series", grain="month", org=OA).json()
    assert month["aggregation"] == "last"
    feb = max(d for d in mrr if d.month == 2)
    assert {p["period_start"]: p["value"] for p in month["points"]}["2026-02-01"] == mrr[feb]


def test_series_as_of_reads_nothing_after_it(duck_api: Api) -> None:
    series = duck_api.get("viewer", "/metrics/dad/series", as_of="2026-02-15").json()
    assert series["points"] and max(p["period_start"] for p in series["points"]) == "2026-02-15"


def test_series_refuses_a_grain_the_metric_lacks_and_bad_ranges(duck_api: Api) -> None:
    no_org = duck_api.get("cs", "/metrics/paying_orgs/series", org=OA)
    assert no_org.status_code == 400 and "grain" in no_org.json()["detail"]
    backwards = duck_api.get("cs", "/metrics/dad/series", **{"from": "2026-02-10", "to": "2026-02-01"})
    assert backwards.status_code == 400
    assert duck_api.get("cs", "/metrics/dad/series", grain="year").status_code == 422


def test_summary_compares_trailing_periods(duck_api: Api) -> None:
    summary = duck_api.get("viewer", "/summary", period="week").json()
    assert (summary["start"], summary["end"], summary["previous_end"]) == ("2026-02-14", "2026-02-20", "2026-02-13")
    daily = _daily(duck_api, "dad")
    dad = next(i for i in summary["items"] if i["metric"] == "dad")
    current = mean(v for d, v in daily.items() if date(2026, 2, 14) <= d <= date(2026, 2, 20))
    previous = mean(v for d, v in daily.items() if date(2026, 2, 7) <= d <= date(2026, 2, 13))
    assert dad["value"] == current and dad["previous"] == previous
    assert abs(dad["change"] - (current - previous)) < 1e-9
    assert abs(dad["change_percent"] - 100 * (current - previous) / previous) < 1e-9
    month = duck_api.get("viewer", "/summary", period="month", as_of="2026-02-10").json()
    assert month["end"] == "2026-02-10" and month["start"] == "2026-01-12"


def test_orgs_filters_and_pagination(duck_api: Api) -> None:
    everyone = duck_api.get("cs", "/orgs").json()
    assert everyone["total"] == 2
    assert [o["org_id"] for o in everyone["items"]] == [OB, OA]  # worst health first: B 44, A 59.5
    a = next(o for o in everyone["items"] if o["org_id"] == OA)
    assert (a["plan"], a["mrr_cents"], a["health_band"], a["is_at_risk"]) == ("Pro", 50000, "At risk", True)
    assert (a["churn_risk_score"], a["churn_risk_band"]) == (0, "Low")
    assert [o["org_id"] for o in duck_api.get("cs", "/orgs", risk=True).json()["items"]] == [OA]
    assert [o["org_id"] for o in duck_api.get("cs", "/orgs", risk=False).json()["items"]] == [OB]
    assert [o["org_id"] for o in duck_api.get("cs", "/orgs", plan="Pro").json()["items"]] == [OA]
    assert duck_api.get("cs", "/orgs", band="Healthy").json()["total"] == 0
    second = duck_api.get("cs", "/orgs", limit=1, offset=1).json()
    assert [o["org_id"] for o in second["items"]] == [OA] and second["total"] == 2


def test_one_org_with_its_reasons(duck_api: Api) -> None:
    org = duck_api.get("sales", f"/orgs/{OA}").json()
    assert org["health_score"] == 59.5 and org["sentence"] == "up 8: engagement +8, depth +5, reliability −5"
    components = {c["name"]: c for c in org["components"]}
    assert set(components) == {"engagement", "quality", "depth", "reliability", "latency"}
    assert sum(c["points"] for c in components.values()) == org["health_score"]
    assert components["engagement"]["points_change_7d"] == 8.0
    # no score factor fires (active, no ticket, every provider activated, 1 of 2 features used, paid): score 0, Low
    assert org["risk"] == {
        "is_at_risk": True,
        "risk_rank": 1,
        "mrr_at_risk_cents": 50000,
        "factors": ["seats unused"],
        "score": 0.0,
        "band": "Low",
        "score_factors": [],
        "weighted_mrr_at_risk_cents": 0,
        "score_rank": 1,
    }
    # WAP: seed 000's weekly active providers (a successful job that week) of the 8 full weeks to the scored day
    with open_warehouse(duck_api.settings) as wh:
        rows = wh.query(
            f"select week_start, weekly_active_providers from {wh.core_schema}.mart_analyses_weekly_active_providers "
            "where org_id = ?",
            [OA],
        )
    wap = {str(week)[:10]: float(n) for week, n in rows}
    last = last_full_week(date.fromisoformat(org["as_of"]))
    weeks = [(last - timedelta(weeks=n)).isoformat() for n in range(7, -1, -1)]
    assert [p["period_start"] for p in org["wap_trend"]] == weeks
    assert [p["value"] for p in org["wap_trend"]] == [wap.get(week, 0.0) for week in weeks]
    assert any(p["value"] for p in org["wap_trend"])
    unknown = duck_api.get("sales", "/orgs/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404


def test_providers_and_cohorts(duck_api: Api) -> None:
    providers = duck_api.get("cs", f"/orgs/{OA}/providers").json()
    scores = [p["health_score"] for p in providers["items"]]
    assert providers["total"] == len(scores) >= 2 and scores == sorted(scores)
    assert all(p["org_id"] == OA for p in providers["items"])
    retention = duck_api.get("analyst", "/cohorts", kind="retention", org=OB, limit=500).json()
    assert {r["entity_id"] for r in retention["items"]} == {OB}
    revenue = duck_api.get("analyst", "/cohorts", kind="revenue").json()
    first = revenue["items"][0]
    assert (first["cohort_start"], first["age"], first["cohort_mrr_cents"]) == ("2026-01-01", 0, 50000)


def test_a_metric_of_a_source_not_loaded_says_so_and_has_no_points(duck_api: Api) -> None:
    nps = duck_api.get("viewer", "/metrics/nps").json()
    assert (nps["source"], nps["status"]) == ("nps_responses", "source not connected")
    assert duck_api.get("viewer", "/metrics/dad").json()["status"] == "ok"
    listed = duck_api.get("viewer", "/metrics", domain="customer_success", limit=500).json()["items"]
    missing = {m["name"]: m["source"] for m in listed if m["status"] == "source not connected"}
    assert {"nps", "nps_responses", "nps_promoters", "nps_passives", "nps_detractors"} <= set(missing)
    assert set(missing.values()) == {"nps_responses", "retention_campaigns"}  # neither is loaded here
    assert all(m["status"] == "ok" for m in listed if m["source"] is None)
    series = duck_api.get("cs", "/metrics/nps/series", org=OA).json()
    assert (series["status"], series["points"]) == ("source not connected", [])
