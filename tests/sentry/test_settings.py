"""SentrySettings: VITALS_SENTRY_CLIENT_SECRET (comma-separated), precedence, and secrets kept out of reprs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vitals.config import Settings, load_settings
from vitals.config_template import render_config
from vitals.sentry.settings import SECRET_ENV, SentrySettings, sentry_settings


def test_secrets_from_the_comma_separated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, " new-secret , old-secret,, ")
    settings = Settings()
    assert settings.sentry.secret_values() == ["new-secret", "old-secret"]
    assert "new-secret" not in repr(settings) and "new-secret" not in str(settings.sentry)


def test_env_beats_toml_and_arguments_beat_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toml = tmp_path / "vitals.toml"
    toml.write_text('[sentry]\nclient_secrets = ["from-toml"]\nwebhook_max_body_bytes = 4096\n')
    monkeypatch.setenv("VITALS_CONFIG", str(toml))
    assert Settings().sentry.secret_values() == ["from-toml"]
    monkeypatch.setenv(SECRET_ENV, "from-env")
    found = Settings().sentry
    # the env secret replaces the file's; the file's other Sentry settings stay
    assert (found.secret_values(), found.webhook_max_body_bytes) == (["from-env"], 4096)
    explicit = Settings(sentry=SentrySettings.model_validate({"client_secrets": "from-arg"}))
    assert explicit.sentry.secret_values() == ["from-arg"]


def test_nested_env_names_and_the_project_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITALS_SENTRY__API_BASE", "https://sentry.example.com")
    monkeypatch.setenv("VITALS_SENTRY__PROJECT_ORG_MAP", json.dumps({"backend": "org-uuid"}))
    found = Settings().sentry
    assert found.api_base == "https://sentry.example.com"
    assert found.project_org_map == {"backend": "org-uuid"}


def test_a_bad_project_map_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from vitals.config import ConfigError

    monkeypatch.setenv("VITALS_SENTRY__PROJECT_ORG_MAP", "{not json")
    with pytest.raises(ConfigError, match="project_org_map"):
        load_settings()


def test_the_config_template_has_the_section_without_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SECRET_ENV, "never-written")
    text = render_config()
    assert "[sentry]" in text and "project_org_map = {}" in text and "never-written" not in text
    path = tmp_path / "vitals.toml"
    path.write_text(text)
    monkeypatch.delenv(SECRET_ENV)
    monkeypatch.setenv("VITALS_CONFIG", str(path))
    assert Settings().sentry == SentrySettings()  # the rendered file reads back as the defaults


def test_sentry_settings_of_an_object_without_the_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "a,b")
    assert sentry_settings(object()).secret_values() == ["a", "b"]
