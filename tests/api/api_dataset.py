"""A built warehouse (the metrics dataset of tests/marts: orgs A and B) with one token per role, and a
test client of the API over it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from tests.marts.metrics_dataset import OA, OB, built_marts
from vitals.api.app import create_app
from vitals.api.tokens import TokenStore
from vitals.config import Settings
from vitals.warehouse import open_warehouse

MODELS = [
    "metrics_daily",
    "mart_customer_success_churn_risk",
    "mart_customer_success_org_health",
    "mart_customer_success_provider_health",
    "mart_product_retention_cohorts",
    "mart_revenue_cohorts",
    "mart_revenue_mrr_daily",
    "mart_analyses_weekly_active_providers",
]
ROLES = ("admin", "analyst", "cs", "sales", "oncall", "viewer", "org", "ingest")

__all__ = ["OA", "OB", "Api", "built_api"]


@dataclass
class Api:
    """The API over a built warehouse: its settings, a client and a token per role (org: org A)."""

    settings: Settings
    client: TestClient
    tokens: dict[str, str]

    def get(self, role: str | None, path: str, **params: object) -> object:
        """GET ``/api/v1{path}`` as ``role`` (None: without a token)."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return self.client.get(f"/api/v1{path}", params=params or None, headers=headers)

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_tokens(settings: Settings) -> dict[str, str]:
    """One token per role; the org token reads org A, ``org_b`` reads org B."""
    tokens: dict[str, str] = {}
    with open_warehouse(settings) as warehouse:
        store = TokenStore(warehouse)
        for role in ROLES:
            tokens[role] = store.create(role, org_id=OA if role == "org" else None, name=f"t-{role}")[1]
        tokens["org_b"] = store.create("org", org_id=OB, name="t-org-b")[1]
    return tokens


@contextmanager
def built_api(engine: str, directory: Path, **overrides: object) -> Iterator[Api]:
    """Build the dataset on ``engine`` and serve the API over it."""
    with built_marts(engine, directory, MODELS) as settings:
        if overrides:
            settings = settings.model_copy(update=overrides)
        tokens = make_tokens(settings)
        with TestClient(create_app(settings)) as client:
            yield Api(settings, client, tokens)
