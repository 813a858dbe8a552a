"""What a Sentry payload says: delivery keys, tags in every form, times in every form, the row of an event."""

from __future__ import annotations

import json

import pytest

from tests.sentry import sentry_data as d
from vitals.sentry.flatten import error_row
from vitals.sentry.payloads import InvalidPayload, api_delivery, parse_delivery, tags_of, timestamp_text
from vitals.sentry.settings import SentrySettings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-08-19T20:58:37.391000Z", "2019-08-19 20:58:37.391000"),
        ("2019-08-19T20:58:37Z", "2019-08-19 20:58:37.000000"),
        ("2019-08-19T22:58:37+02:00", "2019-08-19 20:58:37.000000"),
        ("2019-08-19T15:58:37.5-0500", "2019-08-19 20:58:37.500000"),
        ("2019-08-19 20:58:37", "2019-08-19 20:58:37.000000"),  # no offset: UTC
        (1566248317.391, "2019-08-19 20:58:37.391000"),
        (1566248317, "2019-08-19 20:58:37.000000"),
        ("1566248317.391", "2019-08-19 20:58:37.391000"),
        ("yesterday", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_timestamp_text(value: object, expected: str | None) -> None:
    assert timestamp_text(value) == expected


def test_tags_in_every_form() -> None:
    assert tags_of({"tags": [["a", "1"], ["b", "2"], ["a", "3"], ["bad"], ["n", None]]}) == {"a": "1", "b": "2"}
    assert tags_of({"tags": [{"key": "a", "value": "1"}, {"key": "b", "value": 2}]}) == {"a": "1", "b": "2"}
    assert tags_of({"tags": {"a": "1"}}) == {"a": "1"}
    assert tags_of({"tags": None}) == {} and tags_of({}) == {}


def test_delivery_keys() -> None:
    error = parse_delivery("error", d.ERROR_CREATED)
    assert error.key == "error.created:bb78c1407cea4519aa397afc059c793d"
    assert (error.issue_id, error.project) == ("1170820242", "front-end")
    alert = parse_delivery("event_alert", d.EVENT_ALERT)
    assert alert.key == "event_alert.triggered:e4874d664c3540c1a32eab185f12c5ab"
    created, resolved = parse_delivery("issue", d.issue("created")), parse_delivery("issue", d.issue("resolved"))
    assert created.key.startswith("issue.created:1170820242:") and resolved.key.startswith("issue.resolved:")
    assert created.event_id is None and created.project == "front-end"
    # a new state of the issue is a new delivery, the same state again is not
    assert parse_delivery("issue", d.issue("created")).key == created.key
    assert parse_delivery("issue", d.issue("created", count="2")).key != created.key
    upper = d.error_created("BB78C1407CEA4519AA397AFC059C793D")
    assert parse_delivery("error", upper).key == error.key
    rest = api_delivery(d.REST_EVENT, "backend")
    assert rest is not None and rest.key == "api.event:9fac2ceed9344f2bbfdd1fdacb0ed9b1"
    assert (rest.issue_id, rest.project) == ("1889724436", "backend")


@pytest.mark.parametrize(
    "payload",
    [[], {"action": "created"}, {"action": "created", "data": {"issue": {"id": "1"}}}, d.error_created("not-hex!")],
)
def test_wrong_shapes(payload: object) -> None:
    with pytest.raises(InvalidPayload):
        parse_delivery("error", payload)


def test_row_of_an_event_with_the_project_id_mapped() -> None:
    settings = SentrySettings(project_org_map={"1": d.OA}, org_tag="tenant", provider_tag="doctor")
    event = {**d.ERROR_CREATED["data"]["error"], "url": None, "environment": "staging", "release": "web@2"}
    event["tags"] = [*event["tags"], ["doctor", d.PA]]
    row = error_row(event, None, "webhook", "2026-01-01 00:00:00.000000", settings, {})
    assert row is not None
    assert (row["project"], row["org_id"], row["provider_id"]) == ("1", d.OA, d.PA)
    assert (row["environment"], row["release"], row["_ingest_ts"]) == ("staging", "web@2", "2026-01-01 00:00:00.000000")
    tagged = {**event, "tags": [*event["tags"], ["tenant", d.OB]]}
    assert error_row(tagged, None, "webhook", "", settings, {})["org_id"] == d.OB  # type: ignore[index]
    assert json.loads(str(row["tags"]))["doctor"] == d.PA
    # no readable time: no row
    assert error_row({**event, "datetime": "soon", "timestamp": None}, None, "webhook", "", settings, {}) is None
