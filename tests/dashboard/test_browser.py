"""The dashboard in Chromium: log in, open every page, compare its numbers with the API's, use the filters,
and fail on any console error, page error or failed request."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from tests.alerts.generated import Built
from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import mart
from vitals.metrics.activity import last_full_week

HEADLINE = ("mrr_cents", "paying_orgs", "dad", "quality_pass_rate_7d")
"""The cards that show a ``metrics_daily`` metric as ``/summary?period=day`` computes it (WAP is checked on its
own)."""


def cards(page: Page) -> dict[str, float | None]:
    """The executive page's big numbers (the raw value each card carries)."""
    found: dict[str, float | None] = {}
    for card in page.locator("article.card").all():
        raw = card.get_attribute("data-value") or ""
        found[card.get_attribute("data-metric") or ""] = float(raw) if raw else None
    return found


def summary_values(served: Served, role: str, **params: Any) -> dict[str, float | None]:
    answer = served.api(role, "/summary", period="day", **params)
    return {item["metric"]: item["value"] for item in answer["items"]}


def column(page: Page, table: str, key: str) -> list[str]:
    """The texts of a column of a table on the page."""
    return page.locator(f'table[data-table="{table}"] td[data-key="{key}"]').all_inner_texts()


def assert_readable(page: Page) -> None:
    text = page.inner_text("main")
    assert "NaN" not in text and "None" not in text and "undefined" not in text
    assert text.strip(), "the page is blank"


def test_pages_need_a_login_and_a_bad_token_is_refused(browser: Browser, served: Served) -> None:
    page = browser.goto("/customer-success?plan=Growth")
    assert page.url.startswith(served.url + "/login?next=")
    browser.expected.add(("/login", 401))
    page.fill("#token", "vt_not-a-real-token")
    page.click("button[type=submit]")
    assert "unknown or revoked" in page.inner_text(".error")
    page.fill("#token", served.tokens["admin"])
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert page.url == served.url + "/customer-success?plan=Growth"  # back where the login started
    cookie = next(c for c in browser.context.cookies() if c["name"] == "vitals_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert served.tokens["admin"] not in cookie["value"]
    browser.logout()
    assert page.url == served.url + "/login"
    browser.goto("/")
    assert page.url.startswith(served.url + "/login")


def test_executive_numbers_are_the_apis(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(served.tokens["admin"])
    assert page.url == served.url + "/"
    assert_readable(page)
    shown = cards(page)
    api = summary_values(served, "admin")
    for metric in HEADLINE:
        assert shown[metric] == pytest.approx(api[metric]), metric
        assert api[metric] is not None
    end = date.fromisoformat(served.api("admin", "/summary")["end"])
    arr = served.api("admin", "/metrics/arr_cents/series", **{"from": end.isoformat(), "to": end.isoformat()})
    assert shown["arr_cents"] == pytest.approx(arr["points"][-1]["value"])
    # weekly active providers: seed 000's (a successful job that week), the last full week's, not the rolling wau
    assert "wau" not in shown
    week = last_full_week(end)
    wap = mart(
        dashboard_built,
        "select sum(weekly_active_providers) as n from mart_analyses_weekly_active_providers where week_start = ?",
        [week],
    )
    assert shown["weekly_active_providers"] == pytest.approx(float(wap[0]["n"] or 0))
    card = page.locator("article.card[data-metric=weekly_active_providers]")
    assert card.locator("h3").inner_text() == "Weekly active providers"
    assert f"week of {week.isoformat()}" in card.inner_text()
    assert page.locator("article.card .big").all_inner_texts().count("–") == 0
    # the health distribution counts the API's orgs per band
    for band in ("Healthy", "Neutral", "At risk", "Critical"):
        total = served.api("admin", "/orgs", band=band, limit=1)["total"]
        row = page.locator("table[data-table=health] tr", has_text=band)
        assert row.locator("td[data-key=orgs]").inner_text() == str(total)
    # the MRR bridge is drawn, has a table view and a CSV download
    assert page.evaluate("() => Object.keys(window.Chart.instances).length") >= 1
    bridge = page.locator("section#mrr_bridge")
    bridge.locator("button.toggle").click()
    assert bridge.locator(".chart-table").is_visible() and not bridge.locator(".canvas-box").is_visible()
    months = column(page, "mrr_bridge", "x")
    assert months and all(len(m) == 7 for m in months)
    csv = page.request.get(served.url + (bridge.locator("a.csv").get_attribute("href") or ""))
    assert csv.status == 200 and csv.text().splitlines()[0].startswith("x,new_mrr_cents,")
    # the generated quality incident fires the hourly quality rule
    assert "Quality pass rate hourly low" in page.inner_text("section#alerts")
    assert "stamp" in (page.locator("p.stamp").get_attribute("class") or "")
    assert "last updated" in page.inner_text("p.stamp")


def test_filters_change_every_page(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    before = cards(page)
    # org: the big numbers become the org's
    page.select_option("form.filters select[name=org]", served.org_id)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    assert f"org={served.org_id}" in page.url
    org_values = summary_values(served, "admin", org=served.org_id)
    shown = cards(page)
    assert shown["mrr_cents"] == pytest.approx(org_values["mrr_cents"])
    assert shown["mrr_cents"] != before["mrr_cents"]
    assert "paying_orgs" not in shown  # a company-wide number has no per-org value
    # date range: the period ends on the picked day
    end = date.fromisoformat(served.api("admin", "/summary")["end"]) - timedelta(days=7)
    browser.goto(f"/?from={(end - timedelta(days=20)).isoformat()}&to={end.isoformat()}")
    assert f"As of {end.isoformat()}" in page.inner_text("p.period")
    earlier = summary_values(served, "admin", as_of=end.isoformat())
    assert cards(page)["dad"] == pytest.approx(earlier["dad"])
    assert page.input_value("form.filters input[name=to]") == end.isoformat()
    # the filters follow the nav
    page.click("header nav a:has-text('Customer success')")
    page.wait_for_load_state("load")
    assert f"to={end.isoformat()}" in page.url
    # plan: the health table lists the plan's orgs only
    browser.goto("/customer-success")
    plans = served.api("admin", "/orgs", limit=500)["items"]
    plan = sorted({o["plan"] for o in plans if o["plan"]})[0]
    page.select_option("form.filters select[name=plan]", plan)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    assert set(column(page, "health", "plan")) == {plan}
    assert len(column(page, "health", "plan")) == served.api("admin", "/orgs", plan=plan, limit=500)["total"]
    # band (the page's own filter)
    page.select_option("form.filters select[name=band]", "Critical")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    critical = served.api("admin", "/orgs", plan=plan, band="Critical", limit=500)["total"]
    assert len(column(page, "health", "health_band")) == critical
    if not critical:
        assert "No org in band Critical" in page.inner_text("section#health")


def test_customer_success_lists_agree_with_the_org_page(
    browser: Browser, served: Served, dashboard_built: Built
) -> None:
    page = browser.login(served.tokens["cs"])
    browser.goto("/customer-success")
    assert_readable(page)
    api_orgs = served.api("cs", "/orgs", limit=500)
    assert len(column(page, "health", "org_name")) == api_orgs["total"]
    at_risk = served.api("cs", "/orgs", risk="true", limit=500)["total"]
    assert len(column(page, "at_risk", "org_name")) == at_risk
    # sortable: a click on the score header orders the rows by score
    page.click("table[data-table=health] th:has-text('score')")
    scores = [float(v) for v in column(page, "health", "health_score")]
    assert scores == sorted(scores)
    # the least healthy org's page
    worst = api_orgs["items"][0]
    page.click(f"table[data-table=health] a[href^='/orgs/{worst['org_id']}']")
    page.wait_for_load_state("load")
    assert page.url.startswith(f"{served.url}/orgs/{worst['org_id']}")
    assert_readable(page)
    detail = served.api("cs", f"/orgs/{worst['org_id']}")
    score = page.locator("article.card[data-metric=health_score]")
    assert float(score.get_attribute("data-value") or "nan") == pytest.approx(detail["health_score"])
    assert score.locator(".big").inner_text() == f"{detail['health_score']:.1f}"
    assert page.locator("[data-band]").get_attribute("data-band") == detail["health_band"]
    mrr = page.locator("article.card[data-metric=mrr_cents] .big").inner_text()
    assert mrr == ("–" if detail["mrr_cents"] is None else f"${detail['mrr_cents'] / 100:,.0f}")
    points = column(page, "component_now", "points")
    assert points == [f"{c['points']:.1f}" if c["points"] is not None else "–" for c in detail["components"]]
    assert page.inner_text("[data-sentence]") == (detail["sentence"] or "No score 7 days earlier to compare with.")
    assert page.locator("table[data-table=component_now] tbody tr").count() == 5
    for section in ("components", "wap_trend", "errors"):
        assert page.locator(f"section#{section} canvas").count() == 1, section
    weeks = page.locator("section#wap_trend .chart-table td[data-key=weekly_active_providers]").all_inner_texts()
    assert [int(w) for w in weeks] == [int(p["value"]) for p in detail["wap_trend"]]
    # the trend is seed 000's WAP of the org's last 8 full weeks (0 in a week without a successful job)
    rows = mart(
        dashboard_built,
        "select week_start, weekly_active_providers from mart_analyses_weekly_active_providers where org_id = ?",
        [worst["org_id"]],
    )
    by_week = {str(r["week_start"])[:10]: r["weekly_active_providers"] for r in rows}
    assert len(detail["wap_trend"]) == 8
    assert [p["value"] for p in detail["wap_trend"]] == [by_week.get(p["period_start"], 0) for p in detail["wap_trend"]]
    assert page.locator("table[data-table=invoices] tbody tr").count() >= 1
    sessions = page.locator("table[data-table=sessions] tbody tr").count()
    assert sessions == 1 or "No sessions for this org" in page.inner_text("section#sessions")


def test_an_org_token_sees_its_org_only(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["org"])
    assert page.url == f"{served.url}/orgs/{served.org_id}", "an org token lands on its own org's page"
    assert_readable(page)
    assert page.locator("form.filters select[name=org]").count() == 0
    for path in (f"/orgs/{served.other_org_id}", "/", "/customer-success"):
        browser.expected.add((path, 403))
        response = page.goto(served.url + path)
        assert response is not None and response.status == 403, path
    browser.expected.add((f"/orgs/{served.other_org_id}/csv/invoices", 403))
    csv = page.request.get(f"{served.url}/orgs/{served.other_org_id}/csv/invoices")
    assert csv.status == 403


def test_a_viewer_sees_company_numbers_and_no_org_pages(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["viewer"])
    assert_readable(page)
    assert page.locator("header nav a", has_text="Customer success").count() == 0
    assert cards(page)["mrr_cents"] == pytest.approx(summary_values(served, "viewer")["mrr_cents"])
    assert page.locator("table[data-table=health] tbody tr").count() == 4


def test_revoked_token_ends_the_session(browser: Browser, served: Served) -> None:
    created = httpx.post(
        f"{served.url}/api/v1/tokens",
        json={"role": "cs", "name": "dash-revoked"},
        headers={"Authorization": f"Bearer {served.tokens['admin']}"},
        timeout=30,
    )
    assert created.status_code in (200, 201), created.text
    page = browser.login(created.json()["token"])
    assert page.url == served.url + "/customer-success", "a cs token lands on customer success"
    revoked = httpx.delete(
        f"{served.url}/api/v1/tokens/dash-revoked",
        headers={"Authorization": f"Bearer {served.tokens['admin']}"},
        timeout=30,
    )
    assert revoked.status_code in (200, 204), revoked.text
    browser.goto("/")
    assert page.url.startswith(served.url + "/login")
