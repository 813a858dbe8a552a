"""A hand-built dataset for the customer-success marts (health score, week-over-week move, churn risk).

As of 2026-06-30 20:00 UTC (13:00 in Los Angeles): the as-of business date D is 2026-06-30, D-7 is
2026-06-23 and D-30 is 2026-05-31. Every job starts at 17:00 UTC or a few minutes later (10:00 PDT),
so its business date is its UTC date. The expected values are worked out in test_customer_success.py.

| org | MRR (cents) | seats | providers |
|---|---|---|---|
| OA Alpha Clinic | 50000 | 4 | P1 doctor, P2 nurse |
| OB Beta Health | 80000 | 10 | P3 doctor, P5 nurse |
| OC Gamma Care | 20000 | 1 | P4 doctor |
| OD Delta Medical | 30000 | 1 | P6 doctor |
| OE (billing only) | 10000 | 5 | none |
| OF (churned in May) | 0 | 3 | none |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.transform.transform_dataset import event, invoice

AS_OF = datetime(2026, 6, 30, 20, 0, 0)

OA = "a0000000-0000-4000-8000-00000000000a"
OB = "b0000000-0000-4000-8000-00000000000b"
OC = "c0000000-0000-4000-8000-00000000000c"
OD = "d0000000-0000-4000-8000-00000000000d"
OE = "e0000000-0000-4000-8000-00000000000e"
OF = "f0000000-0000-4000-8000-00000000000f"
P1 = "00000000-0000-4000-8000-000000000001"
P2 = "00000000-0000-4000-8000-000000000002"
P3 = "00000000-0000-4000-8000-000000000003"
P4 = "00000000-0000-4000-8000-000000000004"
P5 = "00000000-0000-4000-8000-000000000005"
P6 = "00000000-0000-4000-8000-000000000006"

ORG_NAMES = {OA: "Alpha Clinic", OB: "Beta Health", OC: "Gamma Care", OD: "Delta Medical"}
PROVIDERS = {
    P1: (OA, "doctor"),
    P2: (OA, "nurse"),
    P3: (OB, "doctor"),
    P5: (OB, "nurse"),
    P4: (OC, "doctor"),
    P6: (OD, "doctor"),
}


@dataclass(frozen=True)
class Job:
    """One summarization job: its day, outcome and timings."""

    provider: str
    day: str
    ok: bool = True
    review: bool = False
    turnaround_s: int = 300
    summarize_s: int = 30


def _jobs() -> list[Job]:
    jobs: list[Job] = []
    # P1 (OA): 10 notes in the week ending D-7 (5 taking 200 s / 20 s on Jun 18, 5 taking 400 s / 40 s on
    # Jun 22: medians 300 s and 30 s); 5 notes (300 s / 30 s) on Jun 26 and one failed job on Jun 27.
    jobs += [Job(P1, "2026-06-18", turnaround_s=200, summarize_s=20) for _ in range(5)]
    jobs += [Job(P1, "2026-06-22", turnaround_s=400, summarize_s=40) for _ in range(5)]
    jobs += [Job(P1, "2026-06-26") for _ in range(5)]
    jobs += [Job(P1, "2026-06-27", ok=False)]
    # P2 (OA): the same 3 notes both weeks (Jun 19 and Jun 25): 800/900/1000 s, 80/90/100 s, one review.
    for day in ("2026-06-19", "2026-06-25"):
        jobs += [
            Job(P2, day, review=True, turnaround_s=800, summarize_s=80),
            Job(P2, day, turnaround_s=900, summarize_s=90),
            Job(P2, day, turnaround_s=1000, summarize_s=100),
        ]
    # P3 (OB): one note a day Jun 18-20; on Jun 28, 8 notes (4 sent to review) and 2 failed jobs.
    jobs += [Job(P3, day) for day in ("2026-06-18", "2026-06-19", "2026-06-20")]
    jobs += [Job(P3, "2026-06-28", review=i < 4) for i in range(8)]
    jobs += [Job(P3, "2026-06-28", ok=False) for _ in range(2)]
    # P5 (OB): a single note on Jun 20, then nothing.
    jobs += [Job(P5, "2026-06-20")]
    # P4 (OC): 5 notes on the as-of day itself.
    jobs += [Job(P4, "2026-06-30") for _ in range(5)]
    # P6 (OD): 10 notes in the week ending D-30 (May 28 and May 31), then 2 notes on Jun 29.
    jobs += [Job(P6, "2026-05-28") for _ in range(5)]
    jobs += [Job(P6, "2026-05-31") for _ in range(5)]
    jobs += [Job(P6, "2026-06-29") for _ in range(2)]
    return jobs


JOBS = _jobs()


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _events() -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = []
    for org, name in ORG_NAMES.items():
        rows.append(event(f"org-{name}", "org_created", "2026-05-01 16:00:00", org=org, props={"org_name": name}))
    for provider, (org, role) in PROVIDERS.items():
        rows.append(
            event(
                f"prov-{provider}",
                "provider_created",
                "2026-05-02 16:00:00",
                org=org,
                provider=provider,
                props={"role": role},
            )
        )
    per_day: dict[tuple[str, str], int] = {}
    for number, job in enumerate(JOBS):
        org = PROVIDERS[job.provider][0]
        index = per_day.get((job.provider, job.day), 0)
        per_day[(job.provider, job.day)] = index + 1
        start = datetime.fromisoformat(f"{job.day} 17:00:00") + timedelta(minutes=index)
        note = f"note-{number}"
        common = {"org": org, "provider": job.provider}
        rows.append(event(f"j{number}-submit", "note_submit", _stamp(start), props={"note_id": note}, **common))
        if not job.ok:
            failed = _stamp(start + timedelta(seconds=10))
            rows.append(event(f"j{number}-failed", "summarize_failed", failed, props={"note_id": note}, **common))
            continue
        done = start + timedelta(seconds=job.turnaround_s)
        summarize_start = _stamp(done - timedelta(seconds=job.summarize_s))
        rows.append(event(f"j{number}-start", "summarize_start", summarize_start, props={"note_id": note}, **common))
        rows.append(event(f"j{number}-success", "summarize_success", _stamp(done), props={"note_id": note}, **common))
        status = "note_review" if job.review else "note_locked"
        closed = _stamp(done + timedelta(seconds=60))
        rows.append(event(f"j{number}-status", status, closed, props={"note_id": note}, **common))
    return rows


EVENTS = _events()


def _invoice(
    org: str,
    mrr: int,
    seats: int,
    *,
    start: str = "2026-06-15 00:00:00",
    end: str = "2026-07-15 00:00:00",
    churn: str = "false",
) -> dict[str, str | None]:
    return invoice(
        f"in_{org[:1]}",
        org,
        start=start,
        end=end,
        status="paid",
        mrr=str(mrr),
        product="Pro",
        quantity=str(seats),
        customer=f"cus_{org[:1]}",
        churn=churn,
    )


INVOICES = [
    _invoice(OA, 50000, 4),
    _invoice(OB, 80000, 10),
    _invoice(OC, 20000, 1),
    _invoice(OD, 30000, 1),
    _invoice(OE, 10000, 5),
    # OF churned: its last invoice ended May 1, so it pays nothing at D
    _invoice(OF, 15000, 3, start="2026-04-01 00:00:00", end="2026-05-01 00:00:00", churn="true"),
]
