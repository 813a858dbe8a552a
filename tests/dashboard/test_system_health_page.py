"""The data health page shows the system health at the top, in a real Chromium: a coloured badge with the
status the API serves and its reasons as sentences people read (sources by name, no table names, no raw
seconds), over a `vitals serve` of the built demo data whose App events are stale and one of whose alert
notifications failed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from tests.alerts.generated import Built
from tests.conftest import make_settings
from tests.dashboard.conftest import Browser, open_browser
from tests.server.conftest import ServerProcess, wait_for
from tests.server.test_system_check import add_notification


@pytest.fixture
def warning_server(dashboard_built: Built, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server whose App events are expected every 0.6 s (Degraded only past a year), one failed delivery."""
    settings = make_settings("duckdb", tmp_path, warehouse=dashboard_built.copy_to(tmp_path))
    add_notification(settings, "failed", datetime.now(UTC) - timedelta(minutes=7), "oncall")
    server = ServerProcess(settings, tmp_path)
    server.env["VITALS_SYSTEM_HEALTH__SOURCE_LAG_MINUTES"] = json.dumps({"events_big": 0.01})
    server.env["VITALS_SYSTEM_HEALTH__SOURCE_LAG_DEGRADED_FACTOR"] = "100000000"
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def chromium(playwright: Playwright, warning_server: ServerProcess) -> Iterator[Browser]:
    with open_browser(playwright, warning_server.url) as session:
        yield session


def test_the_badge_and_reasons_say_what_the_status_says(warning_server: ServerProcess, chromium: Browser) -> None:
    def stale() -> dict[str, object] | None:
        health = warning_server.status()["system_health"]
        return health if len(health["reasons"]) == 2 else None

    health = wait_for("App events to be judged stale", stale, timeout=30)
    assert health["status"] == "warning"

    page = chromium.login(warning_server.admin_token)
    page = chromium.goto("/data-health")
    section = page.locator("section#system-health")
    badge = section.locator(".health-badge")
    assert badge.inner_text() == "Warning" and badge.get_attribute("data-status") == "warning"
    warn = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--warn').trim()")
    assert warn and badge.evaluate("b => getComputedStyle(b).backgroundColor") == _rgb(warn)
    assert "status-warning" in (section.get_attribute("class") or "")
    # at the top: before the sources table
    assert page.evaluate(
        "document.querySelector('section#system-health').compareDocumentPosition("
        "document.querySelector('table[data-table=sources]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    reasons = section.locator("ul.health-reasons li")
    by_code = {reasons.nth(i).get_attribute("data-code"): reasons.nth(i).inner_text() for i in range(reasons.count())}
    assert set(by_code) == {"source_stale", "alert_delivery_failed"}
    assert by_code["source_stale"].startswith("No new data from App events for ")
    delivery = by_code["alert_delivery_failed"]
    assert delivery.startswith("1 alert notification through the oncall route was not delivered in the last 24 hours")
    assert delivery.endswith("minutes ago.")
    text = section.inner_text()
    assert "events_big" not in text and "seconds" not in text and "lag" not in text.lower()
    assert "Checked " in text and "UTC" in text


def _rgb(hex_colour: str) -> str:
    """``#bc4c00`` as the browser reports a computed colour."""
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"
