"""HubSpot objects (the API's JSON) as rows of the domain contracts.

Pure functions: no request, no warehouse. Times land as fixed-width UTC text (``UTC_TEXT_FORMAT``), money
as whole cents; a value that cannot be read is passed on as sent, so the contract's checks name it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from vitals.contracts import TICKET_STATUSES
from vitals.ingest.landing import UTC_TEXT_FORMAT

Row = dict[str, str | None]
Json = Mapping[str, Any]

INGEST_SOURCE = "hubspot"
"""``_ingest_source`` of every row the pull lands."""

DELETED_STAGE = "deleted"
"""``crm_deals.stage`` of the final version of a deal deleted (archived) in HubSpot."""
MERGED_STAGE = "merged"
"""``crm_deals.stage`` of the final version of a deal merged into another."""
MERGED_INTO = "merged_into:"
"""``crm_deals.lost_reason`` of a merged deal's final version: this prefix, then the surviving deal's id."""

DEAL_PROPERTIES = (
    "dealname",
    "dealstage",
    "pipeline",
    "amount",
    "deal_currency_code",
    "closedate",
    "createdate",
    "hubspot_owner_id",
    "hs_is_closed",
    "hs_is_closed_won",
    "closed_lost_reason",
    "hs_analytics_source",
    "hs_merged_object_ids",
    "hs_lastmodifieddate",
)
DEAL_HISTORY = (
    "dealstage",
    "pipeline",
    "amount",
    "deal_currency_code",
    "closedate",
    "hubspot_owner_id",
    "hs_merged_object_ids",
)
"""Deal properties read with their history: a stage version takes each one's value as of the change."""

ACTIVITY_PROPERTIES = ("hs_timestamp", "hubspot_owner_id", "hs_lastmodifieddate")
ACTIVITY_KINDS = {"calls": "call", "emails": "email", "meetings": "meeting", "notes": "note"}

LEAD_DATES = (
    "hs_lifecyclestage_lead_date",
    "hs_lifecyclestage_marketingqualifiedlead_date",
    "hs_lifecyclestage_salesqualifiedlead_date",
    "hs_lifecyclestage_opportunity_date",
    "hs_lifecyclestage_customer_date",
)
CONTACT_PROPERTIES = (
    "createdate",
    "lifecyclestage",
    *LEAD_DATES,
    "hs_analytics_source",
    "hs_analytics_source_data_1",
    "hs_email_domain",
    "associatedcompanyid",
    "lastmodifieddate",
)
NOT_LEADS = ("", "subscriber", "other")
"""Lifecycle stages of contacts that are not leads (unless they have a lead date)."""

TICKET_PROPERTIES = (
    "createdate",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "hs_ticket_category",
    "source_type",
    "first_agent_reply_date",
    "closed_date",
    "hs_lastmodifieddate",
)
TICKET_PRIORITIES = {"low": "low", "medium": "normal", "normal": "normal", "high": "high", "urgent": "urgent"}

COMPANY_PROPERTIES = ("name", "domain")


@dataclass(frozen=True)
class Company:
    """What the contracts take from an associated company."""

    org_id: str
    name: str
    domain: str


NO_COMPANY = Company("", "", "")


@dataclass(frozen=True)
class Stage:
    """A deal pipeline stage: closed or not, won or not."""

    is_closed: bool
    is_won: bool


def timestamp(value: Any) -> str | None:
    """A HubSpot time (ISO-8601, or epoch milliseconds) as UTC text; None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        if text.lstrip("-").isdigit():
            moment = datetime.fromtimestamp(int(text) / 1000, UTC)
        else:
            moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(UTC_TEXT_FORMAT)


def day(value: Any) -> str | None:
    """The UTC day (``YYYY-MM-DD``) of a HubSpot time; None when empty."""
    found = timestamp(value)
    return found[:10] if found and found.endswith("Z") else found


def cents(value: Any) -> str | None:
    """A HubSpot amount (a decimal number) in whole cents; None when empty."""
    if value is None or not str(value).strip():
        return None
    try:
        return str(int((Decimal(str(value).strip()) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    except (InvalidOperation, ValueError):
        return str(value)


def properties(obj: Json) -> Mapping[str, Any]:
    """An object's ``properties``."""
    found = obj.get("properties")
    return found if isinstance(found, Mapping) else {}


def text(value: Any) -> str:
    """A property value as text ('' when absent)."""
    return "" if value is None else str(value)


def modified_at(obj: Json, modified_property: str = "hs_lastmodifieddate") -> str | None:
    """When the object last changed, as UTC text."""
    return timestamp(properties(obj).get(modified_property) or obj.get("updatedAt"))


def merged_ids(obj: Json) -> list[str]:
    """The ids of the objects merged into ``obj``."""
    found = [str(i) for i in obj.get("mergedObjectIds") or []]
    found += [i.strip() for i in text(properties(obj).get("hs_merged_object_ids")).split(";") if i.strip()]
    return list(dict.fromkeys(found))


def stages_of(pipelines: Sequence[Json]) -> dict[str, Stage]:
    """Stage id -> closed/won, from the deal pipelines (``metadata.isClosed``, ``metadata.probability``)."""
    found: dict[str, Stage] = {}
    for pipeline in pipelines:
        for stage in pipeline.get("stages") or []:
            metadata = stage.get("metadata") or {}
            closed = str(metadata.get("isClosed", "")).lower() == "true"
            try:
                won = closed and float(metadata.get("probability", 0)) >= 1.0
            except (TypeError, ValueError):
                won = False
            found[str(stage.get("id"))] = Stage(closed, won)
    return found


def _history(obj: Json, name: str) -> list[tuple[str, str]]:
    """(UTC time, value) of each change of a property, oldest first (repeats of the same value dropped)."""
    found = (obj.get("propertiesWithHistory") or {}).get(name) or []
    changes = sorted(
        ((timestamp(h.get("timestamp")) or "", text(h.get("value"))) for h in found if isinstance(h, Mapping)),
        key=lambda change: change[0],
    )
    kept: list[tuple[str, str]] = []
    for moment, value in changes:
        if moment and (not kept or kept[-1][1] != value):
            kept.append((moment, value))
    return kept


def _as_of(obj: Json, name: str, moment: str) -> str:
    """A property's value at ``moment``: from its history when read with one, else the current value."""
    history = _history(obj, name)
    if not history:
        return text(properties(obj).get(name))
    earlier = [value for at, value in history if at <= moment]
    return earlier[-1] if earlier else history[0][1]


def _changed_at(obj: Json, name: str, moment: str) -> str:
    """When a property last changed at or before ``moment`` (``moment`` itself without a history)."""
    earlier = [at for at, _ in _history(obj, name) if at <= moment]
    return earlier[-1] if earlier else moment


def deal_rows(deal: Json, company: Company, stages: Mapping[str, Stage]) -> list[Row]:
    """A deal's versions: one per stage change in its history (each dated by the change), then its current
    state (dated by its last modification)."""
    moments = [moment for moment, _ in _history(deal, "dealstage")]
    current = modified_at(deal)
    if current and current not in moments:
        moments.append(current)
    return [_deal_version(deal, company, stages, moment) for moment in sorted(moments)]


def _deal_version(deal: Json, company: Company, stages: Mapping[str, Stage], moment: str) -> Row:
    props = properties(deal)
    stage_id = _as_of(deal, "dealstage", moment)
    stage = stages.get(stage_id) or _stage_from_properties(props, stage_id)
    close = _as_of(deal, "closedate", moment)
    is_won = "" if not stage.is_closed else ("true" if stage.is_won else "false")
    return {
        "deal_id": str(deal.get("id")),
        "org_id": company.org_id,
        "company_name": company.name,
        "company_domain": company.domain,
        "owner_id": _as_of(deal, "hubspot_owner_id", moment),
        "pipeline": _as_of(deal, "pipeline", moment),
        "stage": stage_id,
        "amount_cents": cents(_as_of(deal, "amount", moment)),
        "currency": _as_of(deal, "deal_currency_code", moment),
        "created_at": timestamp(props.get("createdate") or deal.get("createdAt")),
        "expected_close_date": day(close),
        "closed_at": (timestamp(close) or _changed_at(deal, "dealstage", moment)) if stage.is_closed else None,
        "is_won": is_won,
        "lost_reason": text(props.get("closed_lost_reason")) if is_won == "false" else "",
        "source_channel": text(props.get("hs_analytics_source")),
        "updated_at": moment,
        "_ingest_source": INGEST_SOURCE,
        "_ingest_ts": moment,
    }


def _stage_from_properties(props: Mapping[str, Any], stage_id: str) -> Stage:
    """A stage missing from the pipelines: HubSpot's default ids, or the deal's own closed flags (which
    describe its current stage)."""
    if stage_id in ("closedwon", "closedlost"):
        return Stage(True, stage_id == "closedwon")
    if stage_id == text(props.get("dealstage")) and text(props.get("hs_is_closed")).lower() == "true":
        return Stage(True, text(props.get("hs_is_closed_won")).lower() == "true")
    return Stage(False, False)


def merge_times(survivor: Json) -> dict[str, str]:
    """Merged deal id -> when it was merged into ``survivor`` (the first ``hs_merged_object_ids`` change
    listing it, else the survivor's last modification)."""
    fallback = modified_at(survivor) or ""
    found: dict[str, str] = {}
    for moment, value in _history(survivor, "hs_merged_object_ids"):
        for merged in (i.strip() for i in value.split(";")):
            if merged:
                found.setdefault(merged, moment)
    return {merged: found.get(merged, fallback) for merged in merged_ids(survivor)}


def final_deal_row(deal_id: str, last: Row | None, stage: str, moment: str, lost_reason: str = "") -> Row:
    """The last version of a deal that is gone: its last landed version (or an empty one) with ``stage``
    (``DELETED_STAGE`` or ``MERGED_STAGE``), dated ``moment``."""
    row: Row = dict(last) if last else {"deal_id": deal_id}
    row.update(
        deal_id=deal_id,
        stage=stage,
        is_won="",
        closed_at=None,
        lost_reason=lost_reason,
        updated_at=moment,
        _ingest_source=INGEST_SOURCE,
        _ingest_ts=moment,
    )
    return row


def deleted_deal_base(deal: Json, company: Company) -> Row:
    """A version of an archived deal never landed before, from the properties the archived list gives."""
    moment = timestamp(deal.get("archivedAt")) or modified_at(deal) or ""
    return _deal_version(deal, company, {}, moment)


def activity_row(activity: Json, object_type: str, deal_id: str, company: Company) -> Row:
    """A call, email, meeting or note as a ``crm_activities`` row."""
    props = properties(activity)
    return {
        "activity_id": str(activity.get("id")),
        "deal_id": deal_id,
        "org_id": company.org_id,
        "owner_id": text(props.get("hubspot_owner_id")),
        "kind": ACTIVITY_KINDS[object_type],
        "occurred_at": timestamp(props.get("hs_timestamp") or activity.get("createdAt")),
        "_ingest_source": INGEST_SOURCE,
        "_ingest_ts": modified_at(activity),
    }


def is_lead(contact: Json) -> bool:
    """A contact that reached the lead stage or later (subscribers and others are not leads)."""
    props = properties(contact)
    stage = text(props.get("lifecyclestage")).lower()
    return stage not in NOT_LEADS or any(text(props.get(name)) for name in LEAD_DATES)


def lead_row(contact: Json, deal_id: str, company: Company, campaign_property: str) -> Row:
    """A contact (a lead) as a ``marketing_leads`` row."""
    props = properties(contact)
    moment = modified_at(contact, "lastmodifieddate")
    return {
        "lead_id": str(contact.get("id")),
        "created_at": timestamp(props.get("hs_lifecyclestage_lead_date") or props.get("createdate")),
        "company_domain": company.domain or text(props.get("hs_email_domain")),
        "channel": text(props.get("hs_analytics_source")),
        "campaign": text(props.get(campaign_property)),
        "mql_at": timestamp(props.get("hs_lifecyclestage_marketingqualifiedlead_date")),
        "sql_at": timestamp(props.get("hs_lifecyclestage_salesqualifiedlead_date")),
        "deal_id": deal_id,
        "org_id": company.org_id,
        "updated_at": moment,
        "_ingest_source": INGEST_SOURCE,
        "_ingest_ts": moment,
    }


def ticket_row(
    ticket: Json, company: Company, statuses: Mapping[str, str], csat_property: str, escalated_property: str
) -> Row:
    """A help-desk ticket as a ``support_tickets`` row."""
    props = properties(ticket)
    closed = timestamp(props.get("closed_date"))
    status = statuses.get(text(props.get("hs_pipeline_stage"))) or ("closed" if closed else "open")
    moment = modified_at(ticket)
    return {
        "ticket_id": str(ticket.get("id")),
        "org_id": company.org_id,
        "provider_id": "",
        "created_at": timestamp(props.get("createdate") or ticket.get("createdAt")),
        "first_response_at": timestamp(props.get("first_agent_reply_date")),
        "resolved_at": closed,
        "status": status if status in TICKET_STATUSES else "open",
        "priority": TICKET_PRIORITIES.get(text(props.get("hs_ticket_priority")).strip().lower(), ""),
        "channel": text(props.get("source_type")),
        "category": text(props.get("hs_ticket_category")),
        "csat_score": _rating(props.get(csat_property)) if csat_property else "",
        "escalated": "true" if escalated_property and _truthy(props.get(escalated_property)) else "false",
        "updated_at": moment,
        "_ingest_source": INGEST_SOURCE,
        "_ingest_ts": moment,
    }


def _rating(value: Any) -> str:
    """A 1-5 rating as an integer text, '' when absent or outside 1..5."""
    try:
        number = Decimal(text(value).strip())
    except InvalidOperation:
        return ""
    return str(int(number)) if number == number.to_integral_value() and 1 <= number <= 5 else ""


def _truthy(value: Any) -> bool:
    return text(value).strip().lower() in ("true", "yes", "1", "t", "y")


def company_of(company: Json | None, org_property: str) -> Company:
    """What the contracts take from a company object (``NO_COMPANY`` for none)."""
    if company is None:
        return NO_COMPANY
    props = properties(company)
    return Company(text(props.get(org_property)).strip(), text(props.get("name")), text(props.get("domain")))
