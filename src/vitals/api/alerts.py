"""The alerts the API serves: models of states, history, rules and silences, and what each role sees.

Alert rows carry a ``scope``: ``global`` or an org id (a silence may also have none: every scope of its
rule). ``ALERTS`` reads them as a long source for ``Scope.where``: org tokens see the rows of their org only
(never global ones), viewers global ones only (and silences of every scope), every other role all of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vitals.alerts.durations import format_duration, parse_duration
from vitals.alerts.rules import Rule, load_rules
from vitals.alerts.state import Acknowledgement, AlertState, Silence
from vitals.api.models import UtcDatetime
from vitals.api.scope import Scope, Source
from vitals.api.tokens import TokenError, normalize_org_id
from vitals.config import Settings
from vitals.errors import BadRequest, Conflict, NotFound

ALERTS = Source(
    "alerts",
    "long",
    entity_type_column="case when scope is null or scope = 'global' then 'global' else 'org' end",
    entity_id_column="scope",
)
"""The scoping of alert states, history and silences (their ``scope`` column)."""
MAX_SILENCE = timedelta(days=366)
StateName = Literal["inactive", "pending", "firing", "resolved", "nodata"]


class AlertOut(BaseModel):
    """Where one rule stands for one scope."""

    rule: str
    scope: str = Field(description="`global`, or the org id the rule is evaluated for.")
    org_id: str | None = Field(description="The org (null for a global alert).")
    state: str
    severity: str | None = Field(description="The rule's severity (null when the rule is no longer configured).")
    since: UtcDatetime | None = Field(description="Since when it is in this state (firing/pending since).")
    value: float | None
    reason: str
    last_eval_at: UtcDatetime | None
    acknowledged_at: UtcDatetime | None = Field(
        default=None, description="When someone took this incident (firing only; null: nobody yet)."
    )
    acknowledged_by: str | None = Field(default=None, description="The token (or user) that took it.")


class AcknowledgeCreate(BaseModel):
    """Take an open incident: its repeats stop until it resolves; PagerDuty hears ``acknowledge``."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=100, description="The rule's name.")
    org_id: str | None = Field(default=None, max_length=64, description="The org of the incident; absent: global.")
    comment: str = Field(default="", max_length=500, description="What is being done (kept in the history).")

    @field_validator("org_id")
    @classmethod
    def _org(cls, value: str | None) -> str | None:
        return _org_id(value)


class AlertEventOut(BaseModel):
    """One entry of the history: a state change (``transition``) or a notification with its delivery outcome."""

    at: UtcDatetime
    kind: Literal["transition", "notification"]
    rule: str
    scope: str
    from_state: str | None = None
    to_state: str | None = None
    value: float | None = None
    reason: str | None = None
    notification_kind: str | None = Field(default=None, description="firing or resolved (notifications).")
    route: str | None = None
    status: str | None = Field(default=None, description="pending, delivered, failed or held (notifications).")
    attempts: int | None = None
    last_status_code: int | None = None
    last_error: str | None = None


class RuleOut(BaseModel):
    """A configured rule, with the threshold in force (the stored configuration applied)."""

    name: str
    description: str
    enabled: bool
    metric: str
    scope: str
    condition_type: str
    condition: str = Field(description="The condition in words, e.g. `< 0.8`.")
    threshold: float | None = Field(description="Threshold rules: the value in force.")
    window: str
    for_: str = Field(alias="for", serialization_alias="for")
    severity: str
    routes: list[str]
    repeat_interval: str

    model_config = ConfigDict(populate_by_name=True)


class SilenceOut(BaseModel):
    """A silence: a rule's firing notifications (one org's, or every scope's) held until ``ends_at``."""

    silence_id: str
    rule: str
    scope: str | None = Field(description="The org id, `global`, or null: every scope of the rule.")
    starts_at: UtcDatetime
    ends_at: UtcDatetime
    comment: str
    created_by: str
    active: bool = Field(description="In force now.")


class SilenceCreate(BaseModel):
    """A new silence."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=100, description="The rule's name.")
    org_id: str | None = Field(default=None, max_length=64, description="Only this org; absent: every scope.")
    duration: str = Field(max_length=32, description="How long, e.g. 30m, 2h, 1d (at most 366 days).")
    comment: str = Field(min_length=1, max_length=500, description="Why (kept in the history).")
    starts_at: datetime | None = Field(default=None, description="When it starts (default now; within a year).")

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        try:
            length = parse_duration(value)
        except (ValueError, OverflowError):
            raise ValueError(f"{value!r} is not a duration (write e.g. 30m, 2h, 1d)") from None
        if not timedelta(0) < length <= MAX_SILENCE:
            raise ValueError("a silence lasts longer than 0 and at most 366 days")
        return value

    @field_validator("org_id")
    @classmethod
    def _org(cls, value: str | None) -> str | None:
        return _org_id(value)

    @field_validator("starts_at")
    @classmethod
    def _start(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        moment = as_utc(value)
        if moment is None or abs(moment - datetime.now(UTC)) > MAX_SILENCE:
            raise ValueError("starts_at must be within a year of now")
        return moment

    @property
    def length(self) -> timedelta:
        return parse_duration(self.duration)


def _org_id(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_org_id(value)
    except TokenError as exc:
        raise ValueError(str(exc)) from None


_RULES: dict[tuple[bool, str, int, int], list[Rule]] = {}


def configured_rules(settings: Settings) -> list[Rule]:
    """Every rule (disabled ones too), read again only when the rules file changes (reading and
    validating them costs more than most requests)."""
    path = settings.alerts.rules_file
    stat = Path(path).stat() if path and Path(path).exists() else None
    key = (settings.alerts.default_rules, str(path), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)
    if key not in _RULES:
        _RULES.clear()
        _RULES[key] = load_rules(settings, include_disabled=True)
    return _RULES[key]


def as_utc(moment: datetime) -> datetime | None:
    """The moment in UTC (naive ones are UTC); None when it has no UTC form (year 1 with an offset)."""
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def alert_out(state: AlertState, rules: dict[str, Rule], ack: Acknowledgement | None = None) -> AlertOut:
    """A stored state as served, with its rule's severity and who acknowledged its incident."""
    rule = rules.get(state.rule_name)
    since = {"firing": state.firing_since, "pending": state.pending_since}.get(state.state) or state.changed_at
    return AlertOut(
        rule=state.rule_name,
        scope=state.scope,
        org_id=None if state.scope == "global" else state.scope,
        state=state.state,
        severity=rule.severity if rule else None,
        since=since,
        value=state.value,
        reason=state.reason,
        last_eval_at=state.last_eval_at,
        acknowledged_at=ack.acknowledged_at if ack else None,
        acknowledged_by=ack.acknowledged_by if ack else None,
    )


def rule_out(rule: Rule) -> RuleOut:
    """A rule as served."""
    threshold = getattr(rule.condition, "value", None) if rule.condition.type == "threshold" else None
    return RuleOut.model_validate(
        {
            "name": rule.name,
            "description": rule.description,
            "enabled": rule.enabled,
            "metric": rule.metric,
            "scope": rule.scope,
            "condition_type": rule.condition.type,
            "condition": rule.condition.describe(),
            "threshold": threshold,
            "window": format_duration(rule.window),
            "for": format_duration(rule.for_),
            "severity": rule.severity,
            "routes": list(rule.routes),
            "repeat_interval": format_duration(rule.repeat_interval),
        }
    )


def silence_out(silence: Silence, now: datetime) -> SilenceOut:
    """A silence as served."""
    return SilenceOut(
        silence_id=silence.silence_id,
        rule=silence.rule_name,
        scope=silence.scope,
        starts_at=silence.starts_at,
        ends_at=silence.ends_at,
        comment=silence.comment,
        created_by=silence.created_by,
        active=silence.starts_at <= now < silence.ends_at,
    )


def _acted_on(scope: Scope, settings: Settings, rule_name: str, org: str | None, verb: str) -> Rule:
    """The configured rule a token holding the ``silences`` feature acts on (for ``org``: a per-org rule)."""
    scope.require("silences")
    rule = {r.name: r for r in configured_rules(settings)}.get(rule_name)
    if rule is None:
        raise NotFound(f"no rule named {rule_name!r}; GET /api/v1/alerts/rules lists them")
    if org is not None and rule.scope != "org":
        raise BadRequest(f"rule {rule.name} is global: {verb} it without org_id")
    return rule


def silence_rule(
    scope: Scope,
    settings: Settings,
    rule_name: str,
    *,
    org: str | None,
    duration: timedelta,
    comment: str,
    starts_at: datetime | None = None,
) -> Silence:
    """Silence ``rule_name`` (one org's scope, or every scope) for the token of ``scope``, which must hold the
    ``silences`` feature, and audit it: what the API's ``POST /alerts/silences`` and the dashboard's silence
    button both do."""
    from vitals.alerts.manage import silence
    from vitals.alerts.rules import RulesError

    rule = _acted_on(scope, settings, rule_name, org, "silence")
    try:
        made = silence(
            settings,
            rule.name,
            org=org,
            duration=duration,
            comment=comment,
            starts_at=starts_at,
            created_by=scope.token.name,
            warehouse=scope.warehouse,
        )
    except RulesError as exc:
        raise BadRequest(str(exc)) from None
    detail = f"{made.scope or 'every scope'} until {made.ends_at.isoformat()}: {made.comment}"
    scope.audit("alerts.silence", f"{made.rule_name}:{made.silence_id}", detail)
    return made


def acknowledge_incident(
    scope: Scope, settings: Settings, rule_name: str, *, org: str | None, comment: str
) -> Acknowledgement:
    """Acknowledge the open incident of ``rule_name`` (for ``org``, or global) for the token of ``scope``, which
    must hold the ``silences`` feature (admin, cs, oncall), and audit it: what the API's ``POST
    /alerts/acknowledgements`` and the dashboard's acknowledge button both do."""
    from vitals.alerts.manage import NotFiring, acknowledge
    from vitals.alerts.rules import RulesError

    rule = _acted_on(scope, settings, rule_name, org, "acknowledge")
    if org is None and rule.scope == "org":
        raise BadRequest(f"rule {rule.name} fires per org: name the org_id of the incident")
    try:
        ack = acknowledge(
            settings,
            rule.name,
            scope=org or "global",
            comment=comment,
            by=scope.token.name,
            warehouse=scope.warehouse,
        )
    except NotFiring as exc:
        raise Conflict(str(exc)) from None
    except RulesError as exc:
        raise BadRequest(str(exc)) from None
    scope.audit("alerts.acknowledge", f"{ack.rule_name}:{ack.scope}", comment or "acknowledged")
    return ack
