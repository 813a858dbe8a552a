"""Alert settings (``[alerts]`` in vitals.toml, ``VITALS_ALERTS__*`` in the environment).

Routes hold the secrets (webhook URLs, routing keys, passwords), so they live in the settings, not in
the rules file: a rule names its routes, the settings say where each one goes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class _Route(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlackRoute(_Route):
    """A Slack incoming webhook (one channel per webhook URL)."""

    type: Literal["slack"]
    url: SecretStr = Field(description="The incoming webhook URL (https://hooks.slack.com/services/...).")


class PagerDutyRoute(_Route):
    """A PagerDuty service through the Events API v2."""

    type: Literal["pagerduty"]
    routing_key: SecretStr = Field(description="The service integration's routing key (32 characters).")
    url: str = Field(default="https://events.pagerduty.com/v2/enqueue", description="Events API v2 endpoint.")


class EmailRoute(_Route):
    """Email through an SMTP server (HTML with a plain-text part)."""

    type: Literal["email"]
    host: str = Field(description="SMTP server host.")
    port: int = Field(default=587, gt=0, lt=65536, description="SMTP port (587 STARTTLS, 465 TLS, 25 plain).")
    sender: str = Field(description="From address.")
    to: list[str] = Field(min_length=1, description="Recipient addresses.")
    username: str = Field(default="", description="SMTP login; empty: no authentication.")
    password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    security: Literal["starttls", "tls", "none"] = Field(default="starttls", description="Transport security.")


class WebhookRoute(_Route):
    """Any HTTP endpoint: a JSON body signed with HMAC-SHA256 (header ``X-Vitals-Signature``)."""

    type: Literal["webhook"]
    url: str = Field(description="Where the JSON notification is POSTed.")
    secret: SecretStr = Field(description="Shared secret of the HMAC-SHA256 signature.")


class PgNotifyRoute(_Route):
    """PostgreSQL ``NOTIFY`` on a channel (the warehouse database unless a DSN is given)."""

    type: Literal["pg_notify"]
    channel: str = Field(default="vitals_alerts", pattern=r"^[a-z_][a-z0-9_]*$", description="NOTIFY channel.")
    dsn: str = Field(default="", description="Database to notify on; empty: the Postgres warehouse.")


RouteSettings = Annotated[
    SlackRoute | PagerDutyRoute | EmailRoute | WebhookRoute | PgNotifyRoute, Field(discriminator="type")
]


class AlertSettings(BaseModel):
    """Alert rules, where notifications go and how delivery retries."""

    model_config = ConfigDict(extra="forbid")

    rules_file: str = Field(
        default="",
        description="YAML file of your own rules; a rule with the name of a default rule replaces it. "
        "Empty: the default rules only.",
    )
    default_rules: bool = Field(default=True, description="Load the rules shipped with vitals (seed defaults).")
    routes: dict[str, RouteSettings] = Field(
        default_factory=dict,
        description="Route name -> where it delivers: a table with type = slack | pagerduty | email | webhook | "
        "pg_notify and that type's fields. The default rules use the routes cs, cs_urgent, oncall and eng_ops.",
    )
    digest_routes: list[str] = Field(
        default_factory=list,
        description="Routes (slack or email) that `vitals report weekly --send` delivers the weekly digest to.",
    )
    dashboard_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of the dashboard, linked from every notification."
    )
    max_attempts: int = Field(default=5, ge=1, description="Delivery attempts on 429 / 5xx / network errors.")
    backoff_seconds: float = Field(
        default=1.0, ge=0, description="First retry delay; doubles each attempt (Retry-After wins when sent)."
    )
    max_backoff_seconds: float = Field(default=60.0, ge=0, description="Longest wait between two attempts.")
    timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one delivery attempt.")
