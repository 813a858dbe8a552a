"""The system health judged from facts: each reason at its threshold (Warning, then Degraded), in words people
read (sources by their names, durations in minutes, hours and days), the worst level as the status, the
settings that move the thresholds, and the server's check as seen from outside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from vitals import system_health
from vitals.config import Settings
from vitals.server.settings import SystemHealthSettings
from vitals.system_health import BuildFacts, DeliveryFacts, Facts, JournalFacts, SystemHealth, assess, spoken

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SETTINGS = SystemHealthSettings()


def facts(**changes: Any) -> Facts:
    """Everything fine: fresh sources, a build two minutes ago, nothing waiting, every delivery made."""
    base: dict[str, Any] = {
        "source_lags": {"events_big": 30.0, "stripe_billing_big": 3600.0, "sentry_errors_big": None},
        "build": BuildFacts(300.0, NOW - timedelta(hours=5), last_success_at=NOW - timedelta(minutes=2)),
        "journal": JournalFacts(),
        "deliveries": DeliveryFacts(),
    }
    base.update(changes)
    return Facts(**base)


def codes(health: SystemHealth) -> list[tuple[str, str]]:
    return [(r.code, r.level) for r in health.reasons]


def test_all_fine_is_healthy_without_reasons() -> None:
    health = assess(facts(), SETTINGS, NOW)
    assert (health.status, health.value, health.label, health.reasons) == ("healthy", 0, "Healthy", ())
    assert health.as_dict() == {"status": "healthy", "reasons": [], "checked_at": NOW.isoformat()}


def test_a_stale_source_is_a_warning_naming_it_then_degraded_past_the_factor() -> None:
    # App events may go 60 minutes without a new row; at 61 minutes: Warning, named as people know it
    health = assess(facts(source_lags={"events_big": 61 * 60.0}), SETTINGS, NOW)
    assert (health.status, health.value) == ("warning", 1)
    (reason,) = health.reasons
    assert (reason.code, reason.level, reason.subject) == ("source_stale", "warning", "events_big")
    assert reason.message == "No new data from App events for 1 hour 1 minute (expected within 1 hour)."
    # exactly at its lag: fine; past 4 times its lag: Degraded
    assert assess(facts(source_lags={"events_big": 3600.0}), SETTINGS, NOW).status == "healthy"
    assert codes(assess(facts(source_lags={"events_big": 4 * 3600.0}), SETTINGS, NOW)) == [("source_stale", "warning")]
    degraded = assess(facts(source_lags={"events_big": 4 * 3600.0 + 60}), SETTINGS, NOW)
    assert codes(degraded) == [("source_stale", "degraded")] and degraded.value == 2
    assert "for 4 hours 1 minute" in degraded.reasons[0].message


def test_sources_without_a_lag_or_without_rows_are_not_judged() -> None:
    lags: dict[str, float | None] = {"currency_rates": 90 * 86400.0, "nps_responses": 400 * 86400.0, "events_big": None}
    assert assess(facts(source_lags=lags), SETTINGS, NOW).status == "healthy"
    # a configured lag judges the source; 0 switches a default off
    custom = SystemHealthSettings(source_lag_minutes={"currency_rates": 10080, "events_big": 0})
    health = assess(facts(source_lags={**lags, "events_big": 86400.0}), custom, NOW)
    assert [(r.subject, r.level) for r in health.reasons] == [("currency_rates", "degraded")]
    assert health.reasons[0].message == "No new data from Currency rates for 90 days (expected within 7 days)."


def test_build_age_failure_and_slowness() -> None:
    started = NOW - timedelta(minutes=45)
    # no build succeeded since the server started 45 minutes ago (over 30): Warning
    never = assess(facts(build=BuildFacts(300.0, started)), SETTINGS, NOW)
    assert codes(never) == [("build_stale", "warning")]
    assert never.reasons[0].message == (
        "No build has succeeded since the server started 45 minutes ago (builds run every 5 minutes)."
    )
    # the data last refreshed 2 hours 30 minutes ago, the last build failed 4 minutes ago: Degraded, and why
    late = BuildFacts(
        300.0,
        NOW - timedelta(days=1),
        last_success_at=NOW - timedelta(hours=2, minutes=30),
        last_failed_at=NOW - timedelta(minutes=4),
    )
    health = assess(facts(build=late), SETTINGS, NOW)
    assert codes(health) == [("build_stale", "degraded"), ("build_failed", "warning")]
    assert (
        health.reasons[0].message == "The data was last refreshed 2 hours 30 minutes ago (builds run every 5 minutes)."
    )
    assert health.reasons[1].message == (
        "The last build failed 4 minutes ago: the data shown is from the last build that succeeded."
    )
    # a build that fails once, right after a success, is a Warning on its own
    once = BuildFacts(300.0, started, last_success_at=NOW - timedelta(minutes=6), last_failed_at=NOW)
    assert codes(assess(facts(build=once), SETTINGS, NOW)) == [("build_failed", "warning")]
    # a build slower than its interval
    slow = BuildFacts(300.0, started, last_success_at=NOW, slow_build_seconds=420.0)
    (reason,) = assess(facts(build=slow), SETTINGS, NOW).reasons
    assert (reason.code, reason.level) == ("build_slow", "warning")
    assert reason.message.startswith("The last build took 7 minutes, longer than the 5 minutes between builds")


def test_events_waiting_to_be_written() -> None:
    waiting = JournalFacts(pending_batches=1234, oldest_received_at=NOW - timedelta(minutes=14))
    assert assess(facts(journal=waiting), SETTINGS, NOW).status == "healthy"  # a build may hold writes a while
    late = JournalFacts(pending_batches=1234, oldest_received_at=NOW - timedelta(minutes=16))
    (reason,) = assess(facts(journal=late), SETTINGS, NOW).reasons
    assert (reason.code, reason.level) == ("journal_backlog", "warning")
    assert reason.message == (
        "Events accepted 16 minutes ago are still waiting to be written to the warehouse (1,234 batches waiting)."
    )
    stuck = JournalFacts(pending_batches=1, oldest_received_at=NOW - timedelta(hours=2))
    assert codes(assess(facts(journal=stuck), SETTINGS, NOW)) == [("journal_backlog", "degraded")]


def test_failed_alert_deliveries() -> None:
    one = DeliveryFacts(failed=1, last_failed_at=NOW - timedelta(minutes=12), routes=("oncall",))
    (reason,) = assess(facts(deliveries=one), SETTINGS, NOW).reasons
    assert (reason.code, reason.level) == ("alert_delivery_failed", "warning")
    assert reason.message == (
        "1 alert notification through the oncall route was not delivered in the last 24 hours, the last 12 minutes ago."
    )
    three = DeliveryFacts(failed=3, last_failed_at=NOW, routes=("cs", "oncall"))
    health = assess(facts(deliveries=three), SETTINGS, NOW)
    assert codes(health) == [("alert_delivery_failed", "degraded")]
    assert health.reasons[0].message.startswith("3 alert notifications through the cs, oncall routes were not")


def test_the_status_is_the_worst_level_and_the_gravest_reasons_come_first() -> None:
    health = assess(
        facts(
            source_lags={"events_big": 2 * 3600.0, "sentry_errors_big": 6 * 86400.0},
            deliveries=DeliveryFacts(1, NOW, ("cs",)),
        ),
        SETTINGS,
        NOW,
    )
    assert health.status == "degraded" and health.value == 2
    assert codes(health) == [
        ("source_stale", "degraded"),
        ("source_stale", "warning"),
        ("alert_delivery_failed", "warning"),
    ]
    assert [r.subject for r in health.reasons[:2]] == ["sentry_errors_big", "events_big"]
    assert health.summary().startswith("Degraded: No new data from Sentry errors for 6 days")
    payload = health.as_dict()
    assert payload["status"] == "degraded" and payload["checked_at"] == NOW.isoformat()
    assert payload["reasons"][2] == {
        "code": "alert_delivery_failed",
        "level": "warning",
        "message": "1 alert notification through the cs route was not delivered in the last 24 hours, "
        "the last less than a minute ago.",
        "subject": None,
    }
    for reason in payload["reasons"]:  # sentences for people: no table names, no raw seconds
        assert "_big" not in reason["message"] and "seconds" not in reason["message"]


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "less than a minute"),
        (59.9, "less than a minute"),
        (60, "1 minute"),
        (45 * 60 + 30, "45 minutes"),
        (3600, "1 hour"),
        (2 * 3600 + 5 * 60, "2 hours 5 minutes"),
        (86400, "24 hours"),
        (47 * 3600 + 59 * 60, "47 hours 59 minutes"),
        (2 * 86400, "2 days"),
        (3 * 86400 + 4 * 3600 + 59, "3 days 4 hours"),
    ],
)
def test_durations_in_words(seconds: float, words: str) -> None:
    assert spoken(seconds) == words


def test_settings_merge_with_the_defaults_and_refuse_mistakes() -> None:
    settings = Settings(system_health={"source_lag_minutes": {"currency_rates": 2880}})
    assert settings.system_health.source_lag_minutes == {
        "events_big": 60.0,
        "stripe_billing_big": 1440.0,
        "sentry_errors_big": 1440.0,
        "currency_rates": 2880.0,
    }
    with pytest.raises(ValidationError, match="unknown source"):
        SystemHealthSettings(source_lag_minutes={"events": 10})
    with pytest.raises(ValidationError, match="negative"):
        SystemHealthSettings(source_lag_minutes={"events_big": -1})
    with pytest.raises(ValidationError, match="build_degraded_minutes"):
        SystemHealthSettings(build_warning_minutes=60, build_degraded_minutes=30)
    with pytest.raises(ValidationError, match="journal_degraded_minutes"):
        SystemHealthSettings(journal_warning_minutes=90)
    with pytest.raises(ValidationError):
        SystemHealthSettings(source_lag_degraded_factor=0.5)


def test_the_status_is_known_only_where_a_server_registered_its_check() -> None:
    assert system_health.current(NOW) is None
    seen: list[datetime] = []

    def check(at: datetime, warehouse: object) -> SystemHealth:
        seen.append(at)
        return assess(facts(), SETTINGS, at)

    system_health.register(check)
    try:
        current = system_health.current(NOW)
        assert current is not None and current.status == "healthy" and seen == [NOW]
    finally:
        system_health.register(None)
    assert system_health.current(NOW) is None
