"""Settings: defaults, vitals.toml, VITALS_* environment, validation messages, the init template."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from vitals.config import DEFAULT_EVENT_NAMES, ConfigError, Settings, load_settings
from vitals.config_template import render_config


def test_defaults() -> None:
    settings = load_settings()
    assert settings.engine == "duckdb"
    assert settings.warehouse == Path("vitals.duckdb")
    assert settings.timezone == "America/Los_Angeles"
    assert "patient_name" not in settings.property_allowlist
    assert settings.event_names["org_created"] == ["org_created", "org_signup"]


def test_toml_then_env_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "vitals.toml"
    config.write_text('engine = "postgres"\ntimezone = "Europe/Paris"\n[postgres]\ndsn = "postgresql://a@h/db"\n')
    monkeypatch.setenv("VITALS_CONFIG", str(config))
    settings = load_settings()
    assert (settings.engine, settings.timezone, settings.postgres.dsn) == (
        "postgres",
        "Europe/Paris",
        "postgresql://a@h/db",
    )
    monkeypatch.setenv("VITALS_TIMEZONE", "UTC")
    monkeypatch.setenv("VITALS_WAREHOUSE", str(tmp_path / "other.duckdb"))
    monkeypatch.setenv("VITALS_POSTGRES__DSN", "postgresql://b@h/db")
    settings = load_settings()
    assert settings.timezone == "UTC"
    assert settings.warehouse == tmp_path / "other.duckdb"
    assert settings.postgres.dsn == "postgresql://b@h/db"


def test_event_name_mapping_merges_with_defaults() -> None:
    settings = Settings(event_names={"note_submit": ["NoteSubmitted"]})
    assert settings.event_names["note_submit"] == ["NoteSubmitted"]
    assert settings.event_names["login"] == DEFAULT_EVENT_NAMES["login"]


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"engine": "oracle"}, "engine"),
        ({"event_names": {"teleport": ["x"]}}, "unknown canonical event(s) ['teleport']"),
        ({"event_names": {"login": ["go"], "logout": ["go"]}}, "'go' is mapped to both"),
        ({"colour": "blue"}, "colour"),
        ({"sales": {"stage_probabilities": {"contractsent": 1.5}}}, "stage 'contractsent' must be between 0 and 1"),
        ({"sales": {"stage_probabilities": {"a": 0.1, " A": 0.2}}}, "stage 'a' is given twice"),
        ({"sales": {"forecast_categories": {"contractsent": "maybe"}}}, "sales.forecast_categories.contractsent"),
        ({"sales": {"stalled_days": 0}}, "sales.stalled_days"),
    ],
)
def test_invalid_settings_are_named(overrides: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(**overrides)
    assert needle in str(error.value)


def test_template_is_valid_and_complete() -> None:
    text = render_config()
    parsed = tomllib.loads(text)
    assert Settings(**parsed) == Settings()
    for name in Settings.model_fields:
        assert name in parsed, f"{name} missing from the vitals.toml template"
    assert "# Business time zone" in text
