"""`vitals sql` is read-only by default on DuckDB and PostgreSQL: statements that write, reach files, attach other
databases or install extensions are refused; ``--write`` opts in after a confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import cli_env, make_settings
from vitals.cli import app
from vitals.config import Settings
from vitals.warehouse import open_warehouse
from vitals.warehouse.user_sql import SqlRefused, require_read_statement

runner = CliRunner()


def with_jobs(settings: Settings) -> Settings:
    """``settings``' warehouse with ``jobs`` (3 rows) in its core schema."""
    with open_warehouse(settings) as wh:
        schema = wh.core_schema
        wh.execute(f"create schema if not exists {schema}")
        wh.execute(f"create table {schema}.jobs (job_id integer, status text)")
        wh.execute(f"insert into {schema}.jobs values (1, 'success'), (2, 'error'), (3, 'success')")
    return settings


@pytest.fixture
def warehouse(engine_settings: Settings) -> Settings:
    """A warehouse with ``jobs``, once per engine."""
    return with_jobs(engine_settings)


@pytest.fixture
def duck(tmp_path: Path) -> Settings:
    return with_jobs(make_settings("duckdb", tmp_path))


@pytest.fixture
def pg(tmp_path: Path, pg_database: str) -> Settings:
    return with_jobs(make_settings("postgres", tmp_path, pg_database))


def sql(settings: Settings, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, ["sql", *args], env=cli_env(settings), input=stdin)


def job_count(settings: Settings) -> int:
    with open_warehouse(settings) as wh:
        return int(wh.query(f"select count(*) from {wh.core_schema}.jobs")[0][0])


def test_reading_works_read_only(warehouse: Settings) -> None:
    result = sql(warehouse, "select status, count(*) as n from jobs group by status order by status", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["status,n", "error,1", "success,2"]


@pytest.mark.parametrize(
    "statement",
    [
        "drop table jobs",
        "delete from jobs",
        "truncate jobs",
        "update jobs set status = 'x'",
        "insert into jobs values (4, 'x')",
        "create table other as select 1 as a",
    ],
)
def test_writes_are_refused_without_write(warehouse: Settings, statement: str) -> None:
    result = sql(warehouse, statement)
    assert result.exit_code == 1, result.output
    assert "error:" in result.output and "--write" in result.output
    assert "Traceback" not in result.output
    assert job_count(warehouse) == 3


def test_several_statements_cannot_smuggle_a_write(warehouse: Settings) -> None:
    result = sql(warehouse, "select 1; commit; drop table jobs")
    assert result.exit_code == 1, result.output
    assert job_count(warehouse) == 3


@pytest.mark.parametrize("write", [False, True])
def test_files_extensions_and_other_databases_are_out_of_reach(duck: Settings, tmp_path: Path, write: bool) -> None:
    target = tmp_path / "copied.csv"
    flags = ["--write", "--yes"] if write else []
    for statement in (
        f"copy (select * from jobs) to '{target}'",
        "select * from read_csv('/etc/passwd')",
        f"attach '{tmp_path / 'other.duckdb'}' as other",
        "install httpfs",
        "load httpfs",
        "set enable_external_access = true",
        f"export database '{tmp_path / 'dump'}'",
    ):
        result = sql(duck, statement, *flags)
        assert result.exit_code == 1, (statement, result.output)
        assert "error:" in result.output, statement
    assert not target.exists() and not (tmp_path / "other.duckdb").exists() and not (tmp_path / "dump").exists()
    assert job_count(duck) == 3


def test_postgres_refuses_copy_to_a_server_file_or_program(pg: Settings, tmp_path: Path) -> None:
    for statement in (
        f"copy (select * from jobs) to '{tmp_path / 'out.csv'}'",
        "copy (select 1) to program 'true'",
        "set transaction read write",
        "/* hidden */ (delete from jobs)",
    ):
        result = sql(pg, statement)
        assert result.exit_code == 1, (statement, result.output)
        assert "is not a query" in result.output and "--write" in result.output
    in_cte = sql(pg, "with gone as (delete from jobs returning 1) select count(*) from gone")
    assert in_cte.exit_code == 1 and "read-only" in in_cte.output
    assert job_count(pg) == 3


def test_write_asks_first_and_a_no_changes_nothing(warehouse: Settings) -> None:
    declined = sql(warehouse, "delete from jobs where job_id = 1", "--write", stdin="n\n")
    assert declined.exit_code == 1
    assert "write access" in declined.output
    assert job_count(warehouse) == 3

    accepted = sql(warehouse, "delete from jobs where job_id = 1", "--write", stdin="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert job_count(warehouse) == 2

    skipped = sql(warehouse, "delete from jobs where job_id = 2", "--write", "--yes")
    assert skipped.exit_code == 0, skipped.output
    assert "write access" not in skipped.output
    assert job_count(warehouse) == 1


def test_a_missing_duckdb_warehouse_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none.duckdb"
    result = runner.invoke(app, ["sql", "select 1"], env={"VITALS_WAREHOUSE": str(path)})
    assert result.exit_code == 1
    assert f"no DuckDB warehouse at {path} yet" in result.output.replace("\n", "")
    assert not path.exists()


@pytest.mark.parametrize(
    ("statement", "allowed"),
    [
        ("select 1", True),
        ("  -- a comment\n/* another */ (WITH x AS (select 1) select * from x)", True),
        ("explain select 1", True),
        ("show tables", True),
        ("copy jobs to '/tmp/x'", False),
        ("/* select */ drop table jobs", False),
        ("-- select\ndelete from jobs", False),
        ("insert into jobs select 1", False),
        ("", False),
    ],
)
def test_the_read_statement_allowlist_looks_past_comments_and_parentheses(statement: str, allowed: bool) -> None:
    if allowed:
        require_read_statement(statement)
    else:
        with pytest.raises(SqlRefused, match="is not a query"):
            require_read_statement(statement)
