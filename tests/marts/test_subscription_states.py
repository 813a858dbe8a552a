"""Stripe subscriptions by status, trial conversion and payment failures per business day (revenue, seed 004):
the story of ``subscription_dataset`` (hand-worked answers in its docstring), on DuckDB and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.marts.metrics_dataset import metric_values, rows
from tests.marts.subscription_dataset import AS_OF, ORG, land_story
from tests.transform.transform_dataset import engine_warehouse
from vitals.config import Settings
from vitals.warehouse.dbt import build

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
SELECT = "+metrics_daily__revenue +mart_revenue_subscriptions_daily +organizations +providers +sessions"
STATES = ("active_subscriptions", "trialing_subscriptions", "past_due_subscriptions", "canceled_subscriptions")
TRIALS = ("trials_ended", "trials_converted", "trial_conversion_rate")


@pytest.fixture(scope="module", params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The story landed through the webhook store and the revenue models built as of AS_OF (UTC days)."""
    directory = tmp_path_factory.mktemp(f"subscription-states-{request.param}")
    with engine_warehouse(request.param, directory, timezone="UTC") as built:
        land_story(built)
        result = build(built, as_of=datetime.fromisoformat(AS_OF), select=SELECT)
        assert result.success and not result.failures()
        yield built


def values(settings: Settings, day: str, metrics: tuple[str, ...], entity: str = "global") -> tuple[float | None, ...]:
    """The day's values of ``metrics`` for one entity (global, or an org's name), None where omitted."""
    found = metric_values(settings, "metrics_daily__revenue", day)
    entity_id = "global" if entity == "global" else ORG[entity]
    return tuple(found.get((metric, entity_id)) for metric in metrics)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-02-01", (2, 0, 0, 0)),
        ("2026-03-02", (2, 2, 0, 0)),
        ("2026-03-03", (1, 2, 1, 0)),
        ("2026-03-04", (0, 2, 1, 1)),
        ("2026-03-05", (1, 1, 1, 1)),
        ("2026-03-06", (1, 0, 1, 2)),
        ("2026-03-10", (1, 0, 1, 2)),
    ],
)
def test_subscriptions_by_status_at_the_end_of_the_day(settings: Settings, day: str, expected: tuple[int, ...]) -> None:
    assert values(settings, day, STATES) == expected


def test_status_counts_per_org(settings: Settings) -> None:
    assert values(settings, "2026-03-05", STATES, "TRIALS") == (1, 1, 0, 0)
    assert values(settings, "2026-03-06", STATES, "TRIALS") == (1, 0, 0, 1)
    assert values(settings, "2026-03-03", STATES, "LATE") == (0, 0, 1, 0)
    assert values(settings, "2026-03-04", STATES, "GONE") == (0, 0, 0, 1)
    assert values(settings, "2026-02-15", STATES, "TRIALS") == (None, None, None, None), "before the org's first state"


def test_trial_conversion(settings: Settings) -> None:
    # sub_t goes trialing -> active on 03-05; sub_l is canceled in its trial on 03-06
    assert values(settings, "2026-03-05", TRIALS) == (1, 1, 1.0)
    assert values(settings, "2026-03-06", TRIALS) == (1, 0, 0.0)
    assert values(settings, "2026-03-06", TRIALS, "TRIALS") == (1, 0, 0.0)
    assert values(settings, "2026-03-04", TRIALS) == (0, 0, None), "no trial ended: no rate"


def test_payment_failures(settings: Settings) -> None:
    failures = {
        day: values(settings, day, ("payment_failures",))[0] for day in ("2026-03-02", "2026-03-03", "2026-03-06")
    }
    assert failures == {"2026-03-02": 0, "2026-03-03": 1, "2026-03-06": 1}
    assert values(settings, "2026-03-06", ("payment_failures",), "LATE") == (1,)
    assert values(settings, "2026-03-06", ("payment_failures",), "GONE") == (0,)


def test_the_wide_mart_holds_the_org_rows(settings: Settings) -> None:
    found = rows(
        settings,
        "select org_id, active_subscriptions, trialing_subscriptions, trials_ended, trials_converted, "
        "trial_conversion_rate, payment_failures from {core}.mart_revenue_subscriptions_daily "
        "where metric_date = cast('2026-03-05' as date)",
    )
    names = {org: name for name, org in ORG.items()}
    assert {names[r["org_id"]]: tuple(list(r.values())[1:]) for r in found} == {
        "TRIALS": (1, 1, 1, 1, 1.0, 0),
        "LATE": (0, 0, 0, 0, None, 0),
        "GONE": (0, 0, 0, 0, None, 0),
    }
