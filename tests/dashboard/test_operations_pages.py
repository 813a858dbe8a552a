"""The reliability, data health, catalog and weekly digest pages in Chromium: their numbers against the API's
(or the marts'), their filters, who may open them, and no console error, page error or failed request."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import httpx
import pytest

from tests.dashboard.conftest import Browser, Served
from tests.dashboard.test_browser import assert_readable, column
from vitals.alerts.rules import load_rules
from vitals.dashboard.datasets import timestamp
from vitals.dashboard.pages.digest import saved_weeks
from vitals.metrics.headline import format_value
from vitals.reports.digest import report_dir

LATENCY = ("duration_ms_p50", "duration_ms_p95", "summarize_ms_p50", "summarize_ms_p95")


def card_values(browser: Browser) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for card in browser.page.locator("article.card").all():
        raw = card.get_attribute("data-value") or ""
        found[card.get_attribute("data-metric") or ""] = float(raw) if raw else None
    return found


def last_value(served: Served, metric: str, end: str, **params: str) -> float | None:
    points = served.api("admin", f"/metrics/{metric}/series", to=end, **params)["points"]
    known = [p["value"] for p in points if p["value"] is not None]
    return known[-1] if known else None


def test_reliability_numbers_slo_and_org_filter(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/reliability")
    assert_readable(page)
    end = page.input_value("form.filters input[name=to]")
    shown = card_values(browser)
    for metric in ("error_rate_per_100_attempts", *LATENCY, "quality_pass_rate_1d"):
        assert shown[metric] == pytest.approx(last_value(served, metric, end)), metric
    assert shown["duration_ms_p50"] is not None
    # the SLOs are the configured alert rules' thresholds (10 and 3 minutes by default)
    thresholds = {r.metric: r.condition.value for r in load_rules(served.settings) if r.name.endswith("_slow")}
    turnaround = page.locator("article.card[data-metric=duration_ms_p50] [data-slo]")
    assert float(turnaround.get_attribute("data-slo") or "nan") == thresholds["duration_ms_p50"] == 600_000
    assert "SLO 10 min (Turnaround slow)" in turnaround.inner_text()
    summarize = page.locator("article.card[data-metric=summarize_ms_p50] [data-slo]")
    assert "SLO 3 min (Summarization slow)" in summarize.inner_text()
    # the charts are drawn, the SLO is a line of the latency chart, and each has a table and a CSV
    assert page.evaluate("() => Object.keys(window.Chart.instances).length") == 4
    section = page.locator("section#turnaround")
    section.locator("button.toggle").click()
    slo = section.locator(".chart-table td[data-key=slo_ms]").all_inner_texts()
    assert slo and set(slo) == {"10 min"}
    csv = page.request.get(served.url + (section.locator("a.csv").get_attribute("href") or ""))
    assert csv.status == 200 and csv.text().splitlines()[0] == "x,duration_ms_p50,duration_ms_p95,slo_ms"
    # the quality pass rate by hour: the generated incident shows as an hour well below the rest
    hourly = page.request.get(served.url + (page.locator("section#quality_hourly a.csv").get_attribute("href") or ""))
    rates = [float(r.split(",")[1]) for r in hourly.text().splitlines()[1:] if r.split(",")[1]]
    assert len(rates) > 24 and min(rates) < 0.8 <= max(rates)
    # per org: the cards become the org's
    page.select_option("form.filters select[name=org]", served.org_id)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    assert f"org={served.org_id}" in page.url
    org_cards = card_values(browser)
    for metric in ("error_rate_per_100_attempts", "duration_ms_p50"):
        assert org_cards[metric] == pytest.approx(last_value(served, metric, end, org=served.org_id)), metric


def test_an_org_token_reads_its_own_reliability(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["org"])
    assert_readable(page)
    # its reliability is on its own org page (the vendor's reliability page lists every org's incidents)
    assert page.locator("section#turnaround").count() == 1
    nav = {text.strip() for text in page.locator("header nav a").all_inner_texts()}
    assert not {"Reliability", "Data health", "Digest"} & nav, nav
    for path in ("/reliability", "/data-health", "/digest"):
        browser.expected.add((path, 403))
        response = page.goto(served.url + path)
        assert response is not None and response.status == 403, path


def test_data_health_per_source_and_builds(browser: Browser, served: Served, dashboard_built) -> None:  # type: ignore[no-untyped-def]
    page = browser.login(served.tokens["admin"])
    page.click("header nav a:has-text('Data health')")
    page.wait_for_load_state("load")
    assert page.url.startswith(served.url + "/data-health")
    with duckdb.connect(str(dashboard_built.warehouse), read_only=True) as con:
        mart = {
            r[0]: r[1:]
            for r in con.execute(
                "select source_table, rows_raw, duplicates_dropped, invalid_id_rows from mart_data_health"
            ).fetchall()
        }
    cells = page.locator("table[data-table=sources] td[data-key=source_table]")
    sources = cells.evaluate_all("tds => tds.map(td => td.getAttribute('data-value'))")
    # each source by the name people know it by (the cell's value keeps the landing table's name)
    assert "App events" in cells.all_inner_texts() and "events_big" not in cells.all_inner_texts()
    assert set(mart) <= set(sources)
    for name, (rows_raw, duplicates, invalid) in mart.items():
        row = page.locator("table[data-table=sources] tbody tr", has=page.locator(f"td[data-value='{name}']"))
        assert row.locator("td[data-key=rows_raw]").get_attribute("data-value") == str(rows_raw)
        assert row.locator("td[data-key=duplicates_dropped]").get_attribute("data-value") == str(duplicates)
        assert row.locator("td[data-key=invalid_id_rows]").get_attribute("data-value") == str(invalid)
    # live freshness is the server's /api/v1/status
    admin = {"Authorization": f"Bearer {served.tokens['admin']}"}
    status = httpx.get(f"{served.url}/api/v1/status", headers=admin, timeout=30).json()
    for name, source in status["sources"].items():
        if source["newest_row_loaded_at"]:
            row = page.locator("table[data-table=sources] tbody tr", has=page.locator(f"td[data-value='{name}']"))
            landed = row.locator("td[data-key=newest_row_loaded_at]").inner_text()
            assert landed == timestamp(source["newest_row_loaded_at"])
            assert float(row.locator("td[data-key=lag_seconds]").get_attribute("data-value") or "nan") >= 0
    # the scheduled jobs are the server's, with their next run
    assert set(column(page, "jobs", "job")) == set(status["jobs"])
    builds = page.inner_text("section#builds")
    assert "No build since the server started" in builds or "success" in builds or "failed" in builds
    # operational details: not for a cs token (the nav hides the page, the page answers 403)
    browser.context.clear_cookies()
    page = browser.login(served.tokens["cs"])
    assert page.locator("header nav a", has_text="Data health").count() == 0
    browser.expected.add(("/data-health", 403))
    response = page.goto(served.url + "/data-health")
    assert response is not None and response.status == 403


def test_catalog_search_and_series(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["viewer"])
    page.click("header nav a:has-text('Catalog')")
    page.wait_for_load_state("load")
    api = served.api("viewer", "/metrics", limit=500)
    names = column(page, "metrics", "name")
    assert names == [m["name"] for m in api["items"]] and len(names) == api["total"]
    first = api["items"][0]
    row = page.locator("table[data-table=metrics] tbody tr").first
    assert row.locator("td[data-key=definition]").inner_text() == first["definition"].strip()
    assert row.locator("td[data-key=model]").inner_text() == first["model"]
    assert row.locator("td[data-key=unit]").inner_text() == first["unit"]
    # the search box filters as you type
    page.fill("#catalog-search", "summarization p95")
    visible = [
        n for n in page.locator("table[data-table=metrics] tbody tr:visible td[data-key=name]").all_inner_texts()
    ]
    expected = [
        m["name"]
        for m in api["items"]
        if all(w in " ".join(str(v) for v in m.values()).lower() for w in ("summarization", "p95"))
    ]
    assert "summarize_ms_p95" in visible and len(visible) < len(names)
    assert set(expected) <= set(visible)
    assert page.inner_text("#catalog-count") == f"{len(visible)} of {len(names)} metrics"
    page.fill("#catalog-search", "")
    assert page.locator("table[data-table=metrics] tbody tr:visible").count() == len(names)
    # a metric links to its series, the API's
    page.fill("#catalog-search", "mrr_cents")
    page.click("table[data-table=metrics] a[href^='/catalog/mrr_cents']")
    page.wait_for_load_state("load")
    assert page.url.startswith(served.url + "/catalog/mrr_cents")
    assert_readable(page)
    end = page.input_value("form.filters input[name=to]")
    start = page.input_value("form.filters input[name=from]")
    series = served.api("viewer", "/metrics/mrr_cents/series", **{"from": start, "to": end})["points"]
    page.click("section#series button.toggle")
    shown = page.locator("section#series .chart-table td[data-key=x]").all_inner_texts()
    assert shown == [p["period_start"] for p in series]
    assert page.evaluate("() => Object.keys(window.Chart.instances).length") == 1
    # an hourly metric points to the reliability page
    browser.goto("/catalog/quality_pass_rate_hourly")
    assert "reliability page" in page.inner_text("main")
    browser.expected.add(("/catalog/no_such_metric", 404))
    response = page.goto(served.url + "/catalog/no_such_metric")
    assert response is not None and response.status == 404


def test_weekly_digest_in_the_dashboard(browser: Browser, served: Served) -> None:
    folder = report_dir(served.settings)
    # start with none saved (another test of this session may have opened the digest page already)
    for saved in list(folder.glob("*")) if folder.exists() else []:
        if saved.is_file():
            saved.unlink()
    assert saved_weeks(folder) == []
    page = browser.login(served.tokens["admin"])
    page.click("header nav a:has-text('Digest')")
    page.wait_for_load_state("load")
    assert_readable(page)
    # none saved: the page built and saved the last full week's
    week = date.fromisoformat(page.locator("p.period").get_attribute("data-week") or "")
    assert saved_weeks(folder) == [week]
    assert "built now for the last full week" in page.inner_text("p.period")
    # the last full day: the latest built day before today (business time)
    today = datetime.now(ZoneInfo(served.settings.timezone)).date()
    latest = date.fromisoformat(served.api("admin", "/summary")["end"])
    assert week == min(latest, today - timedelta(days=1))
    frame = page.frame_locator("iframe.digest")
    assert frame.locator("h1").inner_text().startswith("vitals weekly:")
    assert page.locator("iframe.digest").get_attribute("sandbox") == ""
    # its headline numbers are the API's for that week
    summary = served.api("admin", "/summary", period="week", as_of=week.isoformat())
    mrr = next(i for i in summary["items"] if i["metric"] == "mrr_cents")
    row = frame.locator("tr", has_text=mrr["label"]).first
    assert format_value("cents", mrr["value"]) in row.inner_text()
    images = frame.locator("img")
    assert images.count() == 3
    for i in range(3):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), i
        assert (images.nth(i).get_attribute("src") or "").startswith("data:image/png;base64,")
    # the saved one is shown next time (no rebuild) and can be picked by week
    browser.goto(f"/digest?week={week.isoformat()}")
    assert "built now" not in page.inner_text("p.period")
    assert page.locator("select[name=week] option").count() == 1
    browser.expected.add(("/digest", 404))
    response = page.goto(served.url + "/digest?week=2001-01-07")
    assert response is not None and response.status == 404
    # a viewer reads company-wide numbers only: the digest names orgs
    browser.context.clear_cookies()
    page = browser.login(served.tokens["viewer"])
    assert page.locator("header nav a", has_text="Digest").count() == 0
    browser.expected.add(("/digest", 403))
    response = page.goto(served.url + "/digest")
    assert response is not None and response.status == 403
