"""StripeSettings: VITALS_STRIPE_WEBHOOK_SECRETS (comma-separated), precedence, and secrets kept out of reprs.

``StripeTestSettings`` is ``vitals.config.Settings`` with the proposed ``stripe`` patch applied.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stripe.stripe_data import StripeTestSettings
from vitals.config import Settings
from vitals.stripe.settings import SECRETS_ENV, StripeSettings, stripe_settings


def test_secrets_from_the_comma_separated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRETS_ENV, " whsec_new , whsec_old,, ")
    settings = StripeTestSettings()
    assert settings.stripe.secret_values() == ["whsec_new", "whsec_old"]
    assert "whsec_new" not in repr(settings) and "whsec_new" not in str(settings.stripe)


def test_env_beats_toml_and_arguments_beat_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toml = tmp_path / "vitals.toml"
    toml.write_text('[stripe]\nwebhook_secrets = ["whsec_toml"]\nwebhook_tolerance_seconds = 60\n')
    monkeypatch.setenv("VITALS_CONFIG", str(toml))
    assert StripeTestSettings().stripe.secret_values() == ["whsec_toml"]
    monkeypatch.setenv(SECRETS_ENV, "whsec_env")
    found = StripeTestSettings().stripe
    # the env secrets replace the file's; the file's other Stripe settings stay
    assert (found.secret_values(), found.webhook_tolerance_seconds) == (["whsec_env"], 60)
    explicit = StripeTestSettings(stripe=StripeSettings.model_validate({"webhook_secrets": "whsec_arg"}))
    assert explicit.stripe.secret_values() == ["whsec_arg"]


def test_nested_env_names_work_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITALS_STRIPE__WEBHOOK_SECRETS", "whsec_a,whsec_b")
    monkeypatch.setenv("VITALS_STRIPE__WEBHOOK_MAX_BODY_BYTES", "4096")
    found = StripeTestSettings().stripe
    assert (found.secret_values(), found.webhook_max_body_bytes) == (["whsec_a", "whsec_b"], 4096)


def test_defaults() -> None:
    found = StripeSettings()
    assert found.webhook_secrets == []
    assert (found.webhook_tolerance_seconds, found.webhook_max_body_bytes) == (300, 1_048_576)
    assert (found.org_metadata_key, found.page_size, found.flatten_on_webhook) == ("org_id", 100, True)
    assert found.dbt_vars() == {
        "stripe_past_due_grace_days": 30,
        "stripe_churn_recognition": "period_end",
        "reporting_currency": "USD",
    }


def test_fallback_before_the_settings_patch(monkeypatch: pytest.MonkeyPatch) -> None:
    # vitals.config.Settings without a stripe section: the defaults plus the env secrets
    monkeypatch.setenv(SECRETS_ENV, "whsec_only")
    assert stripe_settings(Settings()).secret_values() == ["whsec_only"]


def test_generated_config_reads_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # `vitals init` renders each section field with config_template._toml_value; the [stripe] section it
    # would write must read back to the defaults
    from vitals.config_template import _toml_value

    defaults = StripeSettings()
    lines = ["[stripe]", *(f"{name} = {_toml_value(getattr(defaults, name))}" for name in StripeSettings.model_fields)]
    toml = tmp_path / "vitals.toml"
    toml.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("VITALS_CONFIG", str(toml))
    assert StripeTestSettings().stripe == defaults
    toml.write_text('[stripe.customer_org_map]\ncus_A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"\n')
    assert StripeTestSettings().stripe.customer_org_map == {"cus_A": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"}
