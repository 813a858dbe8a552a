"""Alert endpoints: current states (firing first, with severity, filters), the history of transitions and
notifications, the rules with the thresholds in force, and silences and acknowledgements (admin, cs and oncall,
validated, audited); an org token sees its own org's alerts only and a viewer global ones only, on DuckDB and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.api_dataset import OA, OB, ROLES, Api
from vitals.alerts.state import AlertState, AlertStore, NotificationRow
from vitals.config import Settings
from vitals.warehouse import open_warehouse

T0 = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
QUALITY, HEALTH, DAD = "quality_pass_rate_hourly_low", "org_health_critical", "dad_drop"
STATES = [
    AlertState(QUALITY, "global", "firing", 0.61, "61% passed", firing_since=T0, last_eval_at=T0, changed_at=T0),
    AlertState(DAD, "global", "inactive", 40.0, "", last_eval_at=T0, changed_at=T0 - timedelta(days=3)),
    AlertState(HEALTH, OA, "firing", 22.0, "health 22", firing_since=T0 - timedelta(hours=2), changed_at=T0),
    AlertState(HEALTH, OB, "pending", 35.0, "health 35", pending_since=T0 - timedelta(hours=1), changed_at=T0),
]


def seed(settings: Settings) -> None:
    """Known alert states, transitions, notifications and silences, through the alert store."""
    with open_warehouse(settings) as warehouse:
        store = AlertStore(warehouse)
        store.ensure_tables()
        for table in ("alert_state", "alert_history", "notifications", "silences", "acknowledgements"):
            warehouse.execute(f"delete from alerts.{table}")
        for state in STATES:
            store.save_state(state)
            before = AlertState(state.rule_name, state.scope, "pending" if state.state == "firing" else "inactive")
            store.add_history(state.changed_at or T0, before, state)
        for i, (rule, scope, status) in enumerate(((QUALITY, "global", "delivered"), (HEALTH, OA, "failed"))):
            store.add_notification(
                NotificationRow(
                    f"n{i}",
                    T0 + timedelta(minutes=1),
                    rule,
                    scope,
                    f"{rule}:{scope}",
                    "firing",
                    "oncall" if scope == "global" else "cs",
                    {"text": "x"},
                    status=status,
                    attempts=i + 1,
                )
            )
        far = datetime.now(UTC) + timedelta(days=30)
        store.add_silence(HEALTH, OB, T0, far, "B is migrating", "someone")
        store.add_silence(HEALTH, OA, T0, far, "A on holiday", "someone")
        store.add_silence(DAD, None, T0, far, "holiday week", "someone")


@pytest.fixture
def alerted(any_api: Api) -> Api:
    seed(any_api.settings)
    return any_api


@pytest.fixture
def duck_alerted(duck_api: Api) -> Api:
    seed(duck_api.settings)
    return duck_api


def _scopes(api: Api, role: str, path: str) -> set[str | None]:
    page = api.get(role, path, limit=500).json()  # type: ignore[attr-defined]
    return {item["scope"] for item in page["items"]}


def test_states_firing_first_with_severity_and_filters(duck_alerted: Api) -> None:
    page = duck_alerted.get("cs", "/alerts").json()  # type: ignore[attr-defined]
    assert page["total"] == 4
    states = [(a["rule"], a["scope"], a["state"]) for a in page["items"]]
    assert [s[2] for s in states] == ["firing", "firing", "pending", "inactive"]
    quality = next(a for a in page["items"] if a["rule"] == QUALITY)
    assert quality["severity"] == "critical" and quality["org_id"] is None and quality["value"] == 0.61
    assert quality["since"] == "2026-02-20T09:00:00Z"
    b = next(a for a in page["items"] if a["scope"] == OB)
    assert (b["org_id"], b["since"], b["reason"]) == (OB, "2026-02-20T08:00:00Z", "health 35")
    firing = duck_alerted.get("cs", "/alerts", state="firing").json()  # type: ignore[attr-defined]
    assert {a["scope"] for a in firing["items"]} == {"global", OA} and firing["total"] == 2
    two = duck_alerted.client.get(
        "/api/v1/alerts?state=firing&state=pending", headers=duck_alerted.headers("cs")
    ).json()
    assert two["total"] == 3
    one_org = duck_alerted.get("cs", "/alerts", org=OB.upper()).json()  # type: ignore[attr-defined]
    assert [a["scope"] for a in one_org["items"]] == [OB]
    second = duck_alerted.get("cs", "/alerts", limit=1, offset=1).json()  # type: ignore[attr-defined]
    assert second["total"] == 4 and [a["rule"] for a in second["items"]] == [QUALITY]  # ties: by rule name
    assert duck_alerted.get("cs", "/alerts", state="burning").status_code == 422  # type: ignore[attr-defined]


def test_history_holds_transitions_and_notifications_filtered_and_paginated(duck_alerted: Api) -> None:
    page = duck_alerted.get("admin", "/alerts/history").json()  # type: ignore[attr-defined]
    assert page["total"] == 6
    first = page["items"][0]
    assert first["kind"] == "notification" and first["at"] == "2026-02-20T09:01:00Z"
    failed = next(e for e in page["items"] if e["kind"] == "notification" and e["scope"] == OA)
    assert (failed["route"], failed["status"], failed["attempts"], failed["notification_kind"]) == (
        "cs",
        "failed",
        2,
        "firing",
    )
    moved = next(e for e in page["items"] if e["kind"] == "transition" and e["scope"] == OA)
    assert (moved["from_state"], moved["to_state"], moved["value"]) == ("pending", "firing", 22.0)
    by_rule = duck_alerted.get("admin", "/alerts/history", rule=HEALTH).json()  # type: ignore[attr-defined]
    assert by_rule["total"] == 3 and {e["rule"] for e in by_rule["items"]} == {HEALTH}
    window = duck_alerted.get(  # type: ignore[attr-defined]
        "admin", "/alerts/history", **{"from": "2026-02-17T00:00:00Z", "to": "2026-02-20T09:00:00Z"}
    ).json()
    assert [(e["rule"], e["to_state"]) for e in window["items"]] == [(DAD, "inactive")]
    paged = duck_alerted.get("admin", "/alerts/history", limit=2, offset=4).json()  # type: ignore[attr-defined]
    assert paged["total"] == 6 and len(paged["items"]) == 2
    backwards = duck_alerted.get(  # type: ignore[attr-defined]
        "admin", "/alerts/history", **{"from": "2026-02-20T00:00:00Z", "to": "2026-02-19T00:00:00Z"}
    )
    assert backwards.status_code == 400


def test_an_org_token_sees_its_own_org_alerts_only(alerted: Api) -> None:
    for role, org in (("org", OA), ("org_b", OB)):
        assert _scopes(alerted, role, "/alerts") == {org}
        assert _scopes(alerted, role, "/alerts/history") == {org}
        assert _scopes(alerted, role, "/alerts/silences") == {org}
        other = OB if org == OA else OA
        for path in ("/alerts", "/alerts/history"):
            assert alerted.get(role, path, org=other).status_code == 403  # type: ignore[attr-defined]
    assert alerted.get("org", "/alerts", state="pending").json()["total"] == 0  # type: ignore[attr-defined]


def test_a_viewer_sees_global_alerts_only_and_others_every_one(alerted: Api) -> None:
    assert _scopes(alerted, "viewer", "/alerts") == {"global"}
    assert _scopes(alerted, "viewer", "/alerts/history") == {"global"}
    assert _scopes(alerted, "viewer", "/alerts/silences") == {None}
    for role in ("admin", "analyst", "cs", "sales"):
        assert _scopes(alerted, role, "/alerts") == {"global", OA, OB}
        assert _scopes(alerted, role, "/alerts/silences") == {None, OA, OB}


def test_org_level_alert_reads_are_audited(duck_alerted: Api) -> None:
    duck_alerted.get("sales", "/alerts/history", org=OA)  # type: ignore[attr-defined]
    duck_alerted.get("viewer", "/alerts")  # type: ignore[attr-defined]
    audit = duck_alerted.get("admin", "/audit", action="alerts.history", limit=500).json()  # type: ignore[attr-defined]
    assert any(e["token_name"] == "t-sales" and e["target"] == OA for e in audit["items"])
    listed = duck_alerted.get("admin", "/audit", action="alerts.list", limit=500).json()  # type: ignore[attr-defined]
    assert all(e["token_name"] != "t-viewer" for e in listed["items"])


def test_rules_show_the_threshold_in_force(duck_api: Api) -> None:
    rules = duck_api.get("viewer", "/alerts/rules", limit=500).json()  # type: ignore[attr-defined]
    by_name = {r["name"]: r for r in rules["items"]}
    assert {QUALITY, HEALTH, DAD} <= set(by_name) and rules["total"] == len(by_name)
    quality = by_name[QUALITY]
    assert (quality["scope"], quality["severity"], quality["condition_type"], quality["routes"]) == (
        "global",
        "critical",
        "threshold",
        ["oncall"],
    )
    assert (quality["window"], quality["for"]) == ("1h", "0s")
    assert by_name[DAD]["threshold"] is None and by_name[HEALTH]["scope"] == "org"
    admin = duck_api.headers("admin")
    changed = duck_api.client.patch("/api/v1/config", json={"alert_thresholds": {QUALITY: 0.65}}, headers=admin)
    assert changed.status_code == 200, changed.text
    try:
        now = {r["name"]: r for r in duck_api.get("org", "/alerts/rules", limit=500).json()["items"]}  # type: ignore[attr-defined]
        assert now[QUALITY]["threshold"] == 0.65 and now[QUALITY]["condition"] == "< 0.65"
    finally:
        duck_api.client.patch("/api/v1/config", json={"alert_thresholds": {QUALITY: None}}, headers=admin)


@pytest.mark.parametrize("role", ROLES)
def test_only_admin_cs_and_oncall_silence(duck_alerted: Api, role: str) -> None:
    body = {"rule": HEALTH, "org_id": OA, "duration": "2h", "comment": f"by {role}"}
    made = duck_alerted.client.post("/api/v1/alerts/silences", json=body, headers=duck_alerted.headers(role))
    allowed = role in ("admin", "cs", "oncall")
    assert made.status_code == (201 if allowed else 403), made.text
    ended = duck_alerted.client.delete("/api/v1/alerts/silences/whatever", headers=duck_alerted.headers(role))
    assert ended.status_code == (404 if allowed else 403)
    for method in ("post", "delete"):
        path = "/api/v1/alerts/silences" + ("/x" if method == "delete" else "")
        kwargs = {"json": body} if method == "post" else {}
        assert getattr(duck_alerted.client, method)(path, **kwargs).status_code == 401


def test_a_silence_is_stored_for_the_evaluator_audited_and_ended(duck_alerted: Api) -> None:
    cs = duck_alerted.headers("cs")
    made = duck_alerted.client.post(
        "/api/v1/alerts/silences",
        json={"rule": HEALTH, "org_id": OB.upper(), "duration": "1d", "comment": "onboarding call"},
        headers=cs,
    )
    assert made.status_code == 201, made.text
    silence = made.json()
    assert (silence["scope"], silence["created_by"], silence["active"]) == (OB, "t-cs", True)
    assert datetime.fromisoformat(silence["ends_at"]) - datetime.fromisoformat(silence["starts_at"]) == timedelta(
        days=1
    )
    now = datetime.now(UTC)
    with open_warehouse(duck_alerted.settings) as warehouse:
        in_force = AlertStore(warehouse).silences(now)
    assert any(s.silence_id == silence["silence_id"] and s.matches(HEALTH, OB, now) for s in in_force)
    listed = duck_alerted.get("cs", "/alerts/silences", limit=500).json()  # type: ignore[attr-defined]
    assert silence["silence_id"] in {s["silence_id"] for s in listed["items"]}

    ended = duck_alerted.client.delete(f"/api/v1/alerts/silences/{silence['silence_id']}", headers=cs)
    assert ended.status_code == 200 and ended.json()["active"] is False
    with open_warehouse(duck_alerted.settings) as warehouse:
        assert not any(s.silence_id == silence["silence_id"] for s in AlertStore(warehouse).silences(datetime.now(UTC)))
    active = duck_alerted.get("cs", "/alerts/silences", limit=500).json()  # type: ignore[attr-defined]
    assert silence["silence_id"] not in {s["silence_id"] for s in active["items"]}
    every = duck_alerted.get("cs", "/alerts/silences", active="false", limit=500).json()  # type: ignore[attr-defined]
    assert silence["silence_id"] in {s["silence_id"] for s in every["items"]}
    again = duck_alerted.client.delete(f"/api/v1/alerts/silences/{silence['silence_id']}", headers=cs)
    assert again.status_code == 404

    audit = duck_alerted.get("admin", "/audit", token_name="t-cs", limit=500).json()  # type: ignore[attr-defined]
    actions = {(e["action"], e["target"]) for e in audit["items"]}
    assert {
        ("alerts.silence", f"{HEALTH}:{silence['silence_id']}"),
        ("alerts.unsilence", f"{HEALTH}:{silence['silence_id']}"),
    } <= actions


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"rule": "no_such_rule", "duration": "1h", "comment": "x"}, 404),
        ({"rule": QUALITY, "org_id": OA, "duration": "1h", "comment": "x"}, 400),
        ({"rule": HEALTH, "org_id": "not-a-uuid", "duration": "1h", "comment": "x"}, 422),
        ({"rule": HEALTH, "duration": "soon", "comment": "x"}, 422),
        ({"rule": HEALTH, "duration": "400d", "comment": "x"}, 422),
        ({"rule": HEALTH, "duration": "0m", "comment": "x"}, 422),
        ({"rule": HEALTH, "duration": "1h", "comment": ""}, 422),
        ({"rule": HEALTH, "duration": "1h", "comment": "x", "starts_at": "2020-01-01T00:00:00Z"}, 422),
        ({"rule": HEALTH, "duration": "1h", "comment": "x", "by": "me"}, 422),
    ],
)
def test_a_bad_silence_is_refused_and_nothing_stored(duck_api: Api, body: dict[str, object], status: int) -> None:
    with open_warehouse(duck_api.settings) as warehouse:
        AlertStore(warehouse).ensure_tables()
        before = warehouse.query("select count(*) from alerts.silences")[0][0]
    answer = duck_api.client.post("/api/v1/alerts/silences", json=body, headers=duck_api.headers("admin"))
    assert answer.status_code == status, answer.text
    with open_warehouse(duck_api.settings) as warehouse:
        assert warehouse.query("select count(*) from alerts.silences")[0][0] == before


@pytest.mark.parametrize("role", ROLES)
def test_only_admin_cs_and_oncall_acknowledge(duck_alerted: Api, role: str) -> None:
    body = {"rule": HEALTH, "org_id": OA, "comment": f"on it, {role}"}
    made = duck_alerted.client.post("/api/v1/alerts/acknowledgements", json=body, headers=duck_alerted.headers(role))
    assert made.status_code == (201 if role in ("admin", "cs", "oncall") else 403), made.text
    assert duck_alerted.client.post("/api/v1/alerts/acknowledgements", json=body).status_code == 401


def test_an_acknowledgement_takes_the_open_incident_once_and_is_audited(duck_alerted: Api) -> None:
    oncall = duck_alerted.headers("oncall")
    post = duck_alerted.client.post
    made = post("/api/v1/alerts/acknowledgements", json={"rule": QUALITY, "comment": "rolling back"}, headers=oncall)
    assert made.status_code == 201, made.text
    alert = made.json()
    assert (alert["rule"], alert["scope"], alert["state"], alert["acknowledged_by"]) == (
        QUALITY,
        "global",
        "firing",
        "t-oncall",
    )
    again = post("/api/v1/alerts/acknowledgements", json={"rule": QUALITY}, headers=duck_alerted.headers("admin"))
    assert again.status_code == 201 and again.json()["acknowledged_by"] == "t-oncall"  # the first one stays
    listed = duck_alerted.get("cs", "/alerts", state="firing").json()  # type: ignore[attr-defined]
    by_scope = {a["scope"]: a for a in listed["items"]}
    assert by_scope["global"]["acknowledged_by"] == "t-oncall" and by_scope[OA]["acknowledged_at"] is None

    # nothing to take: a pending alert (409), a rule that fires per org without its org, an unknown rule
    pending = post("/api/v1/alerts/acknowledgements", json={"rule": HEALTH, "org_id": OB}, headers=oncall)
    assert pending.status_code == 409 and "not firing" in pending.json()["detail"]
    assert post("/api/v1/alerts/acknowledgements", json={"rule": HEALTH}, headers=oncall).status_code == 400
    assert post("/api/v1/alerts/acknowledgements", json={"rule": "no_such"}, headers=oncall).status_code == 404
    assert post("/api/v1/alerts/acknowledgements", json={"rule": QUALITY, "x": 1}, headers=oncall).status_code == 422

    audit = duck_alerted.get("admin", "/audit", token_name="t-oncall", limit=500).json()  # type: ignore[attr-defined]
    assert ("alerts.acknowledge", f"{QUALITY}:global") in {(e["action"], e["target"]) for e in audit["items"]}
