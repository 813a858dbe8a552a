"""The read layer on hand-worked tables: seed 000's weekly active providers (a provider with a successful job in
the Monday–Sunday week) where the pages and the digest say "weekly active providers", never the rolling
app-event ``wau``; and the monthly revenue of a filtered set of orgs read from the model's segment rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.alerts.series import create_tables, put_daily
from vitals.api.scope import Scope
from vitals.api.tokens import TokenRecord
from vitals.config import Settings
from vitals.dashboard.pages.executive import _headline
from vitals.dashboard.view import View
from vitals.metrics.activity import last_full_week, wap_summary, wap_trend
from vitals.metrics.reader import WarehouseReader
from vitals.metrics.revenue import revenue_months
from vitals.warehouse import open_warehouse
from vitals.warehouse.base import Warehouse

END = date(2026, 11, 27)  # a Friday: the last full week is Nov 16-22
A, B = "a0000000-0000-4000-8000-00000000000a", "b0000000-0000-4000-8000-00000000000b"
WAP_ROWS = (  # org, week, providers with a successful job that week
    (A, date(2026, 11, 2), 2),
    (A, date(2026, 11, 9), 3),
    (B, date(2026, 11, 9), 1),
    (A, date(2026, 11, 16), 4),
    (B, date(2026, 11, 16), 2),
    (A, date(2026, 11, 23), 1),  # the current, unfinished week
)
ORGS = (
    (A, "Pro"),
    (B, "Pro"),
    ("c0000000-0000-4000-8000-00000000000c", "Pro"),
    ("d0000000-0000-4000-8000-00000000000d", "Basic"),
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(warehouse=tmp_path / "w.duckdb", state_dir=tmp_path / "state")
    create_tables(settings)
    days = [END - timedelta(days=n) for n in range(28)]
    for entity in ("global", A):
        put_daily(settings, "wau", dict.fromkeys(days, 20.0), entity)  # any app event: never what is shown
        put_daily(settings, "dad", dict.fromkeys(days, 3.0), entity)
    with open_warehouse(settings) as wh:
        core = wh.core_schema
        wh.execute(
            f"create table {core}.mart_analyses_weekly_active_providers "
            "(org_id varchar, org_name varchar, week_start date, weekly_active_providers bigint)"
        )
        for org, week, providers in WAP_ROWS:
            wh.execute(
                f"insert into {core}.mart_analyses_weekly_active_providers values (?, ?, ?, ?)",
                [org, org, week, providers],
            )
        wh.execute(f"create table {core}.organizations (org_id varchar, org_name varchar, current_plan varchar)")
        for org, plan in ORGS:
            wh.execute(f"insert into {core}.organizations values (?, ?, ?)", [org, org, plan])
    return settings


@pytest.fixture
def warehouse(settings: Settings) -> Iterator[Warehouse]:
    with open_warehouse(settings) as wh:
        yield wh


def scope(warehouse: Warehouse, role: str = "admin", org: str | None = None) -> Scope:
    return Scope(TokenRecord("t", "t", role, org, datetime.now(UTC), None), warehouse)  # type: ignore[arg-type]


def test_last_full_week_is_the_monday_of_the_last_finished_week() -> None:
    assert last_full_week(END) == date(2026, 11, 16)
    assert last_full_week(date(2026, 11, 22)) == date(2026, 11, 16)  # a Sunday ends its own week
    assert last_full_week(date(2026, 11, 23)) == date(2026, 11, 16)


def test_wap_is_seed_000s_weekly_active_providers(warehouse: Warehouse) -> None:
    reader = WarehouseReader(warehouse)
    company = wap_summary(reader, None, END)
    # company-wide: the orgs' providers of the week of Nov 16 (4 + 2) against Nov 9 (3 + 1); wau says 20
    assert (company.metric, company.label, company.value, company.previous) == (
        "weekly_active_providers",
        "Weekly active providers",
        6.0,
        4.0,
    )
    assert company.change == 2.0 and company.change_percent == pytest.approx(50.0)
    one = wap_summary(reader, A, END)
    assert (one.value, one.previous) == (4.0, 3.0)
    # the org's trend: the last 4 full weeks, 0 in a week without a successful job, the unfinished week left out
    assert [(p.period_start, p.value) for p in wap_trend(reader, B, END, 4)] == [
        (date(2026, 10, 26), 0.0),
        (date(2026, 11, 2), 0.0),
        (date(2026, 11, 9), 1.0),
        (date(2026, 11, 16), 2.0),
    ]
    assert wap_trend(reader, B, date(2026, 11, 1), 2) == []  # no successful job at all in those weeks


@pytest.mark.parametrize(("role", "org", "expected"), [("admin", None, 6.0), ("viewer", None, 6.0), ("org", A, 4.0)])
def test_the_executive_card_shows_wap_not_wau(
    settings: Settings, warehouse: Warehouse, role: str, org: str | None, expected: float
) -> None:
    view = View.open(scope(warehouse, role, org), {}, settings, {})
    cards = {card["item"].metric: card for card in _headline(view)["cards"]}
    assert "wau" not in cards
    card = cards["weekly_active_providers"]
    assert card["item"].label == "Weekly active providers"
    assert card["item"].value == expected
    assert card["note"] == "week of 2026-11-16"
    assert card["spark"][-1] == expected


def test_revenue_of_a_plan_or_an_org_is_the_segment_row_of_the_model(warehouse: Warehouse) -> None:
    """The ratios are the model's (mart_revenue_segments_monthly, unit-tested by hand in dbt); the read layer
    picks the segment a view filters on and never computes one itself."""
    core = warehouse.core_schema
    warehouse.execute(
        f"create table {core}.mart_revenue_segments_monthly (segment_type varchar, segment varchar, plan varchar, "
        "month_start date, start_mrr_cents bigint, end_mrr_cents bigint, new_mrr_cents bigint, "
        "expansion_mrr_cents bigint, reactivation_mrr_cents bigint, contraction_mrr_cents bigint, "
        "churned_mrr_cents bigint, customers_start bigint, customers_end bigint, churned_customers bigint, "
        "arpa_month_end_cents double, nrr double, grr double, logo_churn_rate double, revenue_churn_rate double)"
    )
    segments = [
        ("plan", "Pro", "Pro", 0.81),
        ("plan", "Basic", "Basic", 0.75),
        ("org", A, "Pro", 1.5),
        ("org", B, "Pro", 0.0),
    ]
    for number, (kind, segment, plan, nrr) in enumerate(segments):
        warehouse.execute(
            f"insert into {core}.mart_revenue_segments_monthly values "
            "(?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1.0, ?, 1.0, 0.0, 0.0)",
            [kind, segment, plan, date(2026, 11, 1), number, nrr],
        )
    reader = scope(warehouse)
    month, end = date(2026, 11, 1), END

    def nrr(rows: list[dict[str, object]]) -> list[object]:
        return [row["nrr"] for row in rows]

    assert nrr(revenue_months(reader, month, end, plan="Pro")) == [0.81]
    assert nrr(revenue_months(reader, month, end, org=A)) == [1.5]
    assert nrr(revenue_months(reader, month, end, org=A, plan="Pro")) == [1.5]
    assert revenue_months(reader, month, end, org=A, plan="Basic") == [], "the org is not on that plan"
    org_token = scope(warehouse, "org", B)
    assert nrr(revenue_months(org_token, month, end)) == [0.0], "an org token reads its own org's row"
    assert nrr(revenue_months(org_token, month, end, plan="Pro")) == [0.0]
    assert revenue_months(org_token, month, end, org=A) == [], "never another org's"
