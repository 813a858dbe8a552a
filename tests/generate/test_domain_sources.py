"""The CRM, marketing, help-desk and campaign files: they land with ``vitals load``, stay inside the window, are
deterministic, and come from their own random streams (the other sources do not move)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from tests.conftest import make_settings
from vitals.contracts import RAW_TABLES, ColumnKind
from vitals.generate import GenerateResult, runner
from vitals.generate.orgs import build_population
from vitals.generate.records import CRM_LEAD_IN_DAYS
from vitals.generate.window import Window
from vitals.ingest.files import load_directory
from vitals.warehouse import open_warehouse

from .conftest import END, connect, small_dataset

NEW_TABLES = [t.name for t in runner.DOMAIN_SOURCES]


def test_every_domain_file_is_written(small: GenerateResult) -> None:
    for name in NEW_TABLES:
        assert small.paths[name].name == f"{name}.csv"
        assert small.rows[name] > 0, name


def test_the_files_load_into_a_fresh_warehouse(small: GenerateResult, tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    report = load_directory(settings, small.events_path.parent, progress=False)
    assert {t.table for t in report.tables} == set(small.paths)
    with open_warehouse(settings) as warehouse:
        for name in NEW_TABLES:
            assert int(warehouse.query(f"select count(*) from raw.{name}")[0][0]) == small.rows[name], name


@pytest.mark.parametrize("fixture", ["small", "wide"])
def test_nothing_is_dated_after_the_window(fixture: str, request: pytest.FixtureRequest) -> None:
    result: GenerateResult = request.getfixturevalue(fixture)
    con = connect(result)
    end = result.window_end.replace(tzinfo=None)
    crm_start = result.window_start.replace(tzinfo=None) - timedelta(days=CRM_LEAD_IN_DAYS + 1)
    for name in NEW_TABLES:
        for column in RAW_TABLES[name].columns:
            if column.kind != ColumnKind.TIMESTAMP or column.name == "expected_close_date":
                continue  # an open deal's expected close is a forecast, often after the window
            low, high = con.sql(
                f"select min(t), max(t) from (select try_cast(nullif({column.name}, '') as timestamp) as t from {name})"
            ).fetchone()  # type: ignore[misc]
            assert high is None or high < end, f"{name}.{column.name} reaches {high}"
            first = crm_start - timedelta(days=31) if name == "crm_quotas" else crm_start  # whole months
            assert low is None or low >= first, f"{name}.{column.name} starts {low}"
            text = f"nullif({column.name}, '')"
            unparsed = con.sql(
                f"select count(*) from {name} where {text} is not null and try_cast({text} as timestamp) is null"
            )
            assert unparsed.fetchone() == (0,), f"{name}.{column.name} holds text that is not a time"


def test_support_and_campaigns_stay_inside_the_window(wide: GenerateResult) -> None:
    con = connect(wide)
    start = wide.window_start.replace(tzinfo=None)
    for name, column in (("support_tickets", "created_at"), ("retention_campaigns", "started_at")):
        first = con.sql(f"select min({column}::timestamp) from {name}").fetchone()
        assert first is not None and first[0] >= start, name


def _tables(seed: int) -> dict[str, pa.Table]:
    window = Window.build(END, 45, "America/Los_Angeles")
    return runner.domain_tables(build_population(seed, window, 12), window, seed)


def test_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    first, again, other = _tables(5), _tables(5), _tables(6)
    for name in NEW_TABLES:
        assert first[name].equals(again[name]), name
        assert not first[name].equals(other[name]), name


def test_same_arguments_give_identical_files(tmp_path: Path, small: GenerateResult) -> None:
    again = small_dataset(tmp_path / "again")
    for name in NEW_TABLES:
        assert again.paths[name].read_bytes() == small.paths[name].read_bytes(), name


def test_domain_draws_do_not_move_the_other_sources(
    tmp_path: Path, small: GenerateResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "domain_tables", lambda pop, window, seed: {})
    without = small_dataset(tmp_path / "without")
    for name in ("events_big", "stripe_billing_big", "sentry_errors_big", "nps_responses"):
        assert without.paths[name].read_bytes() == small.paths[name].read_bytes(), name


def test_keys_are_unique(wide: GenerateResult) -> None:
    con = connect(wide)
    keys = {
        "crm_activities": "activity_id",
        "crm_quotas": "owner_id, month",
        "marketing_spend": "spend_date, channel, campaign",
        "crm_deals": "deal_id, updated_at",
        "marketing_leads": "lead_id, updated_at",
        "support_tickets": "ticket_id, updated_at",
        "retention_campaigns": "campaign_id, updated_at",
    }
    for name, key in keys.items():
        dupes = con.sql(f"select count(*) from (select {key} from {name} group by all having count(*) > 1)")
        assert dupes.fetchone() == (0,), name
