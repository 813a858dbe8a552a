"""Config changes are validated as a whole, versioned and audited; the audit log records org-level
reads, exports and token changes and is for admins only."""

from __future__ import annotations

from tests.api.api_dataset import OA, Api
from vitals.alerts.rules import load_rules
from vitals.api.config_store import ConfigStore, apply_config, apply_thresholds
from vitals.warehouse import open_warehouse


def test_config_patch_is_validated_versioned_and_audited(duck_api: Api) -> None:
    admin = duck_api.headers("admin")
    before = duck_api.client.get("/api/v1/config", headers=admin).json()
    assert before["config"]["timezone"] == "America/Los_Angeles"
    assert before["config"]["health_weights"]["engagement"] == 0.40
    rule = next(iter(before["config"]["alert_thresholds"]))

    changed = duck_api.client.patch(
        "/api/v1/config",
        json={"timezone": "Europe/Paris", "health_weights": {"engagement": 0.5}, "alert_thresholds": {rule: 0.5}},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["version"] == before["version"] + 1 and after["token_name"] == "t-admin"
    assert after["config"]["timezone"] == "Europe/Paris"
    assert after["config"]["health_weights"] == {**before["config"]["health_weights"], "engagement": 0.5}
    assert after["config"]["alert_thresholds"][rule] == 0.5

    # each of these is refused whole: nothing of it is stored
    for bad in (
        {"timezone": "Mars/Olympus"},
        {"health_weights": {"engagement": -1}},
        {"health_weights": {"charisma": 1}},
        {"health_weights": {"engagement": 0, "quality": 0, "depth": 0, "reliability": 0, "latency": 0}},
        {"alert_thresholds": {"no_such_rule": 1}},
        {"timezone": "UTC", "alert_thresholds": {"no_such_rule": 1}},
        {"engine": "postgres"},
        {},
    ):
        response = duck_api.client.patch("/api/v1/config", json=bad, headers=admin)
        assert response.status_code in (400, 422), (bad, response.text)
    current = duck_api.client.get("/api/v1/config", headers=admin).json()
    assert current["version"] == after["version"] and current["config"]["timezone"] == "Europe/Paris"

    versions = duck_api.client.get("/api/v1/config/versions", headers=admin).json()
    assert versions["items"][0]["version"] == after["version"] and versions["items"][0]["changes"]["timezone"]
    assert (
        duck_api.client.patch(
            "/api/v1/config", json={"timezone": "UTC"}, headers=duck_api.headers("analyst")
        ).status_code
        == 403
    )
    audit = duck_api.client.get("/api/v1/audit", params={"action": "config.change"}, headers=admin).json()
    assert any("Europe/Paris" in e["detail"] for e in audit["items"])

    # what the stored version means for a build and for the alert rules
    with open_warehouse(duck_api.settings) as warehouse:
        stored = ConfigStore(warehouse, duck_api.settings).current().config
    effective = apply_config(duck_api.settings, stored)
    assert effective.timezone == "Europe/Paris" and effective.dbt_vars()["health_weights"]["engagement"] == 0.5
    rules = {r.name: r for r in apply_thresholds(load_rules(duck_api.settings), stored)}
    assert rules[rule].condition.value == 0.5  # type: ignore[union-attr]


def test_oversized_body_is_413_and_not_applied(duck_api: Api) -> None:
    admin = duck_api.headers("admin")
    version = duck_api.client.get("/api/v1/config", headers=admin).json()["version"]
    huge = '{"timezone": "UTC", "alert_thresholds": {' + ",".join(f'"r{i}": {i}' for i in range(20_000)) + "}}"
    response = duck_api.client.patch(
        "/api/v1/config", content=huge, headers={**admin, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert duck_api.client.get("/api/v1/config", headers=admin).json()["version"] == version


def test_org_level_reads_are_audited_global_ones_are_not(duck_api: Api) -> None:
    admin = duck_api.headers("admin")
    duck_api.client.get(f"/api/v1/orgs/{OA}", headers=duck_api.headers("sales"))
    duck_api.client.get("/api/v1/orgs", headers=duck_api.headers("sales"))
    duck_api.client.get(f"/api/v1/metrics/dad/series?org={OA}", headers=duck_api.headers("sales"))
    duck_api.client.get("/api/v1/metrics/dad/series", headers=duck_api.headers("viewer"))
    sales = duck_api.client.get("/api/v1/audit", params={"token_name": "t-sales", "limit": 500}, headers=admin).json()
    actions = {(e["action"], e["target"]) for e in sales["items"]}
    assert ("orgs.read", OA) in actions and ("orgs.list", "orgs") in actions and ("series", f"dad:{OA}") in actions
    assert all(e["client"] == "testclient" for e in sales["items"])
    viewer = duck_api.client.get("/api/v1/audit", params={"token_name": "t-viewer"}, headers=admin).json()
    assert not [e for e in viewer["items"] if e["action"] == "series"]
    page = duck_api.client.get("/api/v1/audit", params={"limit": 2}, headers=admin).json()
    assert len(page["items"]) == 2 and page["total"] >= 4
    assert page["items"][0]["at"] >= page["items"][1]["at"]


def test_non_finite_numbers_are_refused_and_nothing_is_stored(duck_api: Api) -> None:
    admin = {**duck_api.headers("admin"), "Content-Type": "application/json"}
    before = duck_api.client.get("/api/v1/config", headers=admin).json()
    rule = next(iter(before["config"]["alert_thresholds"]))
    for body in (
        '{"health_weights": {"engagement": NaN}}',
        '{"health_weights": {"engagement": 1e309}}',
        '{"alert_thresholds": {"' + rule + '": NaN}}',
        '{"alert_thresholds": {"' + rule + '": -Infinity}}',
        '{"alert_thresholds": {"' + rule + '": 1e309}}',
    ):
        response = duck_api.client.patch("/api/v1/config", content=body, headers=admin)
        assert response.status_code in (400, 422), (body, response.text)
        assert "finite" in response.text, response.text
    # nothing was stored, and every reader still answers
    assert duck_api.client.get("/api/v1/config", headers=admin).json()["version"] == before["version"]
    assert duck_api.client.get("/api/v1/config/versions", headers=admin).status_code == 200
    assert duck_api.client.get("/api/v1/alerts/rules", headers=admin).status_code == 200
    fine = duck_api.client.patch("/api/v1/config", json={"alert_thresholds": {rule: 0.25}}, headers=admin)
    assert fine.status_code == 200, fine.text
