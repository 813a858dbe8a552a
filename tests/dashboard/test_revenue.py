"""The revenue page in Chromium: MRR trend, movements, ARPA, churn, NRR/GRR and cohorts against the API."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import apply, csv_rows, number
from tests.dashboard.test_browser import assert_readable

RATES = ("nrr", "grr", "logo_churn_rate", "revenue_churn_rate")


def test_revenue_numbers_are_the_apis(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/revenue")
    assert_readable(page)
    for chart in ("mrr_trend", "movements", "arpa", "churn", "nrr_grr"):
        assert page.locator(f"section#{chart} canvas").count() == 1, chart
    assert page.evaluate("() => Object.keys(window.Chart.instances).length") == 5
    start = page.input_value("form.filters input[name=from]")
    end = page.input_value("form.filters input[name=to]")
    # the daily MRR is the API's series
    api = served.api("admin", "/metrics/mrr_cents/series", **{"from": start, "to": end})["points"]
    trend = csv_rows(page, served, "mrr_trend")
    assert [r["x"] for r in trend] == [p["period_start"] for p in api]
    assert [number(r["mrr_cents"]) for r in trend] == pytest.approx([p["value"] for p in api])
    # the monthly ratios are the API's (dated on each month's last built day)
    monthly = {r["month"]: r for r in csv_rows(page, served, "monthly")}
    assert monthly
    checked = 0
    for rate in RATES:
        for point in served.api("admin", f"/metrics/{rate}/series", **{"from": start, "to": end})["points"]:
            if point["value"] is not None and point["period_start"][:7] in monthly:
                assert number(monthly[point["period_start"][:7]][rate]) == pytest.approx(point["value"]), rate
                checked += 1
    assert checked >= 4
    # the month's end MRR is the paying orgs' MRR; ARPA is it per paying org
    last = monthly[max(monthly)]
    orgs = served.api("admin", "/orgs", limit=500)["items"]
    assert number(last["end_mrr_cents"]) == pytest.approx(sum(o["mrr_cents"] or 0 for o in orgs))
    paying = sum(1 for o in orgs if (o["mrr_cents"] or 0) > 0)
    assert number(last["customers_end"]) == paying
    arpa = {r["x"]: number(r["arpa_month_end_cents"]) for r in csv_rows(page, served, "arpa")}
    assert arpa[max(monthly)] == pytest.approx(number(last["end_mrr_cents"]) / paying)  # type: ignore[operator]
    # the movements bridge: start + new + expansion + reactivation - contraction - churn = end
    for row in csv_rows(page, served, "movements"):
        month = monthly[row["x"]]
        moved = sum(number(row[k]) or 0 for k in row if k.endswith("_mrr_cents") and k != "end_mrr_cents")
        assert (number(month["start_mrr_cents"]) or 0) + moved == pytest.approx(number(row["end_mrr_cents"]))
    # the cohorts heat maps are the API's revenue cohorts
    cohorts = served.api("admin", "/cohorts", kind="revenue", limit=1000)["items"]
    grid = {r["cohort"]: r for r in csv_rows(page, served, "logo_cohorts")}
    revenue = {r["cohort"]: r for r in csv_rows(page, served, "revenue_cohorts")}
    shown = 0
    for item in cohorts:
        month = item["cohort_start"][:7]
        if month in grid and item["activity_start"] <= end:
            assert number(grid[month][f"logo_m{item['age']}"]) == pytest.approx(item["retention_rate"])
            assert number(revenue[month][f"revenue_m{item['age']}"]) == pytest.approx(item["revenue_retention"])
            shown += 1
    assert shown >= 1
    cells = page.locator("table[data-table=logo_cohorts] td[data-shade]")
    assert cells.count() >= shown and "rgba" in (cells.first.get_attribute("style") or "")
    # the table view of a chart
    section = page.locator("section#churn")
    section.locator("button.toggle").click()
    assert section.locator(".chart-table").is_visible()
    assert "%" in section.locator(".chart-table td[data-key=logo_churn_rate]").first.inner_text()


def test_revenue_filters_narrow_the_page(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/revenue")
    everyone = {r["month"]: r for r in csv_rows(page, served, "monthly")}
    orgs = served.api("admin", "/orgs", limit=500)["items"]
    by_plan: dict[str, float] = defaultdict(float)
    for org in orgs:
        if org["plan"]:
            by_plan[org["plan"]] += org["mrr_cents"] or 0
    plan = max(by_plan, key=lambda p: by_plan[p])
    apply(page, plan=plan)
    assert f"plan={plan}" in page.url
    assert "cohorts are company-wide" in page.inner_text("p.notice")
    narrowed = {r["month"]: r for r in csv_rows(page, served, "monthly")}
    last = max(narrowed)
    assert number(narrowed[last]["end_mrr_cents"]) == pytest.approx(by_plan[plan])
    assert number(narrowed[last]["end_mrr_cents"]) != number(everyone[last]["end_mrr_cents"])
    trend = csv_rows(page, served, "mrr_trend")
    assert number(trend[-1]["mrr_cents"]) == pytest.approx(by_plan[plan])
    # one org: its MRR series
    org = next(o for o in orgs if (o["mrr_cents"] or 0) > 0)
    browser.goto("/revenue")
    apply(page, org=org["org_id"])
    api = served.api("admin", "/metrics/mrr_cents/series", org=org["org_id"], **{"to": page.input_value("[name=to]")})
    assert number(csv_rows(page, served, "mrr_trend")[-1]["mrr_cents"]) == pytest.approx(api["points"][-1]["value"])
    assert number(csv_rows(page, served, "monthly")[-1]["end_mrr_cents"]) == pytest.approx(org["mrr_cents"])
    # a date range: the months of the range only
    end = date.fromisoformat(page.input_value("[name=to]")) - timedelta(days=20)
    browser.goto(f"/revenue?from={(end - timedelta(days=5)).isoformat()}&to={end.isoformat()}")
    assert_readable(page)
    months = [r["month"] for r in csv_rows(page, served, "monthly")]
    assert months and set(months) <= {(end - timedelta(days=5)).strftime("%Y-%m"), end.strftime("%Y-%m")}
    assert csv_rows(page, served, "mrr_trend")[-1]["x"] == end.isoformat()


def test_revenue_for_a_viewer_and_an_org_token(browser: Browser, served: Served) -> None:
    admin = browser.login(served.tokens["admin"])
    browser.goto("/revenue")
    company = csv_rows(admin, served, "monthly")
    browser.logout()
    page = browser.login(served.tokens["viewer"])
    browser.goto("/revenue")
    assert_readable(page)
    assert page.locator("header nav a", has_text="Revenue").count() == 1
    viewer = csv_rows(page, served, "monthly")
    assert [r["month"] for r in viewer] == [r["month"] for r in company]
    for mine, theirs in zip(viewer, company, strict=True):
        for key in ("end_mrr_cents", "customers_end", *RATES):
            assert number(mine[key]) == pytest.approx(number(theirs[key])), key
    browser.logout()
    # an org token: revenue is the vendor's view
    page = browser.login(served.tokens["org"])
    assert page.locator("header nav a", has_text="Revenue").count() == 0
    browser.expected.add(("/revenue", 403))
    response = page.goto(served.url + "/revenue")
    assert response is not None and response.status == 403, "a vendor page, closed to org tokens"
