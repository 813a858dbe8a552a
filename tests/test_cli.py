"""The CLI's own behaviour: init, sql, doctor, errors as messages (the pipeline commands are tested end to end
in tests/test_pipeline.py)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitals.cli import app
from vitals.config import Settings
from vitals.warehouse import open_warehouse

runner = CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VITALS_WAREHOUSE", str(tmp_path / "w.duckdb"))
    return tmp_path


def test_init_writes_a_valid_commented_config(in_tmp: Path) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    text = (in_tmp / "vitals.toml").read_text()
    assert Settings(**tomllib.loads(text)) == Settings()
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 1
    assert "exists" in again.output
    assert runner.invoke(app, ["init", "--force"]).exit_code == 0


def test_sql_formats(in_tmp: Path) -> None:
    open_warehouse(Settings(warehouse=in_tmp / "w.duckdb")).close()
    query = "select 1 as a, 'x' as b union all select 2, null"
    as_json = runner.invoke(app, ["sql", query, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    as_csv = runner.invoke(app, ["sql", query, "--format", "csv"])
    assert as_csv.output.splitlines() == ["a,b", "1,x", "2,"]
    as_table = runner.invoke(app, ["sql", query])
    assert "a" in as_table.output and "x" in as_table.output


def test_sql_error_is_a_message_not_a_trace(in_tmp: Path) -> None:
    open_warehouse(Settings(warehouse=in_tmp / "w.duckdb")).close()
    result = runner.invoke(app, ["sql", "select * from no_such_table"])
    assert result.exit_code == 1
    assert "error:" in result.output
    assert "no_such_table" in result.output.lower()
    assert "Traceback" not in result.output


def test_doctor_on_an_empty_warehouse_says_what_to_do(in_tmp: Path) -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "ok   configuration" in result.output
    assert "vitals load DIR" in result.output


def test_doctor_names_a_bad_setting(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITALS_TIMEZONE", "Nowhere/Land")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "Nowhere/Land" in result.output


def test_bad_as_of_is_refused(in_tmp: Path) -> None:
    result = runner.invoke(app, ["build", "--as-of", "last tuesday"])
    assert result.exit_code != 0
    assert "not an ISO date" in result.output


def test_dbt_profile_points_at_the_configured_warehouse(in_tmp: Path) -> None:
    result = runner.invoke(app, ["dbt-profile"])
    assert result.exit_code == 0, result.output
    profiles = in_tmp / ".vitals" / "dbt" / "profiles.yml"
    profile = json.loads(profiles.read_text())["vitals"]
    assert profile["target"] == "duckdb"
    assert profile["outputs"]["duckdb"]["path"] == str(in_tmp / "w.duckdb")
    assert f"DBT_PROFILES_DIR={profiles.parent}" in result.output


def test_every_error_the_cli_reports_is_a_vitals_error() -> None:
    from vitals.alerts.routes.base import RouteError
    from vitals.alerts.rules import RulesError
    from vitals.api.tokens import TokenError
    from vitals.config import ConfigError
    from vitals.errors import BadRequest, Forbidden, NotFound, VitalsError
    from vitals.health import HealthError
    from vitals.ingest.errors import LoadError
    from vitals.metrics.catalog import CatalogError
    from vitals.reports.weekly import ReportError
    from vitals.revenue import RevenueError
    from vitals.server.client import ServerError
    from vitals.server.journal import JournalError
    from vitals.warehouse.base import WarehouseError, WarehouseLockedError
    from vitals.warehouse.dbt import BuildError
    from vitals.warehouse.user_sql import SqlRefused

    errors = (
        BadRequest, BuildError, CatalogError, ConfigError, Forbidden, HealthError, JournalError, LoadError, NotFound,
        ReportError, RevenueError, RouteError, RulesError, ServerError, SqlRefused, TokenError, WarehouseError,
        WarehouseLockedError,
    )  # fmt: skip
    assert [e.__name__ for e in errors if not issubclass(e, VitalsError)] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["metrics", "show", "paying_orgs", "--org", "a0000000-0000-4000-8000-00000000000a"], "has no org grain"),
        (["metrics", "show", "dad"], "metrics_daily is not built yet"),
        (["metrics", "show", "no_such_metric"], "no_such_metric"),
        (["health", "--org", "not-a-uuid"], "--org must be an org UUID"),
    ],
)
def test_read_errors_are_one_line_messages(in_tmp: Path, args: list[str], message: str) -> None:
    open_warehouse(Settings(warehouse=in_tmp / "w.duckdb")).close()
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
