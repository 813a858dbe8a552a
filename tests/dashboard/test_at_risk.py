"""The customer success page's at-risk list: each account's churn-risk score and band beside its factors,
sorted by score x MRR, then MRR, as the churn-risk mart ranks them, in Chromium."""

from __future__ import annotations

from tests.alerts.generated import Built
from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import mart


def test_the_at_risk_list_shows_score_and_band_sorted_by_score_times_mrr(
    browser: Browser, served: Served, dashboard_built: Built
) -> None:
    page = browser.login(served.tokens["cs"])
    table = page.locator('table[data-table="at_risk"]')
    rows = table.locator("tbody tr").all()
    expected = mart(
        dashboard_built,
        "select org_id, churn_risk_score, churn_risk_band, churn_risk_factors, risk_factors, mrr_at_risk_cents "
        "from mart_customer_success_churn_risk where is_at_risk order by churn_risk_rank",
    )
    assert expected and len(rows) == len(expected)
    shown = []
    for row in rows:
        href = row.locator('td[data-key="org_name"] a').get_attribute("href") or ""
        score = float(row.locator('td[data-key="churn_risk_score"]').get_attribute("data-value") or "nan")
        mrr = float(row.locator('td[data-key="mrr_at_risk_cents"]').get_attribute("data-value") or "nan")
        band = row.locator('td[data-key="churn_risk_band"]').inner_text().strip()
        assert band == ("High" if score >= 70 else "Medium" if score >= 40 else "Low")
        shown.append((href.split("/orgs/")[1].split("?")[0], score, mrr))
    assert [s[0] for s in shown] == [str(e["org_id"]) for e in expected]
    assert [(s[1], s[2]) for s in shown] == [(e["churn_risk_score"], e["mrr_at_risk_cents"]) for e in expected]
    keys = [(-score * mrr, -mrr) for _, score, mrr in shown]
    assert keys == sorted(keys)
    first = expected[0]
    cells = rows[0].inner_text()
    for factors in (first["churn_risk_factors"], first["risk_factors"]):
        if factors:
            assert factors in cells
    assert "score x MRR" in page.inner_text("[data-rule=at_risk]")


def test_the_api_lists_at_risk_orgs_by_score_times_mrr(served: Served, dashboard_built: Built) -> None:
    items = served.api("cs", "/orgs", risk="true", limit=100)["items"]
    assert items and all(i["is_at_risk"] and i["churn_risk_band"] in ("High", "Medium", "Low") for i in items)
    ranks = {
        str(r["org_id"]): r["churn_risk_rank"]
        for r in mart(dashboard_built, "select org_id, churn_risk_rank from mart_customer_success_churn_risk")
    }
    listed = [ranks[i["org_id"]] for i in items]
    assert listed == sorted(listed)
    detail = served.api("cs", f"/orgs/{items[0]['org_id']}")["risk"]
    assert detail["score"] == items[0]["churn_risk_score"] and detail["band"] == items[0]["churn_risk_band"]
