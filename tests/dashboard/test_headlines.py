"""The headline cards: one value per card as of the range's end (never a mean of a rolling value), the same on
the page, in ``/summary?period=day`` and in the CLI's headline lines; cards coloured by the alert rules'
thresholds; the open incidents at the top of the executive and reliability pages in words."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from tests.alerts.generated import Built
from tests.dashboard.conftest import Browser, Served
from tests.dashboard.reading import mart
from tests.dashboard.test_browser import cards
from vitals.config import Settings
from vitals.metrics.headline import EXECUTIVE, format_value, headline_kpis, headline_text
from vitals.warehouse import open_warehouse


def cli_lines(built: Built, directory: Path) -> dict[str, str]:
    """What ``vitals demo`` prints under "headline KPIs", by metric (over a copy of the served warehouse)."""
    settings = Settings(warehouse=built.copy_to(directory), state_dir=directory / "state")
    with open_warehouse(settings) as warehouse:
        kpis = headline_kpis(warehouse)
    return {item.metric: headline_text(item) for item in kpis.items}


def test_cards_are_the_api_and_the_cli_as_of_the_range_end(
    browser: Browser, served: Served, dashboard_built: Built, tmp_path: Path
) -> None:
    page = browser.login(served.tokens["admin"])
    shown = cards(page)
    answer = served.api("admin", "/summary", period="day")
    api = {item["metric"]: item for item in answer["items"]}
    lines = cli_lines(dashboard_built, tmp_path)
    end = date.fromisoformat(answer["end"])
    assert [m for m in EXECUTIVE if m in shown] == list(EXECUTIVE)
    for metric in EXECUTIVE:
        item = api[metric]
        assert shown[metric] == pytest.approx(item["value"]), metric
        card = page.locator(f"article.card[data-metric={metric}]")
        assert item["comparison"] in card.inner_text(), metric
        # the CLI prints the same value with the same comparison
        assert format_value(item["unit"], item["value"]) in lines[metric], (metric, lines[metric])
        assert item["comparison"] in lines[metric]
    # a daily metric is one model row: the value on the end day, compared with 7 days earlier
    for metric in ("dad", "quality_pass_rate_7d", "mrr_cents", "paying_orgs"):
        rows = mart(
            dashboard_built,
            "select metric_date, value from metrics_daily where metric_name = ? and entity_type = 'global' "
            "and metric_date in (?, ?) order by metric_date",
            [metric, end - timedelta(days=7), end],
        )
        assert [r["value"] for r in rows] == pytest.approx([api[metric]["previous"], api[metric]["value"]]), metric
        assert api[metric]["comparison"] == "vs 7 days earlier"
    # NRR: the latest month's row (not a mean over the days of two months), against the month before
    nrr = mart(
        dashboard_built,
        "select metric_date, value from metrics_daily where metric_name = 'nrr' and entity_type = 'global' "
        "and value is not null and metric_date <= ? order by metric_date desc limit 1",
        [end],
    )[0]
    assert api["nrr"]["value"] == pytest.approx(nrr["value"])
    assert api["nrr"]["comparison"] == "vs previous month"
    note = page.locator("article.card[data-metric=nrr] .note").inner_text()
    assert re.search(r"month( to date)? \d{4}-\d{2}", note), note
    # the range's end moves every card: a week earlier, the cards are the API's as of that day
    earlier = end - timedelta(days=7)
    browser.goto(f"/?from={(earlier - timedelta(days=20)).isoformat()}&to={earlier.isoformat()}")
    then = {i["metric"]: i["value"] for i in served.api("admin", "/summary", period="day", as_of=earlier)["items"]}
    moved = cards(page)
    for metric in EXECUTIVE:
        assert moved[metric] == pytest.approx(then[metric]), metric


def test_thresholds_colour_the_cards(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    card = page.locator("article.card[data-metric=quality_pass_rate_7d]")
    # the quality pass rate is judged against the quality rule's 80%
    assert card.get_attribute("data-threshold") == "0.8"
    assert "below 80.0%" in card.locator(".threshold").inner_text()
    value = float(card.get_attribute("data-value") or "nan")
    assert ("breached" in (card.get_attribute("class") or "")) == (value < 0.8)


def test_the_incident_is_a_banner_in_words(browser: Browser, served: Served) -> None:
    page = browser.login(served.tokens["admin"])
    for path in ("/", "/reliability"):
        browser.goto(path)
        banner = page.locator("section.incidents")
        assert banner.count() == 1, path
        incident = banner.locator("li.incident[data-rule=quality_pass_rate_hourly_low]")
        text = incident.inner_text()
        assert "Quality pass rate hourly low" in text
        assert incident.locator(".severity").inner_text().lower() == "critical"
        assert re.search(r"Quality pass rate \(hourly\) \d+\.\d% is below 80\.0% over the last hour", text), text
        assert re.search(r"for \d+ (min|h|d)", text), text
        assert "company-wide" in text
        assert "quality_pass_rate_hourly_low" not in page.inner_text("main")
        assert ": True" not in page.inner_text("main")
    # an org's alert links to the org's page
    for item in page.locator("li.incident a").all():
        assert (item.get_attribute("href") or "").startswith("/orgs/")


def test_a_daily_org_alert_names_the_day_it_judged(browser: Browser, served: Served, dashboard_built: Built) -> None:
    page = browser.login(served.tokens["admin"])
    critical = page.locator("li.incident[data-rule=org_health_critical]").all()
    assert critical, "the generated set has a critical org"
    for incident in critical:
        org = incident.get_attribute("data-scope") or ""
        assert incident.locator(".scope a").get_attribute("href") == f"/orgs/{org}"
        found = re.search(r"Health score (\d+\.\d) is below 40\.0 on (\d{4}-\d{2}-\d{2})", incident.inner_text())
        assert found, incident.inner_text()
        # the value is that org's health score of the day the sentence names (a complete day)
        row = mart(
            dashboard_built,
            "select value from metrics_daily where metric_name = 'health_score' and entity_type = 'org' "
            "and entity_id = ? and metric_date = ?",
            [org, date.fromisoformat(found.group(2))],
        )
        assert row and f"{row[0]['value']:.1f}" == found.group(1)


def test_a_silenced_incident_leaves_the_banner(browser: Browser, served: Served) -> None:
    """A silence (the API's, with its audit entry) takes the incident out of the banner; the open-alerts table
    keeps it, saying until when; ending the silence brings it back."""
    headers = {"Authorization": f"Bearer {served.tokens['cs']}"}
    made = httpx.post(
        f"{served.url}/api/v1/alerts/silences",
        json={"rule": "quality_pass_rate_hourly_low", "duration": "2h", "comment": "known: rollback under way"},
        headers=headers,
        timeout=30.0,
    )
    assert made.status_code == 201, made.text
    silence_id = made.json()["silence_id"]
    try:
        page = browser.login(served.tokens["admin"])
        assert page.locator("li.incident[data-rule=quality_pass_rate_hourly_low]").count() == 0
        row = page.locator("table[data-table=alerts] tr", has_text="Quality pass rate hourly low")
        assert row.locator("td[data-key=silenced_until]").inner_text().strip() != "–"
        audit = served.api("admin", "/audit", action="alerts.silence")["items"]
        assert any(e["target"] == f"quality_pass_rate_hourly_low:{silence_id}" and e["role"] == "cs" for e in audit)
    finally:
        ended = httpx.delete(f"{served.url}/api/v1/alerts/silences/{silence_id}", headers=headers, timeout=30.0)
        assert ended.status_code == 200, ended.text
    browser.goto("/")
    assert browser.page.locator("li.incident[data-rule=quality_pass_rate_hourly_low]").count() == 1


def test_silence_from_the_banner(browser: Browser, served: Served) -> None:
    """The banner's silence button (admin, cs and oncall) silences the rule through the same rules and audit as the API,
    and the page comes back without the incident; a viewer gets no button."""
    rule = "quality_pass_rate_hourly_low"
    viewer = browser.login(served.tokens["viewer"])
    assert viewer.locator(f"li.incident[data-rule={rule}]").count() == 1
    assert viewer.locator("form.silence").count() == 0
    browser.logout()

    page = browser.login(served.tokens["admin"])
    incident = page.locator(f"li.incident[data-rule={rule}]")
    incident.locator("select[name=hours]").select_option("4")
    incident.locator("form.silence button").click()
    page.wait_for_load_state("load")
    headers = {"Authorization": f"Bearer {served.tokens['admin']}"}
    active = [s for s in served.api("admin", "/alerts/silences")["items"] if s["rule"] == rule and s["active"]]
    try:
        assert page.url == served.url + "/"
        assert page.locator(f"li.incident[data-rule={rule}]").count() == 0
        assert len(active) == 1
        audit = served.api("admin", "/audit", action="alerts.silence")["items"]
        assert any(e["target"] == f"{rule}:{active[0]['silence_id']}" and e["role"] == "admin" for e in audit)
    finally:
        for made in active:
            ended = httpx.delete(
                f"{served.url}/api/v1/alerts/silences/{made['silence_id']}", headers=headers, timeout=30.0
            )
            assert ended.status_code == 200, ended.text
    refused = httpx.post(
        f"{served.url}/alerts/silence",
        data={"rule": rule, "hours": "1"},
        headers={"Origin": "http://evil.example"},
        timeout=30.0,
    )
    assert refused.status_code == 403


def test_oncall_acknowledges_from_the_banner(browser: Browser, served: Served) -> None:
    """An oncall token lands on reliability, takes the incident from its banner (the API's rules and audit), and
    every page then says who took it instead of offering the button; a viewer gets no button."""
    rule = "quality_pass_rate_hourly_low"
    viewer = browser.login(served.tokens["viewer"])
    assert viewer.locator(f"li.incident[data-rule={rule}]").count() == 1
    assert viewer.locator("form.acknowledge").count() == 0
    browser.logout()

    created = httpx.post(
        f"{served.url}/api/v1/tokens",
        json={"role": "oncall", "name": "dash-ack-oncall"},
        headers={"Authorization": f"Bearer {served.tokens['admin']}"},
        timeout=30.0,
    )
    assert created.status_code == 201, created.text
    page = browser.login(created.json()["token"])
    assert page.url.removeprefix(served.url).split("?")[0] == "/reliability"
    incident = page.locator(f"li.incident[data-rule={rule}]")
    incident.locator("form.acknowledge button").click()
    page.wait_for_load_state("load")
    assert page.url.removeprefix(served.url) == "/reliability"
    taken = page.locator(f"li.incident[data-rule={rule}] .acknowledged")
    assert "acknowledged by dash-ack-oncall" in taken.inner_text()
    assert page.locator(f"li.incident[data-rule={rule}] form.acknowledge").count() == 0
    firing = [a for a in served.api("admin", "/alerts", state="firing")["items"] if a["rule"] == rule]
    assert [a["acknowledged_by"] for a in firing] == ["dash-ack-oncall"]
    audit = served.api("admin", "/audit", action="alerts.acknowledge")["items"]
    assert any(e["target"] == f"{rule}:global" and e["role"] == "oncall" for e in audit)
    refused = httpx.post(
        f"{served.url}/alerts/acknowledge",
        data={"rule": rule},
        headers={"Origin": "http://evil.example"},
        timeout=30.0,
    )
    assert refused.status_code == 403
