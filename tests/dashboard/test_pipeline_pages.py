"""The sales page's pipeline and the marketing page in Chromium: their numbers are the marts' rows; sales sees
both, customer success sees the account signals only, an org token neither."""

from __future__ import annotations

import httpx

from tests.alerts.generated import Built
from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import mart


def _token(served: Served, role: str, name: str) -> str:
    made = httpx.post(
        f"{served.url}/api/v1/tokens",
        json={"role": role, "name": name},
        headers={"Authorization": f"Bearer {served.tokens['admin']}"},
        timeout=30.0,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


def test_sales_sees_the_pipeline_as_the_marts_have_it(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(_token(served, "sales", "dash-pipeline-sales"))
    assert page.url.removeprefix(served.url).split("?")[0] == "/sales"
    day = page.locator("p.period").first.inner_text().split("As of ")[1][:10]
    daily = mart(dashboard_built, "select * from mart_sales_daily where cast(metric_date as varchar) = ?", [day])
    assert len(daily) == 1
    for metric in ("sales_pipeline_cents", "sales_stalled_deals", "sales_win_rate_90d"):
        card = page.locator(f'article.card[data-metric="{metric}"]')
        expected = daily[0][metric]
        shown = card.get_attribute("data-value")
        assert (shown or None) == (None if expected is None else shown) and (
            expected is None or abs(float(shown or "nan") - float(expected)) < 1e-6
        ), metric
    # the largest open deals are the mart's, largest first
    top = mart(
        dashboard_built,
        "select company_name from mart_sales_deals where is_open "
        "order by amount_cents desc nulls last, deal_id limit 10",
    )
    shown = page.locator('table[data-table="top_deals"] td[data-key="company_name"]').all_inner_texts()
    assert shown == [r["company_name"] for r in top]
    stalled = mart(dashboard_built, "select count(*) as n from mart_sales_deals where is_stalled")[0]["n"]
    assert page.locator('table[data-table="stalled_deals"] tbody tr').count() == stalled > 0
    assert page.locator('table[data-table="quota"] tbody tr').count() >= 1
    for chart in ("stage_funnel", "forecast"):
        assert page.locator(f"section#{chart} canvas").count() == 1, chart

    browser.goto("/marketing")
    spend = mart(dashboard_built, "select count(distinct channel) as n from mart_marketing_channels_daily")[0]["n"]
    assert page.locator("section#spend canvas").count() == 1 and spend >= 3
    assert page.locator('table[data-table="funnel"] tbody tr').count() >= 3
    channels = page.locator('table[data-table="cac"] td[data-key="channel"]').all_inner_texts()
    assert "all" in channels


def test_cs_reads_account_signals_only_and_org_tokens_neither(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["cs"])
    browser.goto("/sales")
    assert page.locator("#pipeline").count() == 0 and page.locator('table[data-table="seats"]').count() == 1
    assert "/marketing" not in page.locator("header nav").inner_html()
    refused = page.request.get(served.url + "/marketing")
    assert refused.status == 403
    browser.logout()
    org = browser.login(served.tokens["org"])
    for path in ("/sales", "/marketing"):
        assert org.request.get(served.url + path).status == 403, path


def test_the_deals_api_filters_as_the_mart_has_it(served: Served, dashboard_built: Built) -> None:
    stalled = served.api("admin", "/deals", status="stalled", limit=500)
    expected = mart(dashboard_built, "select deal_id from mart_sales_deals where is_stalled")
    assert stalled["total"] == len(expected) > 0
    assert {d["deal_id"] for d in stalled["items"]} == {r["deal_id"] for r in expected}
    owner = stalled["items"][0]["owner_id"]
    mine = served.api("admin", "/deals", owner=owner, limit=500)
    count = mart(dashboard_built, "select count(*) as n from mart_sales_deals where owner_id = ?", [owner])[0]["n"]
    assert mine["total"] == count and {d["owner_id"] for d in mine["items"]} == {owner}
    won = served.api("admin", "/deals", status="won", limit=1)
    assert won["items"][0]["is_won"] and won["items"][0]["closed_at"] is not None
