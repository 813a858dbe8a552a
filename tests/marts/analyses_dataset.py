"""Hand-built raw rows for the seed 000 analyses marts (tests/marts/test_analyses.py).

All times are UTC text. The business time zone is America/Los_Angeles: PDT (UTC-7) until
2026-11-01 09:00 UTC, PST (UTC-8) after (the fall-back change: 01:00-02:00 local happens twice).

As of 2026-11-04 20:00 UTC (Wed Nov 4, 12:00 PST): the as-of week starts Mon Nov 2, the current
month is November, and "the last 30 days" start at 2026-10-05 20:00 UTC.

Weeks (Mondays, business time): W-1 Sep 28, W0 Oct 5, W1 Oct 12, W2 Oct 19, W3 Oct 26 (the DST
week), W4 Nov 2. A successful job ``job(..., done=T)`` is a note_submit at T-60s, a
summarize_success at T and (unless ``status=None``) a note_locked / note_review at T+60s, all
completed inside T's clock hour because every T is at hh:mm:ss with mm between 01 and 58.

Orgs:
- A "Alpha Clinic": providers P1..P5, reaches regular usage (W1+W2), WAP drops 3 -> 2 -> 1 in the
  DST week and the as-of week.
- B "Beta Health" (signs up with org_signup): P6, P7; W2 has Locked 1/3, so it never has two
  consecutive qualifying weeks; W0 has no active provider after W-1 had one (a drop to zero).
- C, D, E, F: the training-needs thresholds (20 jobs completed in the last 30 days).
- G, H: the session-health threshold (30 sessions in the last 30 days).
- I: known from billing only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.transform.transform_dataset import error, event, invoice

AS_OF = datetime(2026, 11, 4, 20, 0, 0)

OA = "0a000000-0000-4000-8000-00000000000a"
OB = "0b000000-0000-4000-8000-00000000000b"
OC = "0c000000-0000-4000-8000-00000000000c"
OD = "0d000000-0000-4000-8000-00000000000d"
OE = "0e000000-0000-4000-8000-00000000000e"
OF = "0f000000-0000-4000-8000-00000000000f"
OG = "10000000-0000-4000-8000-000000000010"
OH = "11000000-0000-4000-8000-000000000011"
OI = "12000000-0000-4000-8000-000000000012"


def pid(n: int, org_digit: str = "0") -> str:
    """Provider n's UUID."""
    return f"{org_digit}{n:07d}-1111-4111-8111-111111111111"


P1, P2, P3, P4, P5 = (pid(n, "a") for n in range(1, 6))
P6, P7 = pid(6, "b"), pid(7, "b")
PC = [pid(n, "c") for n in range(1, 6)]  # PC[0]..PC[4] = PC1..PC5
PD1, PE1, PF1, PG1, PH1 = pid(1, "d"), pid(1, "e"), pid(1, "f"), pid(1, "6"), pid(1, "7")

_FMT = "%Y-%m-%d %H:%M:%S"


def _at(text: str, seconds: int = 0) -> str:
    return (datetime.strptime(text, _FMT) + timedelta(seconds=seconds)).strftime(_FMT)


def job(
    key: str,
    org: str,
    provider: str,
    done: str,
    *,
    status: str | None = "Locked",
    feature: str | None = None,
    with_start: bool = False,
) -> list[dict[str, str | None]]:
    """A successful job: note_submit (done-60s), [summarize_start (done-30s)], summarize_success, status event."""
    submit_props: dict[str, str] = {"note_id": key}
    if feature:
        submit_props["feature"] = feature
    rows = [event(f"{key}-submit", "note_submit", _at(done, -60), org=org, provider=provider, props=submit_props)]
    if with_start:
        rows.append(
            event(f"{key}-start", "summarize_start", _at(done, -30), org=org, provider=provider, props={"note_id": key})
        )
    rows.append(event(f"{key}-ok", "summarize_success", done, org=org, provider=provider, props={"note_id": key}))
    if status is not None:
        name = "note_locked" if status == "Locked" else "note_review"
        rows.append(event(f"{key}-status", name, _at(done, 60), org=org, provider=provider, props={"note_id": key}))
    return rows


def _jobs(
    prefix: str, org: str, providers: list[str], first_done: str, *, review: int, with_start: bool = False
) -> list[dict[str, str | None]]:
    """len(providers) jobs completed one second apart from first_done; the first ``review`` are Review."""
    rows: list[dict[str, str | None]] = []
    for k, provider in enumerate(providers):
        status = "Review" if k < review else "Locked"
        rows += job(f"{prefix}{k:02d}", org, provider, _at(first_done, k), status=status, with_start=with_start)
    return rows


def _events() -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = []

    # ---------------------------------------------------------------- A: Alpha Clinic
    rows.append(event("a-org", "org_created", "2026-10-01 16:00:00", org=OA, props={"org_name": "Alpha Clinic"}))
    for n, provider in enumerate([P1, P2, P3, P4, P5], start=1):
        rows.append(
            event(
                f"a-prov{n}",
                "provider_created",
                f"2026-10-01 16:0{n}:00",
                org=OA,
                provider=provider,
                props={"role": "doctor"},
            )
        )
    # W0: P1 note (Locked, the first transcription), P4 auto_coding (Review): WAP 2, Locked 1/2
    rows += job("a-w0-p1", OA, P1, "2026-10-06 17:30:00")
    rows += job("a-w0-p4", OA, P4, "2026-10-07 17:30:00", status="Review", feature="auto_coding")
    # W1: P1 x3, P2, P3, all Locked: WAP 3, Locked 5/5
    rows += [r for s in (0, 10, 20) for r in job(f"a-w1-p1-{s}", OA, P1, f"2026-10-13 17:30:{s:02d}")]
    rows += job("a-w1-p2", OA, P2, "2026-10-14 17:30:00")
    rows += job("a-w1-p3", OA, P3, "2026-10-15 17:30:00")
    # W2: P1 x3 Locked, P2 and P3 Review: WAP 3, Locked 3/5 = 60% (the boundary qualifies)
    rows += [r for s in (0, 10, 20) for r in job(f"a-w2-p1-{s}", OA, P1, f"2026-10-20 18:30:{s:02d}")]
    rows += job("a-w2-p2", OA, P2, "2026-10-21 18:30:00", status="Review")
    rows += job("a-w2-p3", OA, P3, "2026-10-22 18:30:00", status="Review")
    # P5 only fails: a note_submit and a summarize_failed (Mon Oct 19 10:29/10:30 PDT)
    rows.append(
        event("a-fail-submit", "note_submit", "2026-10-19 17:29:00", org=OA, provider=P5, props={"note_id": "a-fail"})
    )
    rows.append(
        event(
            "a-fail-failed",
            "summarize_failed",
            "2026-10-19 17:30:00",
            org=OA,
            provider=P5,
            props={"note_id": "a-fail", "error_code": "E_UPSTREAM"},
        )
    )
    # W3 (DST week): P1 at Sat Oct 31 21:30 PDT (already November in UTC), P2 at Sun Nov 1 23:30 PST
    # (already Monday Nov 2 in UTC): WAP 2
    rows += job("a-w3-p1", OA, P1, "2026-11-01 04:30:00")
    rows += job("a-w3-p2", OA, P2, "2026-11-02 07:30:00")
    # W4 (as-of week): P2 on Tue Nov 3 10:30 PST: WAP 1
    rows += job("a-w4-p2", OA, P2, "2026-11-03 18:30:00")

    # ---------------------------------------------------------------- B: Beta Health
    rows.append(event("b-org", "org_signup", "2026-09-20 19:00:00", org=OB, props={"org_name": "Beta Health"}))
    rows.append(event("b-prov6", "provider_created", "2026-09-20 19:01:00", org=OB, provider=P6))
    rows.append(event("b-prov7", "provider_created", "2026-09-20 19:02:00", org=OB, provider=P7))
    rows += job("b-wm1-p6", OB, P6, "2026-09-29 17:30:00")  # W-1: WAP 1; W0: none
    rows += job("b-w1-p6", OB, P6, "2026-10-12 17:30:00")  # W1: WAP 2, Locked 2/2
    rows += job("b-w1-p7", OB, P7, "2026-10-12 18:30:00")
    rows += job("b-w2-p6a", OB, P6, "2026-10-19 18:30:00")  # W2: WAP 2, Locked 1/3
    rows += job("b-w2-p6b", OB, P6, "2026-10-19 18:30:10", status="Review")
    rows += job("b-w2-p7", OB, P7, "2026-10-19 18:30:20", status="Review")
    # W3: both at 01:30 local on Sun Nov 1 - P6 in PDT (08:30 UTC), P7 in PST (09:30 UTC)
    rows += job("b-w3-p6", OB, P6, "2026-11-01 08:30:00")
    rows += job("b-w3-p7", OB, P7, "2026-11-01 09:30:00")
    rows += job("b-w4-p6", OB, P6, "2026-11-02 18:30:00")  # W4: WAP 1 (Mon Nov 2 10:30 PST)

    # ---------------------------------------------------------------- C: 20 jobs, Review 10/20, paid
    # W2 (Tue Oct 20, 10:30 PDT): 16 jobs of PC1 x4, PC2..PC5 x3; the first 10 are Review. WAP 5.
    c_w2 = [PC[0]] * 4 + [PC[1]] * 3 + [PC[2]] * 3 + [PC[3]] * 3 + [PC[4]] * 3
    rows += _jobs("c-w2-", OC, c_w2, "2026-10-20 17:30:00", review=10)
    # W3 (Tue Oct 27, 10:30 PDT): PC1..PC4 once each, Locked. WAP 4 (a 20% drop).
    rows += _jobs("c-w3-", OC, PC[:4], "2026-10-27 17:30:00", review=0)

    # ---------------------------------------------------------------- D: 19 jobs in the window (+1 before)
    rows += job("d-old", OD, PD1, "2026-10-05 19:30:00", status="Review")  # 30 min before the window
    rows += _jobs("d-", OD, [PD1] * 19, "2026-10-21 17:30:00", review=19)

    # ---------------------------------------------------------------- E: 20 jobs, 2 errors per 40 attempts
    # Thu Oct 22 10:30 PDT: each job also has a summarize_start (attempts: 20 submits + 20 starts)
    rows += _jobs("e-", OE, [PE1] * 20, "2026-10-22 17:30:00", review=4, with_start=True)
    # five note_submits landed twice (same event id, ingested later): one attempt each, not two
    for k in range(5):
        rows.append(
            event(
                f"e-{k:02d}-submit",
                "note_submit",
                _at("2026-10-22 17:29:00", k),
                org=OE,
                provider=PE1,
                props={"note_id": f"e-{k:02d}"},
                ingest_ts="2026-10-22 18:00:00",
            )
        )

    # ---------------------------------------------------------------- F: 20 jobs, Review 15/20, not paid
    rows += _jobs("f-", OF, [PF1] * 20, "2026-10-23 17:30:00", review=15)

    # ---------------------------------------------------------------- G: 30 sessions
    # sessions g00..g28 on Wed Oct 21: session i starts at 16:00:00 + i s and (i >= 1) ends at
    # 16:00:00 + 61 i s, so it lasts 60 i s; g00 is a single event (a bounce).
    base = "2026-10-21 16:00:00"
    for i in range(29):
        rows.append(event(f"g{i:02d}-in", "login", _at(base, i), org=OG, provider=PG1, session=f"g-{i:02d}"))
        if i:
            rows.append(
                event(f"g{i:02d}-out", "page_view", _at(base, 61 * i), org=OG, provider=PG1, session=f"g-{i:02d}")
            )
    # a session that straddles the window start (Oct 5 19:30 -> 20:30 UTC): counts from its first event in the
    # window (seed 000 builds sessions from the window's events alone): one event at 20:30, 0 s, a bounce
    rows.append(event("g-old-in", "login", "2026-10-05 19:30:00", org=OG, provider=PG1, session="g-straddle"))
    rows.append(event("g-old-out", "page_view", "2026-10-05 20:30:00", org=OG, provider=PG1, session="g-straddle"))
    # a successful job of PG1 completed at 16:20:00 (1200 s after 16:00:00), outside any session
    rows += job("g-job", OG, PG1, "2026-10-21 16:20:00")

    # ---------------------------------------------------------------- H: 29 sessions in the window
    rows.append(event("h-org", "org_created", "2026-10-21 16:39:00", org=OH))
    for i in range(29):
        rows.append(
            event(f"h{i:02d}", "login", _at("2026-10-21 16:40:00", i), org=OH, provider=PH1, session=f"h-{i:02d}")
        )
    # a session that ended before the window (Oct 5 19:00 UTC): not counted
    rows.append(event("h-old", "login", "2026-10-05 19:00:00", org=OH, provider=PH1, session="h-old"))
    return rows


ANALYSES_EVENTS = _events()

ANALYSES_INVOICES = [
    # C: paid, period Oct 10 - Nov 10
    invoice(
        "in_C1",
        OC,
        start="2026-10-10 00:00:00",
        end="2026-11-10 00:00:00",
        status="paid",
        mrr="50000",
        product="Pro",
        quantity="5",
        customer="cus_C",
    ),
    # D: paid (D has too few jobs anyway)
    invoice(
        "in_D1",
        OD,
        start="2026-10-10 00:00:00",
        end="2026-11-10 00:00:00",
        status="paid",
        mrr="10000",
        product="Basic",
        quantity="1",
        customer="cus_D",
    ),
    # E: paid, period ended Oct 6 00:00 UTC - within the 30 days (they start Oct 5 20:00 UTC)
    invoice(
        "in_E1",
        OE,
        start="2026-09-06 00:00:00",
        end="2026-10-06 00:00:00",
        status="paid",
        mrr="20000",
        product="Basic",
        quantity="2",
        customer="cus_E",
    ),
    # F: paid until Oct 1 (before the window), then only an open invoice
    invoice(
        "in_F1",
        OF,
        start="2026-09-01 00:00:00",
        end="2026-10-01 00:00:00",
        status="paid",
        mrr="25000",
        product="Basic",
        quantity="2",
        customer="cus_F",
    ),
    invoice(
        "in_F2",
        OF,
        start="2026-10-15 00:00:00",
        end="2026-11-15 00:00:00",
        status="open",
        mrr="30000",
        product="Pro",
        quantity="3",
        customer="cus_F",
    ),
    # I: an org known only from billing
    invoice(
        "in_I1",
        OI,
        start="2026-10-01 00:00:00",
        end="2026-11-01 00:00:00",
        status="paid",
        mrr="5000",
        product="Basic",
        quantity="1",
        customer="cus_I",
    ),
]

ANALYSES_ERRORS = [
    # E: two errors in the window, a warning (not an error), an error before the window
    error("se-1", "2026-10-22 17:45:00", org=OE),
    error("se-2", "2026-10-22 17:46:00", level="fatal", org=OE),
    error("se-3", "2026-10-22 17:47:00", level="warning", org=OE),
    error("se-4", "2026-10-01 12:00:00", org=OE),
    # G: an error at 16:10:00 (600 s after 16:00:00) inside sessions g10..g28
    error("sg-1", "2026-10-21 16:10:00", org=OG),
]
