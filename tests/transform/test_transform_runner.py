"""The dbt runner: profiles per engine, vars, errors that name the failing model, project settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import make_settings
from vitals.config import Settings
from vitals.warehouse.dbt import (
    PROJECT_DIR,
    BuildError,
    build,
    build_vars,
    format_as_of,
    profile_for,
    write_profile,
)


def test_duckdb_profile(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    output = profile_for(settings)["vitals"]["outputs"]["duckdb"]
    assert output["type"] == "duckdb"
    assert output["path"] == str((tmp_path / "vitals.duckdb").resolve())
    assert output["settings"]["TimeZone"] == "UTC"
    assert output["schema"] == "main"


def test_postgres_profile_from_dsn(tmp_path: Path) -> None:
    dsn = "postgresql://alice:s3cret@db.example:6543/warehouse?sslmode=require"
    settings = make_settings("postgres", tmp_path, dsn, postgres={"dsn": dsn, "schema_name": "metrics"})
    output = profile_for(settings)["vitals"]["outputs"]["postgres"]
    assert {k: output[k] for k in ("host", "port", "user", "password", "dbname", "schema", "sslmode")} == {
        "host": "db.example",
        "port": 6543,
        "user": "alice",
        "password": "s3cret",
        "dbname": "warehouse",
        "schema": "metrics",
        "sslmode": "require",
    }


def test_spark_profile(tmp_path: Path) -> None:
    settings = make_settings("spark", tmp_path)
    output = profile_for(settings)["vitals"]["outputs"]["spark"]
    assert output["method"] == "session" and output["host"] == "NA" and output["schema"] == "analytics"
    assert output["server_side_parameters"]["spark.sql.session.timeZone"] == "UTC"


def test_profile_written_under_state_dir(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    directory = write_profile(settings)
    assert directory == tmp_path / ".vitals" / "dbt"
    assert yaml.safe_load((directory / "profiles.yml").read_text()) == profile_for(settings)


def test_as_of_is_utc_to_the_second() -> None:
    paris = timezone(timedelta(hours=2))
    assert format_as_of(datetime(2026, 7, 1, 14, 0, 5, 999, tzinfo=paris)) == datetime(2026, 7, 1, 12, 0, 5)
    now = format_as_of(None)
    assert now.tzinfo is None and now.microsecond == 0
    assert abs(now - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)


def test_vars_carry_settings_and_as_of(tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path, timezone="Europe/Paris", job_timeout_minutes=30)
    variables = build_vars(settings, datetime(2026, 1, 2, 3, 4, 5))
    assert variables["as_of"] == "2026-01-02 03:04:05"
    assert variables["business_tz"] == "Europe/Paris"
    assert variables["job_timeout_minutes"] == 30
    assert variables["event_names"] == settings.event_names


def test_project_defaults_match_settings(tmp_path: Path) -> None:
    """dbt_project.yml's var defaults (for plain `dbt build`) equal the Settings defaults."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["flags"]["send_anonymous_usage_stats"] is False
    defaults = Settings(state_dir=tmp_path).dbt_vars()
    for name, value in defaults.items():
        assert project["vars"][name] == value, name


def test_failure_names_the_model_and_the_error(tmp_path: Path) -> None:
    """A broken raw table makes stg_app__events fail; the error says which and why, briefly."""
    settings = make_settings("duckdb", tmp_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.events_big (event_id varchar)")  # missing every other column
    with pytest.raises(BuildError) as failure:
        build(settings, as_of=datetime(2026, 1, 1))
    message = str(failure.value)
    assert "stg_app__events" in message
    assert "Traceback" not in message
    assert len(message.splitlines()) <= 12
    # the warehouse file is released after a failed build
    with duckdb.connect(str(settings.warehouse)) as con:
        assert con.execute("select 1").fetchone() == (1,)


def test_two_warehouses_build_at_once_without_writing_into_the_package(tmp_path: Path) -> None:
    """Each warehouse keeps its compiled SQL, manifest and partial-parse state under its own state directory,
    even when that directory is given as a relative path: never inside the installed dbt project."""
    import os
    import subprocess
    import sys

    before = sorted(str(p) for p in PROJECT_DIR.rglob("*"))
    processes = []
    for name in ("first", "second"):
        home = tmp_path / name
        home.mkdir()
        env = {**os.environ, "VITALS_ENGINE": "duckdb", "VITALS_WAREHOUSE": "w.duckdb", "VITALS_STATE_DIR": ".state"}
        env["VITALS_CONFIG"] = str(home / "absent.toml")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "vitals", "build", "--select", "stg_app__events", "--no-tests"],
                cwd=home,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output
    for name in ("first", "second"):
        assert (tmp_path / name / ".state" / "dbt" / "target" / "manifest.json").is_file()
    assert sorted(str(p) for p in PROJECT_DIR.rglob("*")) == before
