"""Drill-down and units: every org link of every page opens an org page (churned orgs too), a health band
lists exactly its orgs, durations read in minutes/hours/days, and partial weeks and months are marked."""

from __future__ import annotations

import json
import re
from calendar import monthrange
from datetime import date, timedelta

from tests.alerts.generated import Built
from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import mart
from vitals.dashboard.datasets import Chart, Series, display
from vitals.metrics.health import BANDS

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RAW_DURATION = re.compile(r"\d[\d,]*\s?ms\b|\b\d{1,3}(?:,\d{3})+ s\b|\b\d{4,} s\b")
"""Milliseconds, or seconds past three digits ("286,223 s")."""


def test_durations_read_in_minutes_hours_and_days() -> None:
    assert display("seconds", 286_223) == "3.3 days"
    assert display("milliseconds", 197_912) == "3.3 min"
    assert display("milliseconds", 600_000) == "10 min"
    assert display("seconds", 7_200) == "2 h"
    assert display("milliseconds", 420) == "0.4 s"
    assert display("seconds", 45) == "45 s"


def test_every_org_link_of_every_page_answers(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(served.tokens["admin"])
    pages = sorted({h for h in page.locator("header nav a").evaluate_all("as => as.map(a => a.getAttribute('href'))")})
    assert "/customer-success" in {p.split("?")[0] for p in pages}
    links: dict[str, str] = {}
    for path in pages:
        browser.goto(path)
        for anchor in page.locator("table a[href*='/orgs/']").all():
            href = anchor.get_attribute("href") or ""
            links[href.split("?")[0]] = anchor.inner_text()
    assert links, "no page links to an org"
    # orgs without a score on the last scored day (churned, say) have a page too
    unscored = mart(
        dashboard_built,
        "select org_id from organizations where org_id not in (select org_id from mart_customer_success_org_health "
        "where metric_date = (select max(metric_date) from mart_customer_success_org_health))",
    )
    paths = sorted(links) + [f"/orgs/{r['org_id']}" for r in unscored]
    for path in paths:
        response = page.request.get(served.url + path)
        assert response.status == 200, f"{path}: {response.status}"
        heading = re.search(r"<h1>(.*?)</h1>", response.text(), re.S)
        assert heading and not UUID.search(heading.group(1)), f"{path} is titled by its id"
    for path in (f"/orgs/{r['org_id']}" for r in unscored):
        browser.goto(path)
        assert "no current health score" in page.inner_text("[data-unscored]")
    for text in links.values():
        assert not UUID.fullmatch(text.strip()), "an org link shows an id where the org has a name"
    # before its first score an org page still answers: what exists, and that there is no current score
    first = mart(dashboard_built, "select min(metric_date) as d from mart_customer_success_org_health")[0]["d"]
    before = (first - timedelta(days=1)).isoformat()
    browser.goto(f"/orgs/{served.org_id}?from={(first - timedelta(days=30)).isoformat()}&to={before}")
    assert "no current health score" in page.inner_text("[data-unscored]")
    assert page.inner_text("h1") and not UUID.search(page.inner_text("h1"))
    assert page.locator("section#invoices").count() == 1


def test_a_health_band_lists_exactly_its_orgs(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/customer-success")
    # the distribution, worst band first; the band filter in the same order
    assert page.locator('table[data-table="bands"] td[data-key="health_band"]').all_inner_texts() == list(BANDS)
    options = page.locator("form.filters select[name=band] option").all_inner_texts()
    assert options[1:] == list(BANDS)
    assert "whatever their band" in page.inner_text("section#at_risk h2")
    assert "risk factors" in page.inner_text("[data-rule=at_risk]")
    orgs = served.api("admin", "/orgs", limit=500)["items"]
    for band in BANDS:
        browser.goto("/customer-success")
        page.click(f'table[data-table="bands"] a:text-is("{band}")')
        page.wait_for_load_state("load")
        assert f"band={band.replace(' ', '+')}" in page.url
        expected = sorted(o["org_name"] for o in orgs if o["health_band"] == band)
        shown = page.locator('table[data-table="health"] td[data-key="org_name"]').all_inner_texts()
        assert sorted(shown) == expected, band
        count = [r for r in orgs if r["health_band"] == band]
        assert f"({len(count)})" in page.inner_text("section#health h2") or not count
    # the health list sorts by severity, then score
    browser.goto("/customer-success")
    bands = page.locator('table[data-table="health"] td[data-key="health_band"]').all_inner_texts()
    ranks = [BANDS.index(b) for b in bands]
    assert ranks == sorted(ranks)


def test_no_milliseconds_or_raw_seconds_on_operations_pages(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    for path in ("/data-health", "/reliability"):
        browser.goto(path)
        for toggle in page.locator("button.toggle").all():
            toggle.click()
        text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        found = RAW_DURATION.findall(text)
        assert not found, f"{path}: {found[:5]}"
    browser.goto("/data-health")
    text = page.inner_text("body")
    assert "/api/v1/status" not in text and "mart_data_health" not in text and "`vitals" not in text
    stamps = page.locator('table[data-table="sources"] td[data-key="newest_row_loaded_at"]').all_inner_texts()
    assert all(re.fullmatch(r"(\d{4}-\d\d-\d\d \d\d:\d\d)?|–", s) for s in stamps), stamps


def test_partial_periods_are_marked(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/revenue")
    end = date.fromisoformat(page.input_value("form.filters input[name=to]"))
    last = mart_latest(served, end)
    months = page.locator('table[data-table="monthly"] td[data-key="period"]').all_inner_texts()
    movements = json.loads(page.locator("section#movements canvas").get_attribute("data-chart") or "{}")
    if last.day < monthrange(last.year, last.month)[1]:
        assert months[-1] == f"to {last.isoformat()}"
        assert movements["partial"] == [last.strftime("%Y-%m")]
        assert "partial" in page.inner_text("section#movements h2")
    assert all(m == "full month" for m in months[:-1])
    browser.goto("/product")
    lifecycle = json.loads(page.locator("section#lifecycle canvas").get_attribute("data-chart") or "{}")
    if last.weekday() != 6 and lifecycle["labels"]:
        assert lifecycle["partial"] == [lifecycle["labels"][-1]]
        assert "partial" in page.inner_text("section#lifecycle h2")
    # a range past the data says so in plain words, without commands
    browser.goto("/revenue?from=2099-01-01&to=2099-02-01")
    text = page.inner_text("body")
    assert "vitals ingest" not in text and "vitals build" not in text


def mart_latest(served: Served, end: date) -> date:
    """The last day with data on or before ``end`` (the API's MRR series)."""
    start = end.replace(day=1).isoformat()
    points = served.api("admin", "/metrics/mrr_cents/series", **{"from": start, "to": end.isoformat()})["points"]
    return date.fromisoformat(points[-1]["period_start"][:10]) if points else end


def test_relative_range_presets(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    for path in ("/revenue", "/product", "/sales", "/customer-success"):
        browser.goto(path)
        end = date.fromisoformat(page.input_value("form.filters input[name=to]"))
        page.click("nav.presets a:text-is('Last 7 days')")
        page.wait_for_load_state("load")
        assert page.input_value("form.filters input[name=from]") == (end - timedelta(days=6)).isoformat(), path
        assert page.input_value("form.filters input[name=to]") == end.isoformat()
        assert page.locator("nav.presets a[aria-current]").inner_text() == "Last 7 days"


def test_a_month_of_the_bridge_lists_the_orgs_behind_it(
    browser: Browser, served: Served, dashboard_built: Built
) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/revenue")
    months = page.locator('table[data-table="monthly"] td[data-key="month"] a')
    assert months.count() >= 1
    month = months.last.inner_text()
    months.last.click()
    page.wait_for_load_state("load")
    assert f"month={month}" in page.url
    expected = mart(
        dashboard_built,
        "select o.org_name, m.movement from mart_revenue_movements_monthly m join organizations o using (org_id) "
        "where strftime(m.month_start, '%Y-%m') = ? and m.movement not in ('retained', 'inactive')",
        [month],
    )
    names = page.locator('table[data-table="org_movements"] td[data-key="org_name"]').all_inner_texts()
    moves = page.locator('table[data-table="org_movements"] td[data-key="movement"]').all_inner_texts()
    assert sorted(zip(names, moves, strict=True)) == sorted((r["org_name"], r["movement"]) for r in expected)
    assert all(m == month for m in page.locator('td[data-key="month_start"]').all_inner_texts())


def test_charts_draw_durations_in_minutes_with_axis_titles() -> None:
    chart = Chart(
        "turnaround",
        "Turnaround",
        "line",
        ["2026-12-01"],
        [Series("p50", "p50", [197_912.0])],
        unit="milliseconds",
        time_zone="America/Los_Angeles",
    )
    spec = json.loads(chart.config())
    assert spec["unit"] == "minutes" and spec["series"][0]["values"] == [round(197_912 / 60_000, 4)]
    assert spec["axes"] == {"x": "day (America/Los_Angeles)", "y": "minutes"}
    money = json.loads(Chart("mrr", "MRR", "line", ["2026-12"], [Series("m", "m", [100.0])], unit="cents").config())
    assert money["axes"]["y"] == "US dollars" and money["partial"] == []


def test_the_mrr_trend_overlays_the_previous_period(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/revenue")
    start = date.fromisoformat(page.input_value("form.filters input[name=from]"))
    end = date.fromisoformat(page.input_value("form.filters input[name=to]"))
    length = end - start + timedelta(days=1)
    earlier = served.api(
        "admin",
        "/metrics/mrr_cents/series",
        **{"from": (start - length).isoformat(), "to": (start - timedelta(days=1)).isoformat()},
    )["points"]
    spec = json.loads(page.locator("section#mrr_trend canvas").get_attribute("data-chart") or "{}")
    if not any(p["value"] is not None for p in earlier):
        assert len(spec["series"]) == 1
        return
    by_day = {p["period_start"][:10]: p["value"] for p in earlier}
    previous = spec["series"][1]["values"]
    for label, value in zip(spec["labels"], previous, strict=True):
        known = by_day.get((date.fromisoformat(label) - length).isoformat())
        assert value == (None if known is None else round(known / 100, 4)), label


def test_a_viewer_reads_the_revenue_page_without_org_lists(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["viewer"])
    browser.goto("/revenue")
    assert page.locator("table[data-table=monthly] tbody tr").count() >= 1
    assert page.locator("section#org_movements").count() == 0
    assert page.locator("table[data-table=monthly] a").count() == 0


def test_a_bar_of_the_bridge_opens_the_orgs_of_its_month(browser: Browser, served: Served) -> None:
    """The executive MRR bridge's bars stand for orgs: a click on a month opens the revenue page's list of the
    orgs that moved in it (its table view links the same)."""
    page = browser.login(served.tokens["admin"])
    canvas = page.locator("section#mrr_bridge canvas")
    spec = json.loads(canvas.get_attribute("data-chart") or "{}")
    assert len(spec["links"]) == len(spec["labels"]) >= 1
    assert all(f"month={m}" in link for m, link in zip(spec["labels"], spec["links"], strict=True))
    box = canvas.bounding_box()
    assert box is not None
    canvas.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5})
    page.wait_for_url("**/revenue?*month=*")
    month = page.url.split("month=")[1][:7]
    assert month in spec["labels"]
    assert page.locator('table[data-table="org_movements"]').count() == 1
    assert all(m == month for m in page.locator('td[data-key="month_start"]').all_inner_texts())
    # a viewer reads no org rows: no links, nothing to click through to
    browser.logout()
    viewer = browser.login(served.tokens["viewer"])
    bridge = json.loads(viewer.locator("section#mrr_bridge canvas").get_attribute("data-chart") or "{}")
    assert bridge["links"] == []


def test_a_revenue_cohort_opens_its_orgs(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    browser.goto("/revenue")
    cohorts = page.locator('table[data-table="logo_cohorts"] td[data-key="cohort"] a')
    assert cohorts.count() >= 1
    row = page.locator('table[data-table="logo_cohorts"] tbody tr').first
    month, size = cohorts.first.inner_text(), int(row.locator('td[data-key="cohort_orgs"]').inner_text())
    cohorts.first.click()
    page.wait_for_load_state("load")
    assert f"month={month}" in page.url and "movement=new" in page.url
    moves = page.locator('table[data-table="org_movements"] td[data-key="movement"]').all_inner_texts()
    assert len(moves) == size and set(moves) == {"new"}
    assert "cohort" in page.locator("section#org_movements h2").inner_text()
    bad = page.request.get(served.url + "/revenue?movement=upsell")
    assert bad.status == 400 and "movement" in bad.text()


def test_trend_charts_overlay_the_previous_period(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    for path, section, key in (
        ("/reliability", "errors", "previous_error_rate_per_100_attempts"),
        ("/catalog/dad", "series", "previous_dad"),
    ):
        browser.goto(path)
        end = date.fromisoformat(page.input_value("form.filters input[name=to]"))
        browser.goto(f"{path}?from={(end - timedelta(days=13)).isoformat()}&to={end.isoformat()}")  # 2 weeks back
        spec = json.loads(page.locator(f"section#{section} canvas").get_attribute("data-chart") or "{}")
        keys = [s["key"] for s in spec["series"]]
        assert key in keys, (path, keys)
        assert any(v is not None for v in spec["series"][keys.index(key)]["values"]), path


def test_tables_colour_scores_past_the_alert_line_and_bands(browser: Browser, served: Served) -> None:
    """The customer success tables colour a health score under the org health rule's line (40) and each band
    by its own colour, in the cells themselves."""
    page = browser.login(served.tokens["cs"])
    cells = page.locator('table[data-table="health"] td[data-key="health_score"]')
    assert cells.count() >= 1
    judged = [(float(c.get_attribute("data-value") or "nan"), c.get_attribute("class") or "") for c in cells.all()]
    assert any(v < 40 for v, _ in judged) and any(v >= 40 for v, _ in judged)
    for value, tone in judged:
        assert ("breached" in tone) == (value < 40), (value, tone)
    for band in page.locator('table[data-table="health"] td[data-key="health_band"]').all():
        assert band.get_attribute("class") == "band-" + (band.get_attribute("data-value") or "").lower().replace(
            " ", "-"
        )
