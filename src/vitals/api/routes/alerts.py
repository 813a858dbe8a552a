"""Alerts: ``GET /alerts``, ``GET /alerts/history``, ``GET /alerts/rules``, the silences
(``GET``/``POST /alerts/silences``, ``DELETE /alerts/silences/{silence_id}``) and ``POST
/alerts/acknowledgements`` (changes by admin, cs and oncall).

Every read goes through ``vitals.alerts`` (the state store the evaluator writes and the CLI reads), with
the token's conditions from ``Scope.where(ALERTS)``: org tokens see their own org's alerts only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from vitals.alerts.manage import alert_store, end_silence
from vitals.alerts.rules import Rule, RulesError
from vitals.alerts.state import Filter
from vitals.api.alerts import (
    ALERTS,
    AcknowledgeCreate,
    AlertEventOut,
    AlertOut,
    RuleOut,
    SilenceCreate,
    SilenceOut,
    StateName,
    acknowledge_incident,
    alert_out,
    as_utc,
    configured_rules,
    rule_out,
    silence_out,
    silence_rule,
)
from vitals.api.auth import ContextDep, PagingDep, ScopeDep
from vitals.api.config_store import ConfigStore, apply_thresholds
from vitals.api.models import Page
from vitals.api.route_class import ApiRoute
from vitals.api.scope import BadRequest, NotFound, Scope
from vitals.config import Settings

router = APIRouter(route_class=ApiRoute, tags=["alerts"])

OrgQuery = Annotated[str | None, Query(max_length=64, description="Only this org's alerts.")]
RuleQuery = Annotated[str | None, Query(max_length=100, description="Only this rule.")]


def _reach(scope: Scope, org: str | None) -> tuple[Filter, str | None]:
    """The token's conditions on alert rows, and the one org asked for (checked against the token)."""
    scope.require("alerts")
    return scope.where(ALERTS), None if org is None else scope.require_org(org)


def _audit(scope: Scope, action: str, target: str, detail: str) -> None:
    """Audit a read that may hold org-level rows (every role but viewer)."""
    if scope.org_id is not None or scope.allows("org_metrics"):
        scope.audit(action, target, detail)


def rules_in_force(scope: Scope, settings: Settings) -> list[Rule]:
    """Every configured rule (disabled ones too) with the stored alert thresholds applied."""
    return apply_thresholds(configured_rules(settings), ConfigStore(scope.warehouse, settings).current().config)


@router.get("/alerts", response_model=Page[AlertOut], summary="Current alert states")
def list_alerts(
    scope: ScopeDep,
    ctx: ContextDep,
    page: PagingDep,
    state: Annotated[list[StateName] | None, Query(description="Only these states (repeat the parameter).")] = None,
    rule: RuleQuery = None,
    org: OrgQuery = None,
) -> Page[AlertOut]:
    """Where each rule stands for each scope it was evaluated for: firing first, then pending, nodata,
    resolved and inactive. Org tokens see their own org's alerts only, viewers global ones only."""
    where, wanted = _reach(scope, org)
    with alert_store(ctx.settings, scope.warehouse) as store:
        total, states = store.state_page(
            states=state or (), rule_name=rule, scope=wanted, where=where, limit=page.limit, offset=page.offset
        )
        acks = store.acknowledgements({(s.rule_name, s.scope): s for s in states})
    rules = {r.name: r for r in configured_rules(ctx.settings)}
    _audit(scope, "alerts.list", wanted or "alerts", f"{len(states)} rows")
    items = [alert_out(s, rules, acks.get((s.rule_name, s.scope))) for s in states]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/alerts/history", response_model=Page[AlertEventOut], summary="Alert transitions and notifications")
def alert_history(
    scope: ScopeDep,
    ctx: ContextDep,
    page: PagingDep,
    rule: RuleQuery = None,
    org: OrgQuery = None,
    start: Annotated[datetime | None, Query(alias="from", description="From this time (inclusive).")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Until this time (exclusive).")] = None,
) -> Page[AlertEventOut]:
    """State changes and notifications (with their delivery status, attempts and last error), newest first."""
    where, wanted = _reach(scope, org)
    since, until = (None if t is None else as_utc(t) for t in (start, end))
    if (start is not None and since is None) or (end is not None and until is None):
        raise BadRequest("'from' and 'to' must be times with a UTC form")
    if since is not None and until is not None and since > until:
        raise BadRequest("'from' is after 'to'")
    with alert_store(ctx.settings, scope.warehouse) as store:
        total, events = store.timeline(
            rule_name=rule, scope=wanted, since=since, until=until, where=where, limit=page.limit, offset=page.offset
        )
    _audit(scope, "alerts.history", wanted or "alerts", f"{len(events)} rows")
    items = [AlertEventOut(**{**e, "rule": e.pop("rule_name")}) for e in events]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/alerts/rules", response_model=Page[RuleOut], summary="The configured alert rules")
def list_rules(scope: ScopeDep, ctx: ContextDep, page: PagingDep) -> Page[RuleOut]:
    """Every rule (disabled ones too) as configured, with the threshold in force. Rules are definitions,
    like the catalog: every role may list them."""
    scope.require("alerts")
    rules = rules_in_force(scope, ctx.settings)
    items = [rule_out(r) for r in rules[page.offset : page.offset + page.limit]]
    return Page(items=items, total=len(rules), limit=page.limit, offset=page.offset)


@router.get("/alerts/silences", response_model=Page[SilenceOut], summary="Silences")
def list_silences(
    scope: ScopeDep,
    ctx: ContextDep,
    page: PagingDep,
    active: Annotated[bool, Query(description="true: only those in force now or still to come.")] = True,
) -> Page[SilenceOut]:
    """Silences, latest end first. Org tokens see their own org's, viewers those of global alerts."""
    where, _ = _reach(scope, None)
    now = datetime.now(UTC)
    with alert_store(ctx.settings, scope.warehouse) as store:
        total, found = store.silence_page(
            active_at=now if active else None, where=where, limit=page.limit, offset=page.offset
        )
    return Page(items=[silence_out(s, now) for s in found], total=total, limit=page.limit, offset=page.offset)


@router.post("/alerts/silences", response_model=SilenceOut, status_code=201, summary="Silence a rule")
def create_silence(body: SilenceCreate, scope: ScopeDep, ctx: ContextDep) -> SilenceOut:
    """Hold a rule's firing notifications (of one org, or of every scope) for a while; resolves still go
    out. Admin, cs and oncall; audited."""
    made = silence_rule(
        scope,
        ctx.settings,
        body.rule,
        org=body.org_id,
        duration=body.length,
        comment=body.comment,
        starts_at=body.starts_at,
    )
    return silence_out(made, datetime.now(UTC))


@router.delete("/alerts/silences/{silence_id}", response_model=SilenceOut, summary="End a silence")
def delete_silence(
    silence_id: Annotated[str, Path(max_length=64, description="The silence's id.")], scope: ScopeDep, ctx: ContextDep
) -> SilenceOut:
    """End a silence now (it stays listed with `active=false`; one already over is 404). Admin, cs and oncall;
    audited."""
    scope.require("silences")
    try:
        ended = end_silence(ctx.settings, silence_id, warehouse=scope.warehouse)
    except RulesError as exc:
        raise NotFound(str(exc)) from None
    scope.audit("alerts.unsilence", f"{ended.rule_name}:{ended.silence_id}", f"ended {ended.ends_at.isoformat()}")
    return silence_out(ended, datetime.now(UTC))


@router.post(
    "/alerts/acknowledgements", response_model=AlertOut, status_code=201, summary="Acknowledge an open incident"
)
def create_acknowledgement(body: AcknowledgeCreate, scope: ScopeDep, ctx: ContextDep) -> AlertOut:
    """Take a firing alert (a rule for one org, or a global rule): it repeats no more until it resolves, and
    the routes that paged someone are told who took it (PagerDuty: `acknowledge`). 409 when the rule is not
    firing for that scope; acknowledging twice keeps the first. Admin, cs and oncall; audited."""
    ack = acknowledge_incident(scope, ctx.settings, body.rule, org=body.org_id, comment=body.comment)
    with alert_store(ctx.settings, scope.warehouse) as store:
        state = store.states(ack.rule_name)[(ack.rule_name, ack.scope)]
    return alert_out(state, {r.name: r for r in configured_rules(ctx.settings)}, ack)
