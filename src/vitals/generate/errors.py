"""``sentry_errors_big`` rows: errors of failed jobs, browser noise tied to sessions, worker noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vitals.contracts import SENTRY_ERRORS
from vitals.generate import mess
from vitals.generate import vocab as v
from vitals.generate.activity import Activity, in_service
from vitals.generate.clock import DAY_US, US, floor_ms, format_mixed, format_plain
from vitals.generate.events import ChunkIds, redeliver, take, with_blank
from vitals.generate.ids import hex_ids
from vitals.generate.orgs import Population
from vitals.generate.window import Window

API, WEB, WORKER = "clinical-notes-api", "clinical-notes-web", "clinical-notes-worker"
_GROUPS: tuple[tuple[str, str, str], ...] = (
    *((msg, culprit, API) for msg, culprit in v.JOB_ERRORS),
    *((msg, culprit, API) for msg, culprit in v.SILENT_ERRORS),
    *((msg, culprit, WEB) for _, msg, culprit in v.WEB_NOISE),
    *((msg, culprit, WORKER) for _, msg, culprit in v.WORKER_NOISE),
)
"""(message, culprit, project) of every error group."""
_SILENT0 = len(v.JOB_ERRORS)
_WEB0 = _SILENT0 + len(v.SILENT_ERRORS)
_WORKER0 = _WEB0 + len(v.WEB_NOISE)
_LEVELS = ("error", "fatal", "warning", "info")
_WEB_NOISE_RATE = 0.03
"""Chance that a session reports a browser error or warning."""
_WEB_NOISE_SHARE = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
_OFFSET_RATE = 0.02


@dataclass(frozen=True)
class Groups:
    """Sentry issue groups: id, first-seen time (UTC µs), prior count and daily rate."""

    ids: pa.Array
    first_seen: np.ndarray
    base_count: np.ndarray
    daily: np.ndarray


def build_groups(seed: int, window: Window) -> Groups:
    """The fixed set of error groups, first seen before the window."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    n = len(_GROUPS)
    numbers = rng.integers(4_000_000_000, 6_000_000_000, n)
    return Groups(
        ids=pa.array([str(x) for x in numbers.tolist()], pa.string()),
        first_seen=window.start_utc - rng.integers(1, 400, n) * DAY_US - rng.integers(0, DAY_US, n),
        base_count=rng.integers(5, 5000, n),
        daily=rng.uniform(0.5, 40.0, n),
    )


def _json_pairs(pairs: list[tuple[str, pa.Array | str]], include: list[np.ndarray | None]) -> pa.Array:
    """A JSON object per row from (key, text value) pairs; a pair is left out where ``include`` is False."""
    parts: list[pa.Array | str] = []
    for (key, value), keep in zip(pairs, include, strict=True):
        piece = pc.binary_join_element_wise(f'"{key}": "', value, '", ', "")
        parts.append(piece if keep is None else pc.if_else(pa.array(keep), piece, ""))
    body = pc.binary_join_element_wise(*parts, "") if len(parts) > 1 else parts[0]
    return pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(body, 0, -2), "}", "")


def _release(window: Window, created_utc: np.ndarray) -> np.ndarray:
    """Index of the release live at each time (one after another across the window)."""
    progress = np.clip((created_utc - window.start_utc) / (window.days * DAY_US), 0.0, 0.999)
    return (progress * len(v.RELEASES)).astype(np.int64)


def _assemble(
    window: Window,
    groups: Groups,
    rng: np.random.Generator,
    *,
    org_id: pa.Array,
    provider_id: pa.Array,
    user_id: pa.Array,
    group: np.ndarray,
    level: np.ndarray,
    url: pa.Array,
    created: np.ndarray,
    tags: pa.Array,
    contexts: pa.Array,
) -> pa.Table:
    """Common columns, mess and ordering of Sentry rows."""
    n = len(group)
    offset = mess.pick(rng, n, _OFFSET_RATE) if n else np.zeros(0, dtype=bool)
    created = np.where(offset, floor_ms(created), created)
    ingest = created + (rng.uniform(0.5, 5.0, n) * US).astype(np.int64)
    ingest = np.where(offset, floor_ms(ingest), ingest)
    org_id = mess.upper(org_id, mess.pick(rng, n, mess.ID_UPPER_RATE * 2, mess.non_empty(org_id)))
    count = groups.base_count[group] + ((created - groups.first_seen[group]) / DAY_US * groups.daily[group])
    text = pa.array([g[0] for g in _GROUPS], pa.string())
    culprit = pa.array([g[1] for g in _GROUPS], pa.string())
    project = pa.array([g[2] for g in _GROUPS], pa.string())
    index = pa.array(group, pa.int64())
    columns = {
        "event_id": hex_ids(rng, n, 32),
        "org_id": org_id,
        "provider_id": provider_id,
        "project": project.take(index),
        "group_id": groups.ids.take(index),
        "level": pa.array(list(_LEVELS), pa.string()).take(pa.array(level, pa.int64())),
        "message": text.take(index),
        "culprit": culprit.take(index),
        "release": pa.array(list(v.RELEASES), pa.string()).take(pa.array(_release(window, created))),
        "environment": pa.array(["production"], pa.string()).take(pa.array(np.zeros(n, dtype=np.int64))),
        "url": url,
        "user_id_raw": user_id,
        "created_at": format_mixed(window.clock, created, offset),
        "tags": tags,
        "contexts": contexts,
        "group_first_seen": format_plain(groups.first_seen[group], seconds_only=True),
        "group_last_seen": format_plain(created),
        "group_count": pa.array(count.astype(np.int64)).cast(pa.string()),
        "_ingest_source": pa.array(["sentry_webhook"], pa.string()).take(pa.array(np.zeros(n, dtype=np.int64))),
        "_ingest_ts": format_mixed(window.clock, ingest, offset),
    }
    names = SENTRY_ERRORS.column_names
    table = pa.table([columns[name] for name in names], names=names)
    duplicate = mess.pick(rng, n, mess.ERROR_DUPLICATE_RATE) if n else np.zeros(0, dtype=bool)
    return redeliver(table, ingest, duplicate, window, rng)


def _org_column(pop: Population, org: np.ndarray, rng: np.random.Generator) -> tuple[pa.Array, pa.Array]:
    """(org_id column, blank for a share of rows; org id for the tags)."""
    full = pop.orgs.ids.take(pa.array(org, pa.int64()))
    blank = rng.random(len(org)) < mess.ERROR_NO_ORG_RATE
    return pc.if_else(pa.array(blank), "", full), full


def render_job_errors(
    pop: Population, window: Window, activity: Activity, ids: ChunkIds, groups: Groups, rng: np.random.Generator
) -> pa.Table:
    """One Sentry error per failed job (with or without a summarize_failed event)."""
    j, p = activity.jobs, pop.providers
    idx = np.flatnonzero(j.sentry_at >= 0)
    idx = idx[in_service(pop, window, j.org[idx], j.sentry_at[idx])]
    n = len(idx)
    failed = j.outcome[idx] == v.FAILED
    group = np.where(failed, j.error_code[idx], _SILENT0 + j.silent_kind[idx])
    org_col, org_tag = _org_column(pop, j.org[idx], rng)
    prov = p.ids.take(pa.array(j.prov[idx]))
    has_note = j.has_note[idx]
    code = pa.array([*v.ERROR_CODES, "UNHANDLED"], pa.string()).take(
        pa.array(np.where(failed, j.error_code[idx], len(v.ERROR_CODES)))
    )
    tags = _json_pairs(
        [
            ("request_id", take(ids.requests, idx)),
            ("note_id", ids.notes.take(pa.array(idx, pa.int64()))),
            ("org_id", org_tag),
            ("provider_id", prov),
            ("error_code", code),
            ("transaction", "POST /api/v1/notes/summarize"),
        ],
        [~has_note | (rng.random(n) >= 0.1), has_note, None, None, None, None],
    )
    contexts = pa.array(
        ['{"runtime": {"name": "CPython", "version": "3.11.9"}, "trace": {"op": "summarize"}}'] * n, pa.string()
    )
    return _assemble(
        window,
        groups,
        rng,
        org_id=org_col,
        provider_id=pc.if_else(pa.array(rng.random(n) < 0.3), "", prov),
        user_id=p.user_ids.take(pa.array(j.prov[idx])),
        group=group,
        level=np.where(j.fatal[idx], 1, 0),
        url=pa.array(["/api/v1/notes/summarize"] * n, pa.string()),
        created=window.clock.to_utc(j.sentry_at[idx]),
        tags=tags,
        contexts=contexts,
    )


def render_web_noise(
    pop: Population, window: Window, activity: Activity, groups: Groups, rng: np.random.Generator
) -> pa.Table:
    """Browser warnings and errors during sessions, not tied to any job."""
    s, p = activity.sessions, pop.providers
    hit = np.flatnonzero(rng.random(len(s.org)) < _WEB_NOISE_RATE)
    at = s.start[hit] + (rng.random(len(hit)) * (s.end[hit] - s.start[hit])).astype(np.int64)
    keep = in_service(pop, window, s.org[hit], at)
    hit, at = hit[keep], at[keep]
    n = len(hit)
    kind = rng.choice(len(v.WEB_NOISE), n, p=_WEB_NOISE_SHARE)
    level = np.array([_LEVELS.index(lvl) for lvl, _, _ in v.WEB_NOISE])[kind] if n else kind
    org_col, org_tag = _org_column(pop, s.org[hit], rng)
    device = s.device[hit]
    browser = pa.array([d.split("/")[0] for d in v.DEVICES]).take(pa.array(device))
    system = pa.array([d.split("/")[1] for d in v.DEVICES]).take(pa.array(device))
    url = pa.array(list(v.PAGE_PATHS)).take(pa.array(rng.integers(0, len(v.PAGE_PATHS), n)))
    tags = _json_pairs([("org_id", org_tag), ("browser", browser), ("url", url)], [None, None, None])
    contexts = pc.binary_join_element_wise('{"browser": {"name": "', browser, '"}, "os": {"name": "', system, '"}}', "")
    provider_id = take(with_blank(p.ids), np.where(rng.random(n) < 0.7, s.prov[hit], -1))
    return _assemble(
        window,
        groups,
        rng,
        org_id=org_col,
        provider_id=provider_id,
        user_id=p.user_ids.take(pa.array(s.prov[hit])),
        group=_WEB0 + kind,
        level=level,
        url=url,
        created=window.clock.to_utc(at),
        tags=tags,
        contexts=contexts,
    )


def render_worker_noise(window: Window, groups: Groups, n_orgs: int, seed: int) -> pa.Table:
    """Background-worker errors of no org at all."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4]))
    per_day = rng.poisson(2 + 0.02 * n_orgs, window.days)
    day = np.repeat(np.arange(window.days), per_day)
    n = len(day)
    created = window.start_utc + day * DAY_US + rng.integers(0, DAY_US, n)
    kind = rng.integers(0, len(v.WORKER_NOISE), n)
    level = np.array([_LEVELS.index(lvl) for lvl, _, _ in v.WORKER_NOISE])[kind]
    blank = pa.array([""] * n, pa.string())
    queue = pa.array(["default", "exports", "integrations"]).take(pa.array(rng.integers(0, 3, n)))
    return _assemble(
        window,
        groups,
        rng,
        org_id=blank,
        provider_id=blank,
        user_id=blank,
        group=_WORKER0 + kind,
        level=level,
        url=blank,
        created=created,
        tags=_json_pairs([("queue", queue), ("server_name", "worker-1")], [None, None]),
        contexts=pa.array(['{"runtime": {"name": "CPython", "version": "3.11.9"}}'] * n, pa.string()),
    )
