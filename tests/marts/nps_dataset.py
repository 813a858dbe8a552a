"""A hand-built set of NPS responses, worked out by hand, and the rows to land it.

Business time zone America/Los_Angeles (PDT = UTC-7 all along). The as-of time is 2026-06-30 20:00 UTC
(13:00 PDT); D = 2026-06-30, whose 90-day window is 2026-04-02 .. 2026-06-30. Promoters score 9-10,
passives 7-8, detractors 0-6; NPS = 100 x (promoters - detractors) / responses.

| org | responses in D's window (score)                                  | P | Pa | D | n | NPS on D |
|-----|-------------------------------------------------------------------|---|----|---|---|----------|
| A   | a1 10, a2 9, a3 8, a4 7, a5 6, a6 3, a7 9, a8 10 (a 2 corrected)  | 4 | 2  | 2 | 8 | 25       |
| B   | b1 2, b2 5, b3 6, b4 8, b5 9                                      | 1 | 1  | 3 | 5 | -40      |
| C   | c1 0, c2 1                                                        | 0 | 0  | 2 | 2 | -100     |
| D   | (d1 5 on 2026-03-01: out of the window since 05-30)               | 0 | 0  | 0 | 0 | omitted  |
| -   | x1 10 with an org id that is not a UUID: global only              | 1 | 0  | 0 | 1 |          |

Global on D: 16 responses, 6 promoters, 3 passives, 7 detractors: NPS = 100 x (6 - 7) / 16 = -6.25.

Also: a9 (score 9, 2026-04-01) left A's window on D; on 2026-06-29 A had 9 responses (5 P, 2 Pa, 2 D):
NPS = 100 x 3 / 9 = 33.33. On 2026-04-01, A's first day, a9 alone: NPS 100. a8 landed twice: first as
score 2, then corrected to 10 (the last landed copy wins). b3 at 2026-06-20 06:30 UTC is 06-19 PDT. Org B's
id is written in upper case with spaces once. a10 (score 4, 2026-07-01) is after the as-of time: ignored.
"""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from vitals.config import Settings
from vitals.contracts import LOADED_AT_COLUMN, NPS_RESPONSES, RAW_SCHEMA, ROW_HASH_COLUMN
from vitals.ingest.sanitize import row_hash
from vitals.warehouse import open_warehouse

AS_OF = datetime(2026, 6, 30, 20, 0, 0)
D = date(2026, 6, 30)
OA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
OB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
OC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
OD = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
P1 = "11111111-1111-4111-8111-111111111111"

FIRST_LOAD = "2026-06-30T10:00:00.000000Z"
SECOND_LOAD = "2026-06-30T11:00:00.000000Z"


def response(
    response_id: str, org: str | None, score: int | str, at: str, *, loaded_at: str = FIRST_LOAD, **extra: str | None
) -> dict[str, str | None]:
    """One raw nps_responses row (every column text)."""
    row: dict[str, str | None] = {
        "response_id": response_id,
        "org_id": org,
        "provider_id": extra.get("provider_id"),
        "user_id": extra.get("user_id"),
        "score": str(score),
        "comment": extra.get("comment"),
        "responded_at": at,
    }
    row[ROW_HASH_COLUMN] = row_hash([row[c] for c in NPS_RESPONSES.column_names])
    row[LOADED_AT_COLUMN] = loaded_at
    return row


RESPONSES: list[dict[str, str | None]] = [
    response("a1", OA, 10, "2026-06-01 17:00:00", provider_id=P1, comment="Saves me an hour a day"),
    response("a2", OA, 9, "2026-06-02 17:00:00"),
    response("a3", OA, 8, "2026-06-03 17:00:00"),
    response("a4", OA, 7, "2026-06-04 17:00:00"),
    response("a5", OA, 6, "2026-06-05 17:00:00"),
    response("a6", OA, 3, "2026-06-06 17:00:00", comment="Too slow"),
    response("a7", OA, 9, "2026-06-07 17:00:00"),
    response("A8 ", OA, 2, "2026-06-08 17:00:00", loaded_at=FIRST_LOAD),
    response("a8", OA, 10, "2026-06-08 17:00:00", loaded_at=SECOND_LOAD),
    response("a9", OA, 9, "2026-04-01 18:00:00"),
    response("a10", OA, 4, "2026-07-01 17:00:00"),
    response("b1", OB, 2, "2026-06-15 17:00:00"),
    response("b2", f" {OB.upper()} ", 5, "2026-06-16 17:00:00"),
    response("b3", OB, 6, "2026-06-20 06:30:00"),
    response("b4", OB, 8, "2026-06-21 17:00:00"),
    response("b5", OB, 9, "2026-06-22 17:00:00"),
    response("c1", OC, 0, "2026-06-25 17:00:00"),
    response("c2", OC, 1, "2026-06-26 17:00:00"),
    response("d1", OD, 5, "2026-03-01 18:00:00"),
    response("x1", "org-42", 10, "2026-06-28 17:00:00"),
]


def land_responses(settings: Settings, rows: list[dict[str, str | None]]) -> None:
    """Append the rows to raw.nps_responses as text (creating the raw tables)."""
    columns = [*NPS_RESPONSES.column_names, ROW_HASH_COLUMN, LOADED_AT_COLUMN]
    table = pa.table({c: pa.array([r.get(c) for r in rows], type=pa.string()) for c in columns})
    with open_warehouse(settings) as warehouse:
        warehouse.ensure_raw_tables()
        warehouse.append_arrow(RAW_SCHEMA, NPS_RESPONSES.name, table)
