"""Sentry settings (``[sentry]`` in vitals.toml, ``VITALS_SENTRY__*`` in the environment).

The client secrets also come from ``VITALS_SENTRY_CLIENT_SECRET`` (comma-separated, several while a
secret is rotated); ``SentryEnvSource`` reads it with environment precedence.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode

from vitals.json_setting import json_table
from vitals.webhook_support import SecretsEnvSource, settings_section, split_secrets

SECRET_ENV = "VITALS_SENTRY_CLIENT_SECRET"
"""The integration's client secret (comma-separated: several while it is rotated)."""

DEFAULT_API_BASE = "https://sentry.io"


class SentrySettings(BaseModel):
    """Sentry Integration Platform webhooks, REST API backfill and flattening into ``sentry_errors_big``."""

    client_secrets: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Client secrets of the Sentry integration; a delivery is accepted when its "
        "Sentry-Hook-Signature matches any of them, so a rotated secret keeps working until removed. "
        f"Env: {SECRET_ENV} (comma-separated).",
    )
    webhook_max_body_bytes: int = Field(
        default=1_048_576,
        gt=0,
        description="Larger webhook bodies are refused with 413 and nothing is stored.",
    )
    flatten_on_webhook: bool = Field(
        default=True,
        description="After a webhook is stored and acknowledged, flatten the stored deliveries into "
        "sentry_errors_big (in the background).",
    )
    project_org_map: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="Sentry project (slug or numeric id) -> org UUID, for errors without an org tag.",
    )
    org_tag: str = Field(default="org_id", min_length=1, description="Tag holding the org UUID on Sentry events.")
    provider_tag: str = Field(
        default="provider_id", min_length=1, description="Tag holding the provider UUID on Sentry events."
    )
    api_base: str = Field(
        default=DEFAULT_API_BASE,
        description="Address of the Sentry REST API used by backfills (self-hosted Sentry: its own address).",
    )
    api_timeout_seconds: float = Field(default=30.0, gt=0, description="Timeout of each REST API request.")

    _split_secrets = field_validator("client_secrets", mode="before")(split_secrets)

    _json_map = field_validator("project_org_map", mode="before")(json_table("project -> org UUID"))

    def secret_values(self) -> list[str]:
        """The secrets in clear, for verification only (never log them)."""
        return [s.get_secret_value() for s in self.client_secrets]


class SentryEnvSource(SecretsEnvSource):
    """Maps ``{SECRET_ENV}`` to ``sentry.client_secrets`` (see ``SecretsEnvSource``)."""

    def __init__(self, settings_cls: type[BaseSettings], field: str = "sentry") -> None:
        super().__init__(settings_cls, SECRET_ENV, field, "client_secrets")


def sentry_settings(settings: Any) -> SentrySettings:
    """The ``sentry`` section of the settings (for an object without one: the defaults with the secrets
    from ``VITALS_SENTRY_CLIENT_SECRET``)."""
    return settings_section(settings, "sentry", SentrySettings, SECRET_ENV, "client_secrets")
