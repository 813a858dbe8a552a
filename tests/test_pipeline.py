"""End to end through the CLI on DuckDB: generate, load (twice), build, inspect, doctor, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vitals.cli import app

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VITALS_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("VITALS_STATE_DIR", str(tmp_path / ".vitals"))
    return tmp_path


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, f"vitals {' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
    return result.output


def _count(table: str) -> int:
    out = _ok(["sql", f"select count(*) as n from {table}", "--format", "json"])
    return int(json.loads(out)[0]["n"])


def test_generate_load_build_inspect(workdir: Path) -> None:
    _ok(["generate", "--out", "data", "--orgs", "4", "--days", "14", "--seed", "5", "--end", "2026-10-31"])
    assert {p.name for p in (workdir / "data").iterdir()} >= {
        "events_big.csv",
        "stripe_billing_big.csv",
        "sentry_errors_big.csv",
    }
    _ok(["load", "data"])
    raw_events = _count("raw.events_big")
    assert raw_events > 100
    _ok(["load", "data"])
    assert _count("raw.events_big") == raw_events, "loading the same files twice must change nothing"

    out = _ok(["build", "--as-of", "2026-11-01T08:00:00"])
    assert "built as of 2026-11-01T08:00:00" in out
    for table in ("organizations", "providers", "summarization_jobs", "sessions"):
        assert _count(table) > 0, table
    assert _count("organizations") >= 4
    assert any(workdir.glob("*.snapshot.duckdb")), "the build published the BI snapshot beside the warehouse"
    doctor = _ok(["doctor"])
    assert "FAIL" not in doctor


def test_demo_prints_the_summary(workdir: Path) -> None:
    out = _ok(["demo", "--no-serve", "--orgs", "4", "--days", "14", "--warehouse", str(workdir / "demo.duckdb")])
    for needle in ("organizations", "providers", "summarization jobs", "sessions", "demo.duckdb"):
        assert needle in out
    for label in ("Daily active doctors", "Notes per active doctor", "MRR", "Paying orgs"):
        assert label in out, f"headline KPI {label} is printed"
    assert "five least healthy orgs" in out
    worst = out.split("five least healthy orgs", 1)[1]
    assert any(band in worst for band in ("Healthy", "Neutral", "At risk", "Critical")), worst
    assert (workdir / "demo.duckdb").exists()
