"""NPS in sight: the executive card, the customer success page's trend and per-org table, and the org page's
card agree with the API and with their own breakdown, in Chromium."""

from __future__ import annotations

import json

from playwright.sync_api import Locator

from tests.dashboard.conftest import Browser, Served


def test_nps_by_org_agrees_with_the_api_and_its_breakdown(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["cs"])
    rows = page.locator('table[data-table="nps_orgs"] tbody tr')
    assert rows.count() >= 3
    title = page.locator("section#nps_orgs h2").inner_text()
    day = title.split(" to ")[1].rstrip(")")
    scores = []
    for row in rows.all()[:3]:
        cell = {
            k: row.locator(f'td[data-key="{k}"]') for k in ("nps", "nps_promoters", "nps_detractors", "nps_passives")
        }
        responses = int(row.locator('td[data-key="nps_responses"]').get_attribute("data-value") or "0")
        promoters, passives, detractors = (
            int(cell[k].get_attribute("data-value") or "0") for k in ("nps_promoters", "nps_passives", "nps_detractors")
        )
        nps = float(cell["nps"].get_attribute("data-value") or "nan")
        assert promoters + passives + detractors == responses > 0
        assert abs(nps - 100 * (promoters - detractors) / responses) < 1e-6
        href = row.locator('td[data-key="org_name"] a').get_attribute("href") or ""
        org = href.split("/orgs/")[1].split("?")[0]
        points = served.api("cs", "/metrics/nps/series", org=org, **{"from": day, "to": day})["points"]
        assert [p["value"] for p in points] == [nps]
        scores.append(nps)
    assert scores == sorted(scores)  # lowest first
    spec = json.loads(page.locator("section#nps_trend canvas").get_attribute("data-chart") or "{}")
    assert spec["series"][0]["key"] == "nps" and any(v is not None for v in spec["series"][0]["values"])

    # the org page's card says the same
    first = rows.first
    org_nps = first.locator('td[data-key="nps"]').get_attribute("data-value")
    first.locator('td[data-key="org_name"] a').click()
    page.wait_for_load_state("load")
    card = page.locator('article.card[data-metric="nps"]')
    assert card.get_attribute("data-value") == org_nps
    assert "promoters" in card.inner_text() and "detractors" in card.inner_text()


def test_the_executive_card_shows_company_nps(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    card = page.locator('article.card[data-metric="nps"]')
    assert card.count() == 1
    summary = {i["metric"]: i for i in served.api("admin", "/summary", period="day")["items"]}
    assert float(card.get_attribute("data-value") or "nan") == summary["nps"]["value"]


def _theme_rows(table: Locator) -> list[dict[str, float | str]]:
    """The themes table's rows: each numeric cell's data-value, the theme's text."""
    found = []
    for row in table.locator("tbody tr").all():
        cells: dict[str, float | str] = {"theme": row.locator('td[data-key="theme"]').inner_text()}
        for key in ("theme_mentions", "theme_promoters", "theme_passives", "theme_detractors", "theme_nps"):
            cells[key] = float(row.locator(f'td[data-key="{key}"]').get_attribute("data-value") or "nan")
        found.append(cells)
    return found


def _assert_themes_add_up(themes: list[dict[str, float | str]]) -> None:
    """Each theme's promoters, passives and detractors add up to its mentions, its NPS follows from them, and
    the most mentioned theme comes first."""
    for theme in themes:
        total = float(theme["theme_promoters"]) + float(theme["theme_passives"]) + float(theme["theme_detractors"])
        assert total == theme["theme_mentions"] > 0
        nps = 100 * (float(theme["theme_promoters"]) - float(theme["theme_detractors"])) / total
        assert abs(float(theme["theme_nps"]) - nps) < 1e-6
    mentions = [theme["theme_mentions"] for theme in themes]
    assert mentions == sorted(mentions, reverse=True)


def test_comment_themes_add_up_company_wide_and_on_the_org_page(browser: Browser, served: Served) -> None:
    """The customer success page lists what NPS comments talk about company-wide, the org page what the org's
    do; a theme of an org is mentioned no more often than company-wide."""
    page = browser.login(served.tokens["cs"])
    company = _theme_rows(page.locator('table[data-table="nps_themes"]'))
    assert company, "the demo's comments mention themes"
    _assert_themes_add_up(company)
    overall = {theme["theme"]: theme["theme_mentions"] for theme in company}
    rows = page.locator('table[data-table="nps_orgs"] tbody tr')
    most = max(rows.all(), key=lambda r: int(r.locator('td[data-key="nps_responses"]').get_attribute("data-value")))
    most.locator('td[data-key="org_name"] a').click()
    page.wait_for_load_state("load")
    themes = _theme_rows(page.locator('table[data-table="nps_themes"]'))
    assert themes, "an org with the most NPS responses has comments that mention a theme"
    _assert_themes_add_up(themes)
    assert all(float(theme["theme_mentions"]) <= float(overall[theme["theme"]]) for theme in themes)
