"""A warehouse per engine with the metric tables, a rules file and a signed-webhook receiver, plus the
``Timeline`` that evaluates at given ticks and returns what was delivered at each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from tests.alerts.generated import Built, build_generated
from tests.alerts.receivers import Receiver, serve
from tests.alerts.series import create_tables, write_rules
from tests.alerts.smtp import Inbox, free_port
from tests.conftest import make_settings
from vitals.alerts import evaluate
from vitals.alerts.settings import AlertSettings
from vitals.config import Settings

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
SECRET = "whsec-test-secret"


class Timeline:
    """Evaluates the rules at ticks; each tick returns the notifications the receiver got during it."""

    def __init__(self, settings: Settings, receiver: Receiver) -> None:
        self.settings = settings
        self.receiver = receiver
        self.sleeps: list[float] = []
        self.tz = ZoneInfo(settings.timezone)

    def webhook_count(self) -> int:
        return len(self.receiver.requests)

    def tick(self, at: datetime) -> list[dict[str, Any]]:
        seen = len(self.receiver.requests)
        evaluate(self.settings, at, sleep=self.sleeps.append)
        return [r.json() for r in self.receiver.requests[seen:]]

    def kinds(self, at: datetime) -> list[str]:
        return [n["kind"] for n in self.tick(at)]


def alert_settings(
    engine: str, tmp_path: Path, pg_dsn: str | None, rules: list[dict[str, Any]], routes: dict[str, Any], **extra: Any
) -> Settings:
    rules_file = write_rules(tmp_path / "rules.yml", *rules)
    alerts = AlertSettings(
        rules_file=rules_file, default_rules=False, routes=routes, backoff_seconds=0.5, max_attempts=4
    )
    return make_settings(engine, tmp_path, pg_dsn, alerts=alerts, timezone=extra.pop("timezone", "UTC"), **extra)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The generated set (with its quality incident), built once per session."""
    return build_generated(tmp_path_factory.mktemp("generated"))


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free local port: (its inbox, the port)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    with serve(Receiver("webhook", secret=SECRET)) as receiver:
        yield receiver


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """(engine, DSN) once per engine."""
    if request.param == "postgres":
        return "postgres", request.getfixturevalue("pg_database")
    return "duckdb", None


@pytest.fixture
def make_timeline(engine: tuple[str, str | None], tmp_path: Path, webhook: Receiver) -> Iterator[Any]:
    """``make_timeline(*rules)`` -> a Timeline over a fresh warehouse whose rules route to ``hook``."""

    def make(*rules: dict[str, Any], **extra: Any) -> Timeline:
        routes = {"hook": {"type": "webhook", "url": webhook.url, "secret": SECRET}}
        settings = alert_settings(engine[0], tmp_path, engine[1], list(rules), routes, **extra)
        create_tables(settings)
        return Timeline(settings, webhook)

    yield make
