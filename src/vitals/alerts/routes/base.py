"""The route interface and the factory that builds a configured route."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from vitals.alerts.delivery import Attempt
from vitals.alerts.settings import (
    AlertSettings,
    EmailRoute,
    PagerDutyRoute,
    PgNotifyRoute,
    RouteSettings,
    SlackRoute,
    WebhookRoute,
)
from vitals.config import Settings
from vitals.errors import VitalsError


class RouteError(VitalsError):
    """A route is configured in a way that cannot work (the message names it)."""


class Route(Protocol):
    """Sends one notification, once; retries are the caller's."""

    name: str

    def send(self, message: dict[str, Any]) -> Attempt:
        """Try to deliver ``message`` (see ``vitals.alerts.message``)."""
        ...


def build_route(name: str, config: RouteSettings, settings: Settings, client: httpx.Client) -> Route:
    """The route ``name`` as configured; HTTP routes share ``client``."""
    alerts: AlertSettings = settings.alerts
    if isinstance(config, SlackRoute):
        from vitals.alerts.routes.slack import SlackWebhook

        return SlackWebhook(name, config, client)
    if isinstance(config, PagerDutyRoute):
        from vitals.alerts.routes.pagerduty import PagerDutyEvents

        return PagerDutyEvents(name, config, client, alerts.dashboard_url)
    if isinstance(config, EmailRoute):
        from vitals.alerts.routes.email import SmtpEmail

        return SmtpEmail(name, config, alerts.timeout_seconds)
    if isinstance(config, WebhookRoute):
        from vitals.alerts.routes.webhook import SignedWebhook

        return SignedWebhook(name, config, client)
    if isinstance(config, PgNotifyRoute):
        from vitals.alerts.routes.pg_notify import PgNotify

        dsn = config.dsn or (settings.postgres.dsn if settings.engine == "postgres" else "")
        if not dsn:
            raise RouteError(f"route {name}: pg_notify needs the postgres engine or a dsn")
        return PgNotify(name, config.channel, dsn)
    raise RouteError(f"route {name}: unknown type")  # pragma: no cover - the settings union is closed
