"""Stripe settings (``[stripe]`` in vitals.toml, ``VITALS_STRIPE__*`` in the environment).

The webhook secrets also come from ``VITALS_STRIPE_WEBHOOK_SECRETS`` (comma-separated, the form
deployment tools hand out); ``StripeEnvSource`` reads it with environment precedence.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode

from vitals.json_setting import json_table
from vitals.webhook_support import SecretsEnvSource, settings_section, split_secrets

SECRETS_ENV = "VITALS_STRIPE_WEBHOOK_SECRETS"
"""Comma-separated webhook signing secrets (``whsec_...``); several while a secret is rotated."""


class StripeSettings(BaseModel):
    """Stripe webhooks, API backfill and flattening into ``stripe_billing_big``."""

    webhook_secrets: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Webhook signing secrets (whsec_...). A delivery is accepted when it verifies with any "
        f"of them, so a rotated secret keeps working until removed. Env: {SECRETS_ENV} (comma-separated).",
    )
    webhook_tolerance_seconds: int = Field(
        default=300,
        ge=0,
        description="Reject a delivery whose signed timestamp is older than this (replay protection); "
        "0 disables the check. Stripe's default is 300.",
    )
    webhook_max_body_bytes: int = Field(
        default=1_048_576,
        gt=0,
        description="Larger webhook bodies are refused with 413 and nothing is stored.",
    )
    flatten_on_webhook: bool = Field(
        default=True,
        description="After a webhook is stored and acknowledged, re-flatten the raw Stripe objects into "
        "stripe_billing_big and stripe_subscription_items (in the background).",
    )
    customer_org_map: dict[str, str] = Field(
        default_factory=dict,
        description="Stripe customer id -> org UUID. Wins over the raw.stripe_customer_orgs table, which wins "
        "over the customer's (then subscription's, then invoice's) metadata.",
    )
    org_metadata_key: str = Field(
        default="org_id", min_length=1, description="Metadata key holding the org UUID on Stripe objects."
    )
    api_version: str = Field(
        default="",
        description="Stripe-Version sent by the backfill; empty: the stripe library's pinned version. "
        "Both invoice shapes (before and since 2025-03-31) are understood either way.",
    )
    page_size: int = Field(default=100, ge=1, le=100, description="Objects per API list page in backfills.")
    past_due_grace_days: int = Field(
        default=30,
        ge=0,
        description="For the revenue models: a past_due subscription still counts in MRR for this many days "
        "after its invoice became due.",
    )
    churn_recognition: Literal["period_end", "cancellation"] = Field(
        default="period_end",
        description="For the revenue models: when a cancelled subscription stops counting in MRR. period_end: "
        "when it ends (a cancellation at the period end keeps its MRR until then, as Stripe keeps it active); "
        "cancellation: from the moment the customer cancels, even if service runs to the period end.",
    )
    reporting_currency: str = Field(
        default="USD",
        pattern="^[A-Za-z]{3}$",
        description="ISO code every revenue figure is reported in; other currencies convert through "
        "raw.currency_rates (see docs/metrics/revenue.md).",
    )

    _split_secrets = field_validator("webhook_secrets", mode="before")(split_secrets)

    _json_map = field_validator("customer_org_map", mode="before")(json_table("customer id -> org UUID"))

    def secret_values(self) -> list[str]:
        """The secrets in clear, for verification only (never log them)."""
        return [s.get_secret_value() for s in self.webhook_secrets]

    def dbt_vars(self) -> dict[str, Any]:
        """The Stripe settings the SQL models read, as dbt vars."""
        return {
            "stripe_past_due_grace_days": self.past_due_grace_days,
            "stripe_churn_recognition": self.churn_recognition,
            "reporting_currency": self.reporting_currency.upper(),
        }


class StripeEnvSource(SecretsEnvSource):
    """Maps ``{SECRETS_ENV}`` to ``stripe.webhook_secrets`` (see ``SecretsEnvSource``)."""

    def __init__(self, settings_cls: type[BaseSettings], field: str = "stripe") -> None:
        super().__init__(settings_cls, SECRETS_ENV, field, "webhook_secrets")


def stripe_settings(settings: Any) -> StripeSettings:
    """The ``stripe`` section of the settings (for an object without one: the defaults with the secrets
    from ``VITALS_STRIPE_WEBHOOK_SECRETS``)."""
    return settings_section(settings, "stripe", StripeSettings, SECRETS_ENV, "webhook_secrets")
