"""One Settings class for the whole system: ``vitals.toml`` plus ``VITALS_*`` environment variables.

Precedence (highest first): explicit keyword arguments, ``VITALS_*`` environment variables,
``vitals.toml`` (path from ``VITALS_CONFIG`` or ``./vitals.toml``), defaults.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
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


def merged_weights(value: dict[str, float], defaults: dict[str, float], kind: str, part: str) -> dict[str, float]:
    """``value`` over ``defaults`` (a part left out keeps its default), refused unless every part is known and
    every weight finite and >= 0 with a positive sum; ``kind`` and ``part`` name them in the error."""
    unknown = sorted(set(value) - set(defaults))
    if unknown:
        raise ValueError(f"unknown {kind} {part}(s) {unknown}; known: {list(defaults)}")
    merged = {**defaults, **value}
    if not all(math.isfinite(weight) for weight in merged.values()):
        raise ValueError(f"a {kind} weight is not a finite number")
    if any(weight < 0 for weight in merged.values()):
        raise ValueError(f"a {kind} weight is negative")
    if sum(merged.values()) <= 0:
        raise ValueError(f"the {kind} weights must have a positive sum")
    return merged


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
        return merged_weights(value, HEALTH_WEIGHTS, "health", "component")


CHURN_RISK_WEIGHTS: dict[str, float] = {
    "declining_health": 25,
    "high_support_volume": 15,
    "low_engagement": 20,
    "low_feature_adoption": 10,
    "low_activation": 10,
    "payment_trouble": 20,
}
"""The churn-risk score's factors (seed 002 and payment trouble) and their default weights (sum 100)."""


class ChurnRiskSettings(BaseModel):
    """The churn-risk score 0-100 (SPEC §6.9, seed 002): its factors' thresholds, weights and bands."""

    model_config = {"extra": "forbid"}

    weights: dict[str, float] = Field(
        default_factory=lambda: dict(CHURN_RISK_WEIGHTS),
        description="Weight of each score factor (declining_health, high_support_volume, low_engagement, "
        "low_feature_adoption, low_activation, payment_trouble); each >= 0, their sum > 0. A factor that fires "
        "adds 100 x its weight / the sum of the weights. A factor left out keeps its default.",
    )
    health_trend_points: float = Field(
        default=10, ge=0, description="declining_health: the health score fell by more than this many points."
    )
    support_tickets_30d: int = Field(
        default=5, ge=0, description="high_support_volume: more than this many tickets opened in the last 30 days."
    )
    inactive_days: int = Field(
        default=14, ge=0, description="low_engagement: more than this many days since the org's last event."
    )
    feature_adoption: float = Field(
        default=0.3, ge=0, le=1, description="low_feature_adoption: share of tracked features used is below this."
    )
    activation: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="low_activation: share of providers that reached first value is below this.",
    )
    band_high: float = Field(default=70, ge=0, le=100, description="A score at or above this is High.")
    band_medium: float = Field(default=40, ge=0, le=100, description="A score at or above this (below High) is Medium.")

    @field_validator("weights")
    @classmethod
    def _valid_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return merged_weights(value, CHURN_RISK_WEIGHTS, "churn-risk", "factor")

    @model_validator(mode="after")
    def _ordered_bands(self) -> ChurnRiskSettings:
        if self.band_medium > self.band_high:
            raise ValueError("band_medium must not be above band_high")
        return self

    def dbt_vars(self) -> dict[str, Any]:
        """The vars ``churn_risk`` (its score keys; the named factors keep the models' defaults) and
        ``churn_risk_weights`` the churn-risk mart reads."""
        return {
            "churn_risk": {
                "health_trend_points": self.health_trend_points,
                "support_tickets_30d": self.support_tickets_30d,
                "inactive_days": self.inactive_days,
                "feature_adoption": self.feature_adoption,
                "activation": self.activation,
                "band_high": self.band_high,
                "band_medium": self.band_medium,
            },
            "churn_risk_weights": dict(self.weights),
        }


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

SupportTimeBasis = Literal["clock", "business"]
"""How support ticket times are counted: every minute (clock) or business-hour minutes only (business)."""


class SupportBusinessHours(BaseModel):
    """The support team's working hours, in the business time zone (setting ``timezone``): the shape and rules of
    ``SupportSettings.business_hours`` (kept there as a plain table, so that vitals.toml holds it inline)."""

    model_config = {"extra": "forbid"}

    start_hour: int = Field(default=9, description="Local hour the working day starts (0-23).")
    end_hour: int = Field(default=17, description="Local hour the working day ends (1-24; 24 = midnight).")
    days: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5],
        description="Working days, ISO numbered (1 = Monday ... 7 = Sunday); at least one.",
    )

    @field_validator("start_hour", "end_hour")
    @classmethod
    def _valid_hour(cls, value: int) -> int:
        if not 0 <= value <= 24:
            raise ValueError("a business hour must be between 0 and 24")
        return value

    @field_validator("days")
    @classmethod
    def _valid_days(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("at least one working day is needed")
        wrong = sorted({day for day in value if not 1 <= day <= 7})
        if wrong:
            raise ValueError(f"working day(s) {wrong} are not ISO days of the week (1 = Monday ... 7 = Sunday)")
        return sorted(set(value))

    @model_validator(mode="after")
    def _start_before_end(self) -> SupportBusinessHours:
        if self.start_hour >= self.end_hour:
            raise ValueError(f"business_hours.start_hour ({self.start_hour}) must be before end_hour ({self.end_hour})")
        return self


class SupportSettings(BaseModel):
    """Help-desk service levels (SPEC §6.9): the first-response target of each ticket priority and the clock the
    ticket times run on (every minute, or business hours only)."""

    model_config = {"extra": "forbid"}

    first_response_targets_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(FIRST_RESPONSE_TARGETS_MINUTES),
        description="Minutes a ticket of each priority (low, normal, high, urgent) may wait for its first "
        "response before it breaches its SLA; each > 0. A priority left out keeps its default; a ticket "
        "without a priority is held to the normal target.",
    )
    time_basis: SupportTimeBasis = Field(
        default="clock",
        description="How first response and resolution times (and the first-response SLA) are counted: clock = "
        "every minute; business = only minutes inside business_hours on its working days, in the business time "
        "zone. Urgent tickets' SLA stays on clock time either way.",
    )
    business_hours: dict[str, Any] = Field(
        default_factory=lambda: SupportBusinessHours().model_dump(),
        description="Working hours used when time_basis = business: start_hour to end_hour local time (0-24, start "
        "before end) on the working days (ISO 1 = Monday ... 7 = Sunday). A key left out keeps its default.",
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

    @field_validator("business_hours")
    @classmethod
    def _valid_business_hours(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            return SupportBusinessHours.model_validate(value).model_dump()
        except ValidationError as error:
            problems = [
                (f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "") + e["msg"].removeprefix("Value error, ")
                for e in error.errors()
            ]
            raise ValueError("; ".join(problems)) from None

    def dbt_vars(self) -> dict[str, Any]:
        """The var ``support`` the support models read."""
        return {
            "support": {
                "first_response_targets_minutes": dict(self.first_response_targets_minutes),
                "time_basis": self.time_basis,
                "business_hours": dict(self.business_hours),
            }
        }


DEFAULT_NPS_THEMES: dict[str, list[str]] = {
    "speed": ["slow", "wait", "lag", "faster"],
    "accuracy": ["fix", "wrong", "mistake", "inaccura", "edit"],
    "reliability": ["fail", "crash", "outage", "broke", "down"],
    "time saved": ["saves", "saved", "hour", "time back"],
    "note quality": ["read like", "natural", "thorough"],
    "ease of use": ["easy", "set up", "setup", "simple", "intuitive"],
    "coding": ["coding", "codes", "billing"],
}
"""NPS comment themes and the keywords that name them (a comment mentions a theme when it contains one)."""

_THEME_TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 '\-]*")
"""What a theme name or keyword may hold: it is written into SQL text, so no quote but a doubled apostrophe."""


class NpsSettings(BaseModel):
    """NPS comment themes (SPEC §6.9): groups of keywords, matched in the lowercased comment, no model needed."""

    model_config = {"extra": "forbid"}

    themes: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_NPS_THEMES.items()},
        description="Theme -> keywords; a comment mentions the theme when its lowercased text contains one of "
        "them. Letters, digits, spaces, hyphens and apostrophes only. Replaces the default themes when given.",
    )

    @field_validator("themes")
    @classmethod
    def _valid_themes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        themes: dict[str, list[str]] = {}
        for theme, keywords in value.items():
            name = theme.strip()
            if not _THEME_TEXT.fullmatch(name):
                raise ValueError(f"theme name {theme!r} must be letters, digits, spaces, hyphens or apostrophes")
            cleaned = [keyword.strip().lower() for keyword in keywords]
            bad = [keyword for keyword in cleaned if not _THEME_TEXT.fullmatch(keyword)]
            if not cleaned or bad:
                raise ValueError(
                    f"theme {theme!r} needs keywords of letters, digits, spaces, hyphens or apostrophes"
                    + (f" (refused: {bad})" if bad else "")
                )
            themes[name] = cleaned
        return themes

    def dbt_vars(self) -> dict[str, Any]:
        """The var ``nps_themes`` the NPS theme model reads (apostrophes doubled for SQL text)."""
        return {
            "nps_themes": {
                theme.replace("'", "''"): [keyword.replace("'", "''") for keyword in keywords]
                for theme, keywords in self.themes.items()
            }
        }


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
    churn_risk: ChurnRiskSettings = Field(default_factory=ChurnRiskSettings)
    sales: SalesSettings = Field(default_factory=SalesSettings)
    support: SupportSettings = Field(default_factory=SupportSettings)
    nps: NpsSettings = Field(default_factory=NpsSettings)
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
        found.update(self.churn_risk.dbt_vars())
        found.update(self.nps.dbt_vars())
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
