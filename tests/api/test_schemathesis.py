"""A bounded schemathesis run against the OpenAPI schema, as an admin (every operation reachable) on a
copy of the built warehouse with alert states, history and silences: no 5xx, and every answer matches the
schema (status, content type, body)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.api_dataset import Api
from tests.api.test_alerts import seed
from vitals.api.app import create_app
from vitals.api.tokens import TokenStore
from vitals.warehouse import open_warehouse

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="session")
def fuzzed(duck_api: Api, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    """The app over a copy of the warehouse (the run creates and revokes tokens, changes config)."""
    directory = tmp_path_factory.mktemp("api-fuzz")
    shutil.copy(duck_api.settings.warehouse, directory / "vitals.duckdb")
    copy = duck_api.settings.model_copy(update={"warehouse": directory / "vitals.duckdb"})
    seed(copy)
    with open_warehouse(copy) as warehouse:
        admin = TokenStore(warehouse).create("admin", name="fuzz-admin")[1]
    yield create_app(copy), admin


def test_every_operation_conforms(fuzzed: tuple[FastAPI, str]) -> None:
    app, admin = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 21
    covered = {(o.method.upper(), o.path) for o in operations}
    assert {
        ("GET", "/api/v1/alerts"),
        ("GET", "/api/v1/alerts/history"),
        ("GET", "/api/v1/alerts/rules"),
        ("GET", "/api/v1/alerts/silences"),
        ("POST", "/api/v1/alerts/silences"),
        ("DELETE", "/api/v1/alerts/silences/{silence_id}"),
    } <= covered
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {admin}"}, checks=CHECKS)

        run()
