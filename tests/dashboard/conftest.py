"""A real `vitals serve` over a generated, built warehouse (with an evaluated quality incident), tokens per
role, and Chromium (Debian's, headless) driven by Playwright with every console error, page error and failed
request collected."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from tests.alerts.generated import Built, build_generated
from tests.conftest import make_settings
from tests.server.conftest import ServerProcess
from vitals.alerts import evaluate
from vitals.api.tokens import TokenStore
from vitals.config import Settings
from vitals.warehouse import open_warehouse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Served:
    """The running server, its settings and one token per role (``org``: the least healthy org's)."""

    url: str
    settings: Settings
    tokens: dict[str, str]
    org_id: str
    other_org_id: str

    def api(self, role: str, path: str, **params: Any) -> Any:
        """GET ``/api/v1{path}`` with the role's token; the JSON answer (status 200 asserted)."""
        response = httpx.get(
            f"{self.url}/api/v1{path}",
            params=params or None,
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=30.0,
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def dashboard_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The generated set (12 orgs, 35 days, a quality incident), built once per session."""
    return build_generated(tmp_path_factory.mktemp("dashboard-generated"))


@pytest.fixture(scope="session")
def served(dashboard_built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`vitals serve` over a copy of the built warehouse, with the incident's alert firing."""
    directory = tmp_path_factory.mktemp("dashboard-served")
    settings = make_settings(
        "duckdb",
        directory,
        warehouse=dashboard_built.copy_to(directory),
        timezone="America/Los_Angeles",
        serve={"build_interval_minutes": 600, "alerts_interval_minutes": 600},
    )
    evaluate(settings, dashboard_built.made.incident_start + timedelta(hours=1, minutes=5))
    with open_warehouse(settings) as warehouse:
        orgs = [r[0] for r in warehouse.query("select org_id from organizations order by org_id")]
        worst = warehouse.query(
            "select org_id from mart_customer_success_org_health "
            "where metric_date = (select max(metric_date) from mart_customer_success_org_health) "
            "order by health_score, org_id limit 1"
        )[0][0]
        store = TokenStore(warehouse)
        tokens = {role: store.create(role, name=f"dash-{role}")[1] for role in ("admin", "cs", "viewer")}
        tokens["org"] = store.create("org", org_id=worst, name="dash-org")[1]
    process = ServerProcess(settings, directory, alerts_interval_minutes=600).start()
    try:
        yield Served(process.url, settings, tokens, worst, next(o for o in orgs if o != worst))
    finally:
        process.stop()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, for this package's tests only: its sync API keeps an event loop running, so it is
    stopped before a worker goes on to tests elsewhere (which may call ``asyncio.run``)."""
    with sync_playwright() as driver:
        yield driver


@dataclass
class Browser:
    """A fresh Chromium profile with one page; ``problems`` collects what must not happen."""

    context: BrowserContext
    page: Page
    base: str
    problems: list[str] = field(default_factory=list)
    expected: set[tuple[str, int]] = field(default_factory=set)
    """(path, status) answers a test asks for on purpose (e.g. a 403)."""

    def watch(self) -> None:
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # "Failed to load resource" repeats an HTTP error the response listener already judged (and lets
        # through only when the test expects it)
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response: Any) -> None:
        path = response.url.removeprefix(self.base).split("?")[0]
        if response.status >= 400 and (path, response.status) not in self.expected:
            self.problems.append(f"HTTP {response.status}: {response.url}")
        if not response.url.startswith(self.base) and not response.url.startswith("data:"):
            self.problems.append(f"request outside the dashboard: {response.url}")

    def goto(self, path: str) -> Page:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return self.page

    def logout(self) -> Page:
        """Sign out and wait for the login page the logout redirects to (a navigation begun before it lands
        would abort it)."""
        with self.page.expect_navigation(url="**/login"):
            self.page.click("form.logout button")
        self.page.wait_for_load_state("load")
        return self.page

    def login(self, token: str) -> Page:
        self.goto("/login")
        self.page.fill("#token", token)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("load")
        return self.page


@pytest.fixture
def browser(playwright: Playwright, served: Served) -> Iterator[Browser]:
    """A headless Chromium with a fresh user-data-dir; the test fails on any collected problem."""
    with open_browser(playwright, served.url) as session:
        yield session


@contextmanager
def open_browser(playwright: Playwright, url: str) -> Iterator[Browser]:
    """A headless Chromium on ``url`` with a fresh user-data-dir, failing on any problem it collected."""
    profile = Path(tempfile.mkdtemp(prefix="vitals-chromium-"))
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    context.set_default_timeout(30_000)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        session = Browser(context, page, url)
        session.watch()
        yield session
        assert session.problems == [], "\n".join(session.problems)
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
