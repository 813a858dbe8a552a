"""The build part of /api/v1/status: the interval, and a warning when builds take longer than it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.conftest import make_settings
from vitals.server.builds import Builder, BuildRecord


def _builder(tmp_path: Path, minutes: float) -> Builder:
    settings = make_settings("duckdb", tmp_path, serve={"build_interval_minutes": minutes})
    writer: Any = None  # status() never touches the writer
    return Builder(settings, writer)


def _finished(seconds: float) -> BuildRecord:
    moment = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    return BuildRecord(started_at=moment, finished_at=moment, outcome="success", seconds=seconds, kind="incremental")


def test_a_build_within_its_interval_is_not_flagged(tmp_path: Path) -> None:
    builder = _builder(tmp_path, 5)
    builder.last = builder.last_success = _finished(42.0)
    status = builder.status()
    assert status["interval_seconds"] == 300
    assert status["slower_than_interval"] is False and status["warning"] is None
    assert status["last_success"]["kind"] == "incremental"


def test_a_build_longer_than_its_interval_says_so(tmp_path: Path) -> None:
    builder = _builder(tmp_path, 1)
    builder.last = builder.last_success = _finished(75.0)
    status = builder.status()
    assert status["slower_than_interval"] is True
    assert "75 s" in status["warning"] and "60 s build interval" in status["warning"]
