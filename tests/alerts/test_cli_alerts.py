"""`vitals alerts eval | silence | list | history` through the CLI, configured by vitals.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.alerts.conftest import SECRET
from tests.alerts.receivers import Receiver
from tests.alerts.series import create_tables, put_hour, write_rules
from tests.alerts.test_timeline import hour, quality_rule
from tests.conftest import make_settings
from vitals.cli import app
from vitals.config import load_settings

runner = CliRunner()


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook: Receiver) -> Path:
    rules = write_rules(tmp_path / "rules.yml", quality_rule(**{"for": "0m"}))
    config = tmp_path / "vitals.toml"
    config.write_text(
        f'engine = "duckdb"\nwarehouse = "{tmp_path / "w.duckdb"}"\ntimezone = "UTC"\n\n'
        f'[alerts]\nrules_file = "{rules}"\ndefault_rules = false\n\n'
        f'[alerts.routes.hook]\ntype = "webhook"\nurl = "{webhook.url}"\nsecret = "{SECRET}"\n'
    )
    monkeypatch.setenv("VITALS_CONFIG", str(config))
    settings = make_settings("duckdb", tmp_path, warehouse=tmp_path / "w.duckdb", timezone="UTC")
    create_tables(settings)
    for h in (9, 10):
        put_hour(settings, hour(h), jobs=40, passed=10)
    return tmp_path


def test_eval_pages_once_and_again_sends_nothing(configured: Path, webhook: Receiver) -> None:
    first = runner.invoke(app, ["alerts", "eval", "--as-of", "2026-11-10T10:05"])
    assert first.exit_code == 0, first.output
    assert "quality_low" in first.output and "firing" in first.output
    assert "-> hook: sent" in first.output
    again = runner.invoke(app, ["alerts", "eval", "--as-of", "2026-11-10T10:20"])
    assert again.exit_code == 0, again.output
    assert "-> hook" not in again.output
    assert [b["kind"] for b in webhook.bodies()] == ["firing"]


def test_silence_list_and_history(configured: Path, webhook: Receiver) -> None:
    made = runner.invoke(app, ["alerts", "silence", "quality_low", "--for", "2h", "--comment", "maintenance"])
    assert made.exit_code == 0, made.output
    assert "silenced quality_low (every scope) until" in made.output
    listed = runner.invoke(app, ["alerts", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert '"rule": "quality_low"' in listed.output and '"condition": "< 0.8"' in listed.output
    runner.invoke(app, ["alerts", "eval", "--as-of", "2026-11-10T10:05"])
    history = runner.invoke(app, ["alerts", "history"])
    assert history.exit_code == 0, history.output
    assert "inactive" in history.output and "firing" in history.output
    assert "maintenance" in history.output


def test_unknown_rule_and_bad_duration_are_clear(configured: Path) -> None:
    unknown = runner.invoke(app, ["alerts", "silence", "nope", "--for", "2h", "--comment", "x"])
    assert unknown.exit_code == 1
    assert "no rule named 'nope'" in unknown.output
    bad = runner.invoke(app, ["alerts", "silence", "quality_low", "--for", "two hours", "--comment", "x"])
    assert bad.exit_code == 2
    assert "not a duration" in bad.output


def test_eval_before_a_build_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITALS_WAREHOUSE", str(tmp_path / "empty.duckdb"))
    result = runner.invoke(app, ["alerts", "eval"])
    assert result.exit_code == 1
    assert "is not built yet: run `vitals build`" in " ".join(result.output.split())


def test_settings_read_routes_from_toml(configured: Path) -> None:
    settings = load_settings()
    assert settings.alerts.routes["hook"].type == "webhook"
    assert not settings.alerts.default_rules


def test_list_fits_80_columns_without_cutting_values(configured: Path) -> None:
    runner.invoke(app, ["alerts", "eval", "--as-of", "2026-11-10T10:05"])
    listed = runner.invoke(app, ["alerts", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in listed.output
    words = listed.output.split()
    for value in ("quality_low", "quality_pass_rate_hourly", "global=firing", "critical", "hook"):
        assert value in words, value
