"""Role homes, the org token's customer view, refresh in place, the narrow layout and dark mode, in Chromium."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page

from tests.dashboard.conftest import Browser, Served
from vitals.dashboard.registry import home_path, pages

VENDOR_PANELS = (
    "table[data-table=at_risk]",
    "table[data-table=health]",
    "table[data-table=expansion]",
    "table[data-table=declining]",
    "table[data-table=seats]",
    "table[data-table=invoices]",
    "section#mrr_bridge",
    "section#movements",
    "section#components",
    "[data-metric=mrr_cents]",
    "[data-metric=health_score]",
    "[data-band]",
    "[data-sentence]",
    "form.filters select[name=plan]",
    "form.filters select[name=band]",
)
"""What only the vendor sees: at-risk and health lists, expansion, decline and seat lists, invoices and MRR,
the health score and band, the plan filter."""
VENDOR_WORDS = ("MRR", "at risk", "At-risk", "expansion", "Declining", "health band", "churn")


def _token(served: Served, role: str) -> str:
    created = httpx.post(
        f"{served.url}/api/v1/tokens",
        json={"role": role, "name": f"dash-home-{role}"},
        headers={"Authorization": f"Bearer {served.tokens['admin']}"},
        timeout=30,
    )
    assert created.status_code in (200, 201), created.text
    return str(created.json()["token"])


def _path(page: Page, served: Served) -> str:
    return page.url.removeprefix(served.url).split("?")[0]


def test_each_role_lands_on_its_home(browser: Browser, served: Served) -> None:
    homes = {"admin": "/", "viewer": "/", "cs": "/customer-success", "org": f"/orgs/{served.org_id}"}
    for role, home in homes.items():
        page = browser.login(served.tokens[role])
        assert _path(page, served) == home, role
        browser.logout()
    for role, home in (("sales", "/sales"), ("oncall", "/reliability")):
        page = browser.login(_token(served, role))
        assert _path(page, served) == home, role
        browser.logout()
    # a page asked for before the login wins over the home
    page = browser.goto("/reliability")
    page.fill("#token", served.tokens["cs"])
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert _path(page, served) == "/reliability"
    assert home_path("analyst", None) == "/" and home_path("ingest", None) == "/"


def test_an_org_token_sees_no_vendor_panel_and_its_nav_opens(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["org"])
    links = page.locator("header nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links and links[0].startswith(f"/orgs/{served.org_id}")
    for href in links:
        response = page.goto(served.url + href)
        assert response is not None and response.status == 200, href
        page.wait_for_load_state("load")
        for selector in VENDOR_PANELS:
            assert page.locator(selector).count() == 0, (href, selector)
        text = page.inner_text("body")
        for word in VENDOR_WORDS:
            assert word.lower() not in text.lower(), (href, word)
        assert page.locator("section#turnaround canvas, section#turnaround .empty").count() == 1
    # every vendor page answers 403 with a way home, and none of them is in the nav
    for p in pages():
        if p.customer or "{" in p.path:
            continue
        assert not p.in_nav("org")
        browser.expected.add((p.path, 403))
        response = page.goto(served.url + p.path)
        assert response is not None and response.status == 403, p.path
        assert "own org" in page.inner_text(".error")
        assert page.locator("header nav a").count() == len(links)
    browser.expected.add((f"/orgs/{served.org_id}/csv/invoices", 404))
    csv = page.request.get(f"{served.url}/orgs/{served.org_id}/csv/invoices")
    assert csv.status == 404  # the vendor's datasets are not built for an org token at all


def test_refresh_swaps_the_data_in_place_and_keeps_the_reader_state(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    page.set_viewport_size({"width": 1000, "height": 500})
    browser.goto("/catalog")
    page.fill("#catalog-search", "rate")
    shown = page.locator("table[data-table=metrics] tbody tr:not([hidden])").count()
    assert 0 < shown < page.locator("table[data-table=metrics] tbody tr").count()
    page.click("table[data-table=metrics] th >> nth=0")
    page.click("table[data-table=metrics] th >> nth=0")  # descending
    order = page.locator("table[data-table=metrics] tbody tr:not([hidden]) td:first-child").all_inner_texts()
    page.evaluate("window.scrollTo(0, 400)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    page.evaluate("document.querySelector('main h1').setAttribute('data-before', '1')")
    stamp = page.inner_text("#updated")
    page.wait_for_timeout(1100)  # the stamp counts seconds
    page.evaluate("() => window.vitalsDashboard.refresh()")
    assert page.locator("main h1[data-before]").count() == 0, "the content was not swapped"
    assert page.inner_text("#updated") != stamp
    assert page.input_value("#catalog-search") == "rate"
    assert page.locator("table[data-table=metrics] tbody tr:not([hidden])").count() == shown
    assert page.locator("table[data-table=metrics] th >> nth=0").get_attribute("aria-sort") == "descending"
    assert page.locator("table[data-table=metrics] tbody tr:not([hidden]) td:first-child").all_inner_texts() == order
    assert page.evaluate("window.scrollY") == scrolled
    # a chart shown as its table stays a table
    browser.goto("/reliability")
    page.click("section#errors button.toggle")
    page.evaluate("() => window.vitalsDashboard.refresh()")
    assert page.locator("section#errors .chart-table").is_visible()
    assert page.locator("section#errors button.toggle").get_attribute("aria-pressed") == "true"


def test_the_refresh_interval_is_picked_and_remembered(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    assert page.input_value("#refresh-every") == "60"  # the server's default
    page.select_option("#refresh-every", "300")
    browser.goto("/reliability")
    assert page.input_value("#refresh-every") == "300"
    page.select_option("#refresh-every", "0")
    page.reload()
    assert page.input_value("#refresh-every") == "0"
    # a short interval (set as a remembered choice) refreshes on its own, without reloading the page
    page.evaluate("localStorage.setItem('vitals.refreshSeconds', '1')")
    page.reload()
    page.evaluate("document.querySelector('main h1').setAttribute('data-before', '1')")
    stamp = page.inner_text("#updated")
    page.wait_for_function(
        "s => document.querySelector('#updated').textContent !== s && !document.querySelector('main h1[data-before]')",
        arg=stamp,
        timeout=15_000,
    )
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_narrow_screens_have_no_sideways_scroll(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/customer-success", "/reliability", "/sales", "/revenue", "/catalog"):
        browser.goto(path)
        page.wait_for_timeout(200)  # the charts size themselves
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, (path, width)
    assert page.locator("header nav").is_hidden()
    page.click("header button.menu")
    assert page.locator("header nav").is_visible()
    assert page.locator("header nav a", has_text="Reliability").is_visible()
    browser.logout()
    page = browser.login(served.tokens["org"])
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390


def test_dark_mode_follows_the_system(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    background = "getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    page.emulate_media(color_scheme="dark")
    page.reload()
    dark = page.evaluate(background)
    assert light != dark and dark == "rgb(13, 17, 23)"
    colour = page.evaluate(
        "() => { const c = Chart.getChart(document.querySelector('canvas[data-chart]'));"
        " return c.data.datasets[0].borderColor; }"
    )
    assert colour == page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--chart-1').trim()")
    assert colour == "#4493f8"
