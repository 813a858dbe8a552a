"""The demo's live incident: jobs failing the quality checks, submitted at an on-call pace through the hours
around the as-of time, whatever the hour of day.

Night hours have too few jobs for an hourly quality rule to judge (it needs a minimum volume), so a demo
served at night would show nothing. While a live incident runs (``Window.incident_at``), providers of
active orgs complete ``BURST_JOBS_PER_HOUR`` extra jobs an hour on top of their usual activity; like every
job completed in the incident, most fail the quality checks.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from vitals.contracts import EVENTS
from vitals.generate import vocab as v
from vitals.generate.clock import US, format_plain
from vitals.generate.ids import uuid4s
from vitals.generate.orgs import Population
from vitals.generate.window import Window

BURST_JOBS_PER_HOUR = 40
FAILING_SHARE = 0.8
"""Share of the burst's jobs whose quality score is below 0.7."""


def render_live_incident(pop: Population, window: Window, seed: int) -> pa.Table | None:
    """The burst's ``events_big`` rows (note_submit, summarize_start, summarize_success per job), or None
    when the window has no live incident or no provider active through it."""
    if window.incident_at is None:
        return None
    lo, hi = window.incident_local()
    o, p = pop.orgs, pop.providers
    org_ok = (o.signup_us[p.org] < lo) & (o.churn_us[p.org] > hi)
    eligible = np.flatnonzero((p.join_us < lo) & (p.leave_us > hi) & org_ok)
    if hi <= lo or not len(eligible):
        return None
    rng = np.random.default_rng(np.random.SeedSequence([seed, 21]))
    m = max(1, round(BURST_JOBS_PER_HOUR * (hi - lo) / (3600 * US)))
    prov = rng.choice(eligible, m)
    done_local = np.sort(rng.integers(lo, hi, m))
    run = (rng.uniform(20, 90, m) * US).astype(np.int64)
    wait = (rng.uniform(2, 20, m) * US).astype(np.int64)
    done = window.clock.to_utc(done_local)
    started, submitted = done - run, done - run - wait
    failing = rng.random(m) < FAILING_SHARE
    quality = np.round(np.where(failing, rng.uniform(0.2, 0.69, m), rng.uniform(0.7, 0.98, m)), 3)
    notes = uuid4s(rng, m).to_pylist()
    requests = uuid4s(rng, m).to_pylist()
    sessions = uuid4s(rng, m).to_pylist()
    orgs = o.ids.take(pa.array(p.org[prov])).to_pylist()
    providers = p.ids.take(pa.array(prov)).to_pylist()
    users = p.user_ids.take(pa.array(prov)).to_pylist()
    release = v.RELEASES[-1]
    names, times, props = [], [], []
    for i in range(m):
        names += ["note_submit", "summarize_start", "summarize_success"]
        times += [submitted[i], started[i], done[i]]
        props += [
            json.dumps({"note_id": notes[i], "feature": "note", "length": 900}),
            json.dumps({"note_id": notes[i]}),
            json.dumps(
                {
                    "note_id": notes[i],
                    "quality_score": float(quality[i]),
                    "hard_error": False,
                    "client_release": release,
                }
            ),
        ]
    at = np.asarray(times, dtype=np.int64)
    n = len(names)
    per_job = np.repeat(np.arange(m), 3)

    def repeat(values: list[str]) -> list[str]:
        return [values[i] for i in per_job]

    columns = {
        "event_id": uuid4s(rng, n),
        "org_id": pa.array(repeat(orgs)),
        "provider_id": pa.array(repeat(providers)),
        "user_id": pa.array(repeat(users)),
        "occurred_at": format_plain(at),
        "event_name": pa.array(names),
        "session_id": pa.array(repeat(sessions)),
        "request_id": pa.array(repeat(requests)),
        "source": pa.array(["app"] * n),
        "endpoint": pa.array([""] * n),
        "device": pa.array([""] * n),
        "geo_country": pa.array([""] * n),
        "properties": pa.array(props),
        "inserted_at": format_plain(at + US // 5),
        "_ingest_source": pa.array(["api_logger"] * n),
        "_ingest_ts": format_plain(at + US),
    }
    return pa.table([columns[name] for name in EVENTS.column_names], names=EVENTS.column_names)
