"""One Settings class for the whole system: ``vitals.toml`` plus ``VITALS_*`` environment variables.

Precedence (highest first): explicit keyword arguments, ``VITALS_*`` environment variables,
``vitals.toml`` (path from ``VITALS_CONFIG`` or ``./vitals.toml``), defaults.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from vitals.alerts.settings import AlertSettings
from vitals.api.settings import ApiSettings
from vitals.bi.settings import BiSettings
from vitals.contracts import TICKET_PRIORITIES
from vitals.dashboard.settings import DashboardSettings
from vitals.errors import VitalsError
from vitals.hubspot.settings import HubSpotSettings
from vitals.sentry.settings import SentryEnvSource, SentrySettings
from vitals.server.settings import ServeSettings, SystemHealthSettings
from vitals.stripe.settings import StripeEnvSource, StripeSettings

Engine = Literal["duckdb", "postgres", "spark"]

DEFAULT_EVENT_NAMES: dict[str, list[str]] = {
    "org_created": ["org_created", "org_signup"],
    "provider_created": ["provider_created"],
    "login": ["login"],
    "logout": ["logout"],
    "page_view": ["page_view"],
    "note_submit": ["note_submit"],
    "summarize_start": ["summarize_start"],
    "summarize_success": ["summarize_success"],
    "summarize_failed": ["summarize_failed"],
    "note_save": ["note_save"],
    "note_locked": ["note_locked"],
    "note_review": ["note_review"],
}
"""Canonical event name -> the names the app may send for it (SPEC §3)."""

DEFAULT_PROPERTY_ALLOWLIST: list[str] = [
    "org_name",
    "plan",
    "role",
    "note_id",
    "feature",
    "length",
    "quality_score",
    "hard_error",
    "client_release",
    "error_code",
]
"""Event property keys kept at staging; every other key (note text, patient data) is dropped."""


def config_path() -> Path:
    """Where ``vitals.toml`` is read from: ``$VITALS_CONFIG`` or ``./vitals.toml``."""
    return Path(os.environ.get("VITALS_CONFIG", "vitals.toml"))


class PostgresSettings(BaseModel):
    """The PostgreSQL warehouse (engine = "postgres")."""

    dsn: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/vitals",
        description="libpq connection string of the warehouse database.",
    )
    schema_name: str = Field(
        default="analytics",
        description="Schema of the core model, marts and metrics; raw tables live in 'raw', "
        "staging models in 'staging' and 'intermediate'.",
    )


class SparkSettings(BaseModel):
    """The Apache Spark warehouse (engine = "spark"), run in-process with a local master."""

    master: str = Field(default="local[*]", description="Spark master URL.")
    warehouse_dir: Path = Field(
        default=Path("spark-warehouse"), description="Directory of Spark's managed tables and metastore."
    )
    driver_memory: str = Field(default="4g", description="spark.driver.memory.")
    shuffle_partitions: int = Field(default=8, description="spark.sql.shuffle.partitions.")


class IngestSettings(BaseModel):
    """Incremental pulls from the app's Postgres."""

    overlap_minutes: int = Field(
        default=10,
        ge=0,
        description="Each incremental pull re-reads rows this many minutes before the saved cursor, "
        "so late-committed rows are not missed; rows already landed are skipped.",
    )
    batch_rows: int = Field(default=50_000, gt=0, description="Rows fetched and landed per batch.")
    memory_limit: str = Field(
        default="2GB",
        pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="Memory cap of a file load's DuckDB work (reader and DuckDB warehouse); what does not fit "
        "(the raw hashes the duplicate check joins against, a large JSON Lines file) spills to disk: "
        "<warehouse>.tmp for a DuckDB warehouse, <state_dir>/ingest-tmp for the reader.",
    )


HEALTH_WEIGHTS: dict[str, float] = {
    "engagement": 0.40,
    "quality": 0.25,
    "depth": 0.15,
    "reliability": 0.10,
    "latency": 0.10,
}
"""The seed's health weights (SPEC §6.5)."""


class HealthSettings(BaseModel):
    """The health score's component weights (SPEC §6.5); they are normalized by their sum."""

    model_config = {"extra": "forbid"}

    weights: dict[str, float] = Field(
        default_factory=lambda: dict(HEALTH_WEIGHTS),
        description="Weight of each component (engagement, quality, depth, reliability, latency); each >= 0, "
        "their sum > 0. A component left out keeps its default.",
    )

    @field_validator("weights")
    @classmethod
    def _valid_weights(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(HEALTH_WEIGHTS))
        if unknown:
            raise ValueError(f"unknown health component(s) {unknown}; known: {list(HEALTH_WEIGHTS)}")
        merged = {**HEALTH_WEIGHTS, **value}
        if not all(math.isfinite(weight) for weight in merged.values()):
            raise ValueError("a health weight is not a finite number")
        if any(weight < 0 for weight in merged.values()):
            raise ValueError("a health weight is negative")
        if sum(merged.values()) <= 0:
            raise ValueError("the health weights must have a positive sum")
        return merged


DEFAULT_STAGE_PROBABILITIES: dict[str, float] = {
    "appointmentscheduled": 0.2,
    "qualifiedtobuy": 0.4,
    "presentationscheduled": 0.6,
    "decisionmakerboughtin": 0.8,
    "contractsent": 0.9,
}
"""The open stages of HubSpot's default sales pipeline and their win probabilities."""

ForecastCategory = Literal["commit", "best_case"]

DEFAULT_FORECAST_CATEGORIES: dict[str, ForecastCategory] = {
    "contractsent": "commit",
    "decisionmakerboughtin": "best_case",
    "presentationscheduled": "best_case",
}
"""The stages of HubSpot's default sales pipeline forecast as commit or best case (the others: pipeline)."""


def _stage_names(value: dict[str, Any]) -> dict[str, Any]:
    """Stage names as the models compare them: trimmed and lowercased, none empty or given twice."""
    names: dict[str, Any] = {}
    for stage, setting in value.items():
        name = stage.strip().lower()
        if not name:
            raise ValueError("a stage name is empty")
        if name in names:
            raise ValueError(f"stage {name!r} is given twice (names are compared trimmed and lowercased)")
        names[name] = setting
    return names


class SalesSettings(BaseModel):
    """Sales pipeline rules (SPEC §6.8): stage probabilities, forecast categories and when a deal is stalled."""

    model_config = {"extra": "forbid"}

    stalled_days: int = Field(
        default=14,
        gt=0,
        description="An open deal with no stage change and no activity for this many days is stalled.",
    )
    stage_probabilities: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_STAGE_PROBABILITIES),
        description="Win probability (0 to 1) of each open deal stage (crm_deals.stage, compared lowercased), "
        "weighting the pipeline; a stage not listed weighs 0. The mapping replaces the default one.",
    )
    forecast_categories: dict[str, ForecastCategory] = Field(
        default_factory=lambda: dict(DEFAULT_FORECAST_CATEGORIES),
        description="Forecast category (commit or best_case) of open deal stages; a stage not listed is "
        "pipeline only. The mapping replaces the default one.",
    )

    @field_validator("stage_probabilities")
    @classmethod
    def _valid_probabilities(cls, value: dict[str, float]) -> dict[str, float]:
        for stage, probability in value.items():
            if not math.isfinite(probability) or not 0 <= probability <= 1:
                raise ValueError(f"the probability of stage {stage!r} must be between 0 and 1")
        return _stage_names(value)

    @field_validator("forecast_categories")
    @classmethod
    def _valid_categories(cls, value: dict[str, ForecastCategory]) -> dict[str, ForecastCategory]:
        return _stage_names(value)

    def dbt_vars(self) -> dict[str, Any]:
        """The var ``sales`` the sales models read."""
        return {
            "sales": {
                "stalled_days": self.stalled_days,
                "stage_probabilities": dict(self.stage_probabilities),
                "forecast_categories": dict(self.forecast_categories),
            }
        }


FIRST_RESPONSE_TARGETS_MINUTES: dict[str, int] = {"low": 1440, "normal": 480, "high": 120, "urgent": 30}
"""How long a ticket of each priority may wait for its first response, in minutes (SPEC §6.9)."""


class SupportSettings(BaseModel):
    """Help-desk service levels (SPEC §6.9): the first-response target of each ticket priority."""

    model_config = {"extra": "forbid"}

    first_response_targets_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(FIRST_RESPONSE_TARGETS_MINUTES),
        description="Minutes a ticket of each priority (low, normal, high, urgent) may wait for its first "
        "response before it breaches its SLA; each > 0. A priority left out keeps its default; a ticket "
        "without a priority is held to the normal target.",
    )

    @field_validator("first_response_targets_minutes")
    @classmethod
    def _valid_targets(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(TICKET_PRIORITIES))
        if unknown:
            raise ValueError(f"unknown ticket priority(ies) {unknown}; known: {list(TICKET_PRIORITIES)}")
        if any(minutes <= 0 for minutes in value.values()):
            raise ValueError("a first-response target must be a positive number of minutes")
        return {**FIRST_RESPONSE_TARGETS_MINUTES, **value}

    def dbt_vars(self) -> dict[str, Any]:
        """The var ``support`` the support models read."""
        return {"support": {"first_response_targets_minutes": dict(self.first_response_targets_minutes)}}


class Settings(BaseSettings):
    """Everything vitals can be told. Each field is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(
        env_prefix="VITALS_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    engine: Engine = Field(default="duckdb", description="Warehouse engine: duckdb, postgres or spark.")
    warehouse: Path = Field(
        default=Path("vitals.duckdb"),
        description="DuckDB warehouse file (engine = duckdb). Env: VITALS_WAREHOUSE.",
    )
    state_dir: Path = Field(
        default=Path(".vitals"),
        description="Working directory for build artifacts, logs and generated dbt profiles.",
    )
    timezone: str = Field(
        default="America/Los_Angeles",
        description="Business time zone: every day, week, month and hour bucket is taken in it.",
    )
    event_names: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_EVENT_NAMES.items()},
        description="Canonical event -> names your app sends for it. Unlisted canonical events keep defaults.",
    )
    property_allowlist: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PROPERTY_ALLOWLIST),
        description="Event property keys kept; every other key is dropped before data lands (PHI protection).",
    )
    job_timeout_minutes: int = Field(
        default=60,
        gt=0,
        description="A job with neither a success nor a failure this long after it started is a timeout.",
    )
    data_tests: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="When a build runs dbt's data and unit tests: auto (first and full builds; incremental builds "
        "skip them), always, or never. `vitals build --tests/--no-tests` overrides it. Env: VITALS_DATA_TESTS.",
    )
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    spark: SparkSettings = Field(default_factory=SparkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    stripe: StripeSettings = Field(default_factory=StripeSettings)
    sentry: SentrySettings = Field(default_factory=SentrySettings)
    hubspot: HubSpotSettings = Field(default_factory=HubSpotSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    sales: SalesSettings = Field(default_factory=SalesSettings)
    support: SupportSettings = Field(default_factory=SupportSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    system_health: SystemHealthSettings = Field(default_factory=SystemHealthSettings)
    bi: BiSettings = Field(default_factory=BiSettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as 'Europe/Paris')") from exc
        return value

    @field_validator("event_names")
    @classmethod
    def _complete_event_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(DEFAULT_EVENT_NAMES))
        if unknown:
            raise ValueError(f"unknown canonical event(s) {unknown}; known: {sorted(DEFAULT_EVENT_NAMES)}")
        merged = {k: list(v) for k, v in DEFAULT_EVENT_NAMES.items()}
        for canonical, names in value.items():
            if not names:
                raise ValueError(f"event_names.{canonical} must list at least one name")
            merged[canonical] = list(names)
        return merged

    @model_validator(mode="after")
    def _distinct_event_names(self) -> Settings:
        seen: dict[str, str] = {}
        for canonical, names in self.event_names.items():
            for name in names:
                if name in seen and seen[name] != canonical:
                    raise ValueError(f"event name {name!r} is mapped to both {seen[name]!r} and {canonical!r}")
                seen[name] = canonical
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path())
        return (init_settings, env_settings, StripeEnvSource(settings_cls), SentryEnvSource(settings_cls), toml)

    def dbt_vars(self) -> dict[str, Any]:
        """The settings the SQL models read, as dbt vars."""
        found: dict[str, Any] = {
            "business_tz": self.timezone,
            "event_names": self.event_names,
            "property_allowlist": self.property_allowlist,
            "job_timeout_minutes": self.job_timeout_minutes,
            **self.stripe.dbt_vars(),
        }
        # the weights' one home: validated here, used as given by the customer-success models
        found["health_weights"] = dict(self.health.weights)
        found.update(self.sales.dbt_vars())
        found.update(self.support.dbt_vars())
        return found


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; raise ``ConfigError`` naming the file and field when they are invalid."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings (from {config_path()} and VITALS_* env): {problems}") from exc


class ConfigError(VitalsError):
    """The settings cannot be used; the message says which field and why."""
