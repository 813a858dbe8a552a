"""Retention campaigns started from vitals: customer success picks an at-risk org, a kind and a channel, and the
campaign lands as the first version of a ``retention_campaigns`` row (the contract of SPEC §2.6), through the
same checks, PHI filter and row hash as any other way in. Later versions (opened, clicked, responded, the
outcome) come from the tool that sends it, by file or Postgres, with the same ``campaign_id``.

A campaign started here counts as sent when it starts: the person who started it reaches the org then."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from vitals.config import Settings
from vitals.contracts import CAMPAIGN_KINDS, RETENTION_CAMPAIGNS
from vitals.errors import BadRequest, NotFound
from vitals.ingest.landing import LoadRecord, new_load_id, next_loaded_at, not_before, record_load, transaction
from vitals.ingest.reader import open_reader
from vitals.ingest.records import land_records
from vitals.warehouse.base import Warehouse

CHANNELS = ("email", "call", "in_app", "meeting")
"""How a campaign reaches the org."""
SOURCE = "vitals:campaigns"
"""The ``_ingest_source`` of campaigns started here."""


@dataclass(frozen=True)
class Campaign:
    """A campaign as started: its first version."""

    campaign_id: str
    org_id: str
    kind: str
    channel: str
    started_at: str
    started_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "org_id": self.org_id,
            "kind": self.kind,
            "channel": self.channel,
            "started_at": self.started_at,
            "started_by": self.started_by,
        }


def start_campaign(
    warehouse: Warehouse, settings: Settings, org_id: str, kind: str, channel: str, *, started_by: str
) -> Campaign:
    """Land a new campaign for ``org_id`` (an org vitals knows) now; ``BadRequest`` for an unknown kind or
    channel, ``NotFound`` for an unknown org."""
    if kind not in CAMPAIGN_KINDS:
        raise BadRequest(f"'kind' is one of {', '.join(CAMPAIGN_KINDS)}, not {kind[:30]!r}")
    if channel not in CHANNELS:
        raise BadRequest(f"'channel' is one of {', '.join(CHANNELS)}, not {channel[:30]!r}")
    known = warehouse.query(f"select 1 from {warehouse.core_schema}.organizations where org_id = ?", [org_id])
    if not known:
        raise NotFound(f"no org {org_id!r} in the warehouse")
    warehouse.ensure_raw_tables()
    reader = open_reader(settings)
    try:
        with transaction(warehouse):
            loaded_at = next_loaded_at(warehouse)
            campaign = Campaign(uuid.uuid4().hex, org_id, kind, channel, loaded_at, started_by)
            row = {
                "campaign_id": campaign.campaign_id,
                "org_id": org_id,
                "kind": kind,
                "channel": channel,
                "started_at": loaded_at,
                "sent_at": loaded_at,
                "updated_at": loaded_at,
                "_ingest_source": SOURCE,
                "_ingest_ts": loaded_at,
            }
            inserted = land_records(
                warehouse,
                reader,
                RETENTION_CAMPAIGNS,
                [row],
                source=SOURCE,
                loaded_at=loaded_at,
                allowlist=settings.property_allowlist,
            )
            record_load(
                warehouse,
                LoadRecord(
                    new_load_id(), SOURCE, RETENTION_CAMPAIGNS.name, 1, inserted, loaded_at, not_before(loaded_at)
                ),
            )
    finally:
        reader.close()
    return campaign
