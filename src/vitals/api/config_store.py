"""The part of the configuration the API may change (health weights, alert thresholds, time zone),
validated through the Settings models and stored as numbered versions in ``api.config_versions``.

The effective configuration is the settings (vitals.toml and environment) with the latest stored
version applied on top: ``apply_config`` gives the Settings a build should use, ``apply_thresholds``
the alert rules with their stored thresholds.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vitals.alerts.rules import Rule, Threshold, load_rules
from vitals.api.models import UtcDatetime
from vitals.api.scope import BadRequest
from vitals.api.tables import SCHEMA, ensure_api_tables, utc_now
from vitals.config import HealthSettings, Settings
from vitals.warehouse.base import Warehouse


class EditableConfig(BaseModel):
    """The configuration the API reads and changes (every number finite: NaN and infinities are refused)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    timezone: str = Field(description="Business time zone (IANA name) every day/week/month bucket is taken in.")
    health_weights: dict[str, float] = Field(description="Health score component weights (normalized by their sum).")
    alert_thresholds: dict[str, float] = Field(
        description="Threshold rule name -> its value (the number the metric is compared to)."
    )


class ConfigPatch(BaseModel):
    """A change: only the fields given change. In ``alert_thresholds`` a null value restores the rule's own.
    Numbers must be finite (``NaN``, ``Infinity`` and overflowing literals such as ``1e309`` are refused)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    timezone: str | None = Field(default=None, max_length=64)
    health_weights: dict[str, float] | None = Field(default=None, max_length=5)
    alert_thresholds: dict[str, float | None] | None = Field(default=None, max_length=200)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else Settings._known_timezone(value)


class ConfigVersion(BaseModel):
    """One stored version."""

    version: int
    created_at: UtcDatetime | None
    token_name: str | None
    changes: dict[str, Any]
    config: EditableConfig


def threshold_rules(settings: Settings) -> dict[str, Rule]:
    """The alert rules whose condition is a fixed threshold, by name."""
    return {
        rule.name: rule for rule in load_rules(settings, include_disabled=True) if isinstance(rule.condition, Threshold)
    }


def base_config(settings: Settings) -> EditableConfig:
    """The editable configuration as the settings give it (no stored version applied)."""
    thresholds = {name: rule.condition.value for name, rule in threshold_rules(settings).items()}  # type: ignore[union-attr]
    return EditableConfig(
        timezone=settings.timezone, health_weights=dict(settings.health.weights), alert_thresholds=thresholds
    )


class ConfigStore:
    """Reads and writes ``api.config_versions`` through an open warehouse connection."""

    def __init__(self, warehouse: Warehouse, settings: Settings) -> None:
        self.wh = warehouse
        self.settings = settings
        ensure_api_tables(warehouse)

    def current(self) -> ConfigVersion:
        """The latest stored version, or version 0: the settings as they are."""
        rows = self.wh.query(
            f"select version, created_at, token_name, changes, config from {SCHEMA}.config_versions "
            "order by version desc limit 1"
        )
        if not rows:
            return ConfigVersion(
                version=0, created_at=None, token_name=None, changes={}, config=base_config(self.settings)
            )
        return _version(rows[0])

    def history(self, *, limit: int, offset: int = 0) -> tuple[int, list[ConfigVersion]]:
        """The total and one page of stored versions, newest first."""
        total = int(self.wh.query(f"select count(*) from {SCHEMA}.config_versions")[0][0])
        rows = self.wh.query(
            f"select version, created_at, token_name, changes, config from {SCHEMA}.config_versions "
            f"order by version desc limit {int(limit)} offset {int(offset)}"
        )
        return total, [_version(row) for row in rows]

    def change(self, patch: ConfigPatch, token_name: str) -> ConfigVersion:
        """Validate ``patch`` against the current version and store the result as the next version;
        ``BadRequest`` (nothing stored) when any part of it is invalid."""
        current = self.current()
        changes = patch.model_dump(exclude_none=True)
        if not changes:
            raise BadRequest("the change is empty: give timezone, health_weights or alert_thresholds")
        merged = current.config.model_copy(deep=True)
        if patch.timezone is not None:
            merged.timezone = patch.timezone
        if patch.health_weights is not None:
            try:
                merged.health_weights = dict(
                    HealthSettings(weights={**merged.health_weights, **patch.health_weights}).weights
                )
            except ValidationError as exc:
                raise BadRequest(f"health_weights: {_messages(exc)}") from None
        if patch.alert_thresholds is not None:
            rules = threshold_rules(self.settings)
            unknown = sorted(set(patch.alert_thresholds) - set(rules))
            if unknown:
                raise BadRequest(
                    f"alert_thresholds: no threshold rule named {', '.join(unknown)}; known: {', '.join(sorted(rules))}"
                )
            for name, value in patch.alert_thresholds.items():
                merged.alert_thresholds[name] = rules[name].condition.value if value is None else value  # type: ignore[union-attr]
        stored = merged.model_dump_json()
        try:  # what is stored must read back: never store a version the readers would fail on
            EditableConfig.model_validate_json(stored)
        except ValidationError as exc:
            raise BadRequest(f"the changed configuration is invalid: {_messages(exc)}") from None
        version = current.version + 1
        self.wh.execute(
            f"insert into {SCHEMA}.config_versions (version, created_at, token_name, changes, config) "
            "values (?, ?, ?, ?, ?)",
            [version, utc_now(), token_name, json.dumps(changes, sort_keys=True), stored],
        )
        return self.current()


def apply_config(settings: Settings, config: EditableConfig) -> Settings:
    """Settings with the stored time zone and health weights (each validated by its Settings model)."""
    health = HealthSettings(weights=config.health_weights)
    return settings.model_copy(update={"timezone": Settings._known_timezone(config.timezone), "health": health})


def apply_thresholds(rules: list[Rule], config: EditableConfig) -> list[Rule]:
    """The rules with their stored threshold values."""
    out: list[Rule] = []
    for rule in rules:
        value = config.alert_thresholds.get(rule.name)
        if value is not None and isinstance(rule.condition, Threshold):
            rule = rule.model_copy(update={"condition": rule.condition.model_copy(update={"value": value})})
        out.append(rule)
    return out


def _version(row: tuple[Any, ...]) -> ConfigVersion:
    version, created_at, token_name, changes, config = row
    return ConfigVersion(
        version=int(version),
        created_at=created_at,
        token_name=token_name,
        changes=json.loads(changes),
        config=EditableConfig.model_validate_json(config),
    )


def _messages(exc: ValidationError) -> str:
    return "; ".join(err["msg"] for err in exc.errors())
