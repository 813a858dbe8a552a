"""Rendering simulated activity into ``events_big`` rows (all text, contract column order)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vitals.contracts import EVENTS
from vitals.generate import mess
from vitals.generate import vocab as v
from vitals.generate.activity import Activity, Events
from vitals.generate.clock import HOUR_US, MINUTE_US, US, floor_ms, format_mixed, format_plain
from vitals.generate.ids import hex_ids, uuid4s
from vitals.generate.orgs import Population
from vitals.generate.window import Window

_BLANK = pa.array([""], pa.string())
_JOB_KINDS = (
    v.NOTE_SUBMIT,
    v.SUMMARIZE_START,
    v.SUMMARIZE_SUCCESS,
    v.SUMMARIZE_FAILED,
    v.NOTE_SAVE,
    v.NOTE_LOCKED,
    v.NOTE_REVIEW,
)


@dataclass(frozen=True)
class ChunkIds:
    """Identifiers of one chunk's sessions and jobs (session and request ids end with a blank entry)."""

    sessions: pa.Array
    requests: pa.Array
    notes: pa.Array


def chunk_ids(rng: np.random.Generator, activity: Activity) -> ChunkIds:
    """Fresh session, request and note ids for a chunk."""
    n_sessions, n_jobs = len(activity.sessions.prov), len(activity.jobs.session)
    return ChunkIds(
        sessions=pa.concat_arrays([hex_ids(rng, n_sessions, 20, "sess_"), _BLANK]),
        requests=pa.concat_arrays([hex_ids(rng, n_jobs, 24, "req_"), _BLANK]),
        notes=uuid4s(rng, n_jobs),
    )


def with_blank(values: pa.Array) -> pa.Array:
    """``values`` plus a trailing '' entry, addressed by index ``len(values)``."""
    return pa.concat_arrays([values.cast(pa.string()), _BLANK])


def take(values: pa.Array, index: np.ndarray) -> pa.Array:
    """``values[index]`` with -1 mapped to the trailing blank entry (see :func:`with_blank`)."""
    index = np.where(index < 0, len(values) - 1, index)
    return values.take(pa.array(index, pa.int64()))


def _vocab(words: tuple[str, ...] | list[str], index: np.ndarray) -> pa.Array:
    """``words[index]`` as an Arrow string array."""
    return pa.array(list(words), pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))


def _job_properties(activity: Activity, ids: ChunkIds) -> dict[int, pa.Array]:
    """Properties JSON of every job, per job event kind."""
    j = activity.jobs
    has_note = pa.array(j.has_note)
    lead = pc.if_else(has_note, pc.binary_join_element_wise('"note_id": "', ids.notes, '", ', ""), "")
    only = pc.if_else(has_note, pc.binary_join_element_wise('{"note_id": "', ids.notes, '"}', ""), "{}")
    submit = pc.binary_join_element_wise(
        "{",
        lead,
        '"feature": "',
        _vocab(v.FEATURES, j.feature),
        '", "length": ',
        pa.array(j.length).cast(pa.string()),
        "}",
        "",
    )
    success = pc.binary_join_element_wise(
        "{",
        lead,
        '"quality_score": ',
        pa.array(j.quality).cast(pa.string()),
        ', "hard_error": ',
        _vocab(("false", "true"), j.hard_error.astype(np.int64)),
        ', "client_release": "',
        _vocab(v.RELEASES, j.release),
        '"}',
        "",
    )
    failed = pc.binary_join_element_wise("{", lead, '"error_code": "', _vocab(v.ERROR_CODES, j.error_code), '"}', "")
    by_kind = dict.fromkeys(_JOB_KINDS, only)
    by_kind.update({v.NOTE_SUBMIT: submit, v.SUMMARIZE_SUCCESS: success, v.SUMMARIZE_FAILED: failed})
    return by_kind


def _properties(pop: Population, activity: Activity, ids: ChunkIds, e: Events) -> pa.Array:
    """Properties of kind-sorted events."""
    per_job = _job_properties(activity, ids)
    roles = [json.dumps({"role": role}) for role in v.ROLES]
    parts: list[pa.Array] = []
    bounds = np.searchsorted(e.kind, np.arange(len(v.EVENT_NAMES) + 1))
    for kind in range(len(v.EVENT_NAMES)):
        lo, hi = bounds[kind], bounds[kind + 1]
        if lo == hi:
            continue
        if kind in (v.ORG_CREATED, v.ORG_SIGNUP):
            rows = [
                json.dumps({"org_name": pop.orgs.names[o], "plan": v.PLANS[pop.orgs.plan[o]]})
                for o in e.org[lo:hi].tolist()
            ]
            parts.append(pa.array(rows, pa.string()))
        elif kind == v.PROVIDER_CREATED:
            parts.append(_vocab(roles, pop.providers.role[e.prov[lo:hi]]))
        elif kind in per_job:
            parts.append(per_job[kind].take(pa.array(e.job[lo:hi])))
        else:
            parts.append(_vocab(["{}"], np.zeros(hi - lo, dtype=np.int64)))
    return pa.concat_arrays(parts) if parts else pa.array([], pa.string())


def _gather(values: np.ndarray, index: np.ndarray, fill: int) -> np.ndarray:
    """``values[index]``, with ``fill`` where the index is -1."""
    if len(values) == 0:
        return np.full(len(index), fill, dtype=np.int64)
    return np.where(index >= 0, values[np.maximum(index, 0)], fill).astype(np.int64)


def render_events(
    pop: Population, window: Window, activity: Activity, ids: ChunkIds, rng: np.random.Generator
) -> pa.Table:
    """The chunk's ``events_big`` rows, messy as real sources are, ordered by ``_ingest_ts``."""
    e = activity.events.select(np.argsort(activity.events.kind, kind="stable"))
    o, p, s, j = pop.orgs, pop.providers, activity.sessions, activity.jobs
    n = len(e.kind)
    creation = e.kind <= v.PROVIDER_CREATED

    occurred = window.clock.to_utc(e.t_local)
    inserted = occurred + (0.15 * np.exp(rng.normal(0, 0.6, n)) * US).astype(np.int64)
    ingest = inserted + (0.8 * np.exp(rng.normal(0, 0.7, n)) * US).astype(np.int64)
    late = rng.random(n) < mess.LATE_RATE
    ingest = ingest + np.where(late, rng.integers(MINUTE_US, 30 * MINUTE_US, n), 0)
    offset = mess.pick(rng, n, mess.OFFSET_TS_RATE)
    occurred, inserted, ingest = (np.where(offset, floor_ms(x), x) for x in (occurred, inserted, ingest))

    api = _gather(j.api, e.job, 0).astype(bool)
    user_prov = np.where(e.prov >= 0, e.prov, o.first_provider[e.org])
    device = _gather(s.device, e.session, -1)
    device = np.where(device < 0, _gather(p.device, e.prov, -1), device)
    endpoint = np.where(e.kind == v.PAGE_VIEW, len(v.ENDPOINTS) + e.page, e.kind)
    server = v.SERVER_SIDE[e.kind] | api

    org_id = take(with_blank(o.ids), e.org)
    org_id = mess.unknown_org(org_id, mess.pick(rng, n, mess.UNKNOWN_ORG_RATE, ~creation), rng)
    org_id = mess.upper(org_id, mess.pick(rng, n, mess.ID_UPPER_RATE, mess.non_empty(org_id)))
    org_id = mess.pad(org_id, mess.pick(rng, n, mess.ID_SPACE_RATE, mess.non_empty(org_id)))
    provider_id = take(with_blank(p.ids), e.prov)
    provider_id = mess.upper(provider_id, mess.pick(rng, n, mess.ID_UPPER_RATE, e.prov >= 0))
    provider_id = mess.pad(provider_id, mess.pick(rng, n, mess.ID_SPACE_RATE, e.prov >= 0))
    provider_id = mess.null_tokens(provider_id, mess.pick(rng, n, mess.NULL_TOKEN_RATE, ~creation), rng)
    user_id = take(with_blank(p.user_ids), user_prov)
    user_id = mess.upper(user_id, mess.pick(rng, n, mess.ID_UPPER_RATE))
    properties = _properties(pop, activity, ids, e)
    properties = mess.add_phi(properties, mess.pick(rng, n, mess.PHI_RATE, e.kind == v.NOTE_SUBMIT), rng)
    properties = mess.truncate_json(
        properties, mess.pick(rng, n, mess.INVALID_JSON_RATE, mess.json_long_enough(properties))
    )

    columns = {
        "event_id": uuid4s(rng, n),
        "org_id": org_id,
        "provider_id": provider_id,
        "user_id": user_id,
        "occurred_at": format_mixed(window.clock, occurred, offset),
        "event_name": _vocab(v.EVENT_NAMES, e.kind),
        "session_id": take(ids.sessions, e.session),
        "request_id": take(ids.requests, e.job),
        "source": _vocab(("app", "api"), api.astype(np.int64)),
        "endpoint": _vocab(v.ENDPOINTS + v.PAGE_PATHS, endpoint),
        "device": take(with_blank(pa.array(v.DEVICES)), device),
        "geo_country": _vocab(v.COUNTRIES, o.country[e.org]),
        "properties": properties,
        "inserted_at": format_mixed(window.clock, inserted, offset),
        "_ingest_source": _vocab(("frontend_logger", "api_logger"), server.astype(np.int64)),
        "_ingest_ts": format_mixed(window.clock, ingest, offset),
    }
    table = pa.table([columns[name] for name in EVENTS.column_names], names=EVENTS.column_names)
    return redeliver(table, ingest, mess.pick(rng, n, mess.DUPLICATE_RATE), window, rng)


def redeliver(
    table: pa.Table, ingest: np.ndarray, duplicate: np.ndarray, window: Window, rng: np.random.Generator
) -> pa.Table:
    """The table plus the masked rows delivered again later (same ids), all ordered by ``_ingest_ts``."""
    again = ingest[duplicate] + rng.integers(US, 6 * HOUR_US, int(duplicate.sum()))
    again = np.maximum(np.minimum(again, window.end_utc - US), ingest[duplicate] + 1000)
    copies = table.filter(pa.array(duplicate))
    copies = copies.set_column(copies.schema.get_field_index("_ingest_ts"), "_ingest_ts", format_plain(again))
    order = np.argsort(np.concatenate([ingest, again]), kind="stable")
    return pa.concat_tables([table, copies]).take(pa.array(order))
