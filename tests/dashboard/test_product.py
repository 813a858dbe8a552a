"""The product page in Chromium: usage heat maps, funnel, time to first value, retention cohorts, feature
adoption and lifecycle against the marts and the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.alerts.generated import Built
from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import apply, csv_rows, mart, number
from tests.dashboard.test_browser import assert_readable
from vitals.dashboard.pages.product import BUCKETS, bucket

DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


def retention_cells(served: Served, role: str, end: str, **params: str) -> dict[tuple[str, int], float | None]:
    items = served.api(role, "/cohorts", kind="retention", limit=1000, **params)["items"]
    return {(i["cohort_start"], i["age"]): i["retention_rate"] for i in items if i["activity_start"] <= end}


def test_product_numbers_are_the_marts_and_the_apis(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/product")
    assert_readable(page)
    start, end = page.input_value("[name=from]"), page.input_value("[name=to]")
    # the heat maps: 7 weekdays × 24 hours, the mart's averages, shaded by value
    load = {
        (DAYS[r["dow"]], r["hour_of_day"]): r for r in mart(dashboard_built, "select * from mart_analyses_hourly_load")
    }
    for dataset, key in (("load_events", "avg_events"), ("load_jobs", "avg_successful_jobs")):
        rows = csv_rows(page, served, dataset)
        assert [r["day"] for r in rows] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        for row in rows:
            for hour in range(24):
                assert number(row[f"h{hour:02d}"]) == pytest.approx(load[(row["day"], hour)][key])
        assert page.locator(f"table[data-table={dataset}] td[data-shade]").count() == 7 * 24
        assert page.locator(f"table[data-table={dataset}] td[data-shade='1.00']").count() >= 1
    # the funnel: providers summed over the orgs
    funnel = mart(
        dashboard_built,
        "select sum(provider_signups) as s, sum(providers_first_transcription) as f, "
        "sum(providers_regular_usage) as r from mart_analyses_adoption_funnel",
    )[0]
    steps = [number(r["providers"]) for r in csv_rows(page, served, "funnel")]
    assert steps == [funnel["s"], funnel["f"], funnel["r"]]
    assert f"{100 * funnel['f'] / funnel['s']:.1f}%" in page.inner_text("[data-funnel-rates]")
    # time to first value: every org that reached it by the range's end, in its bucket
    days = mart(
        dashboard_built,
        "select days_to_first_value as d from mart_analyses_time_to_first_value "
        "where days_to_first_value is not null and cast(first_transcription_at as date) <= ? "
        "and cast(signup_at as date) >= (select min(cast(first_transcription_at as date)) "
        "from mart_analyses_time_to_first_value)",
        [end],
    )
    counts = [0.0] * (len(BUCKETS) + 1)
    for row in days:
        counts[bucket(row["d"])] += 1
    assert [number(r["orgs"]) for r in csv_rows(page, served, "time_to_first_value")] == counts
    assert sum(counts) > 0
    # retention cohorts: the API's weekly cohorts that start in the range
    api = retention_cells(served, "admin", end)
    grid = csv_rows(page, served, "retention")
    assert grid
    monday = date.fromisoformat(start) - timedelta(days=date.fromisoformat(start).weekday())
    for row in grid:
        assert row["cohort"] >= monday.isoformat()
        for key, value in row.items():
            if key.startswith("w") and value != "":
                assert number(value) == pytest.approx(api[(row["cohort"], int(key[1:]))])
    # feature adoption and lifecycle: the global rows of the marts
    adoption = csv_rows(page, served, "feature_adoption")
    shares = {
        (str(r["week_start"]), r["feature"]): r["feature_job_share"]
        for r in mart(dashboard_built, "select * from mart_product_feature_adoption where entity_type = 'global'")
    }
    checked = 0
    for row in adoption:
        for feature in ("note", "auto_coding"):
            if row.get(feature) and (row["x"], feature) in shares:
                assert number(row[feature]) == pytest.approx(shares[(row["x"], feature)])
                checked += 1
    assert checked >= 2
    lifecycle = {
        str(r["week_start"]): r
        for r in mart(dashboard_built, "select * from mart_product_lifecycle where entity_type = 'global'")
    }
    for row in csv_rows(page, served, "lifecycle"):
        week = lifecycle[row["x"]]
        assert number(row["lifecycle_active_providers"]) == week["lifecycle_active_providers"]
        assert number(row["lifecycle_dormant_providers"]) == -week["lifecycle_dormant_providers"]
    assert page.evaluate("() => Object.keys(window.Chart.instances).length") == 4


def test_product_filters_and_roles(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/product")
    end = page.input_value("[name=to]")
    company = csv_rows(page, served, "retention")
    # one org: its cohorts and its funnel
    apply(page, org=served.org_id)
    assert "heat maps are company-wide" in page.inner_text("p.notice")
    mine = csv_rows(page, served, "retention")
    assert mine != company
    api = retention_cells(served, "admin", end, org=served.org_id)
    for row in mine:
        for key, value in row.items():
            if key.startswith("w") and value != "":
                assert number(value) == pytest.approx(api[(row["cohort"], int(key[1:]))])
    signups = mart(
        dashboard_built, "select provider_signups from mart_analyses_adoption_funnel where org_id = ?", [served.org_id]
    )[0]["provider_signups"]
    assert number(csv_rows(page, served, "funnel")[0]["providers"]) == signups
    # a plan: the funnel sums the plan's orgs
    plan = served.api("admin", f"/orgs/{served.org_id}")["plan"]
    browser.goto("/product")
    apply(page, plan=plan)
    total = mart(
        dashboard_built,
        "select sum(f.provider_signups) as s from mart_analyses_adoption_funnel f "
        "join organizations o on o.org_id = f.org_id where o.current_plan = ?",
        [plan],
    )[0]["s"]
    assert number(csv_rows(page, served, "funnel")[0]["providers"]) == total
    # a date range: the weekly charts start on the range's first Monday
    later = date.fromisoformat(end) - timedelta(days=14)
    browser.goto(f"/product?from={later.isoformat()}&to={end}")
    weeks = [r["x"] for r in csv_rows(page, served, "lifecycle")]
    assert weeks[0] == (later - timedelta(days=later.weekday())).isoformat() and len(weeks) <= 3
    browser.logout()
    # a viewer: company-wide charts; the lists summed over orgs say why they are empty
    page = browser.login(served.tokens["viewer"])
    browser.goto("/product")
    assert_readable(page)
    assert "viewer token reads company-wide metrics only" in page.inner_text("section#funnel")
    assert csv_rows(page, served, "retention") == company
    browser.logout()
    # an org token: the product page is the vendor's (every org's load and funnel)
    page = browser.login(served.tokens["org"])
    assert page.locator("header nav a", has_text="Product").count() == 0
    browser.expected.add(("/product", 403))
    response = page.goto(served.url + "/product")
    assert response is not None and response.status == 403, "a vendor page, closed to org tokens"
