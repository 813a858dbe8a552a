"""The rows acknowledged by the server but not in the raw tables yet: the journal's pending records.

`vitals serve` applies journalled batches to the raw tables within a second, except while a build runs: the
build holds the writer lock for its whole run (and builds grow with the data), so what was acknowledged
meanwhile waits in the journal. The server registers its writer's ``pending_records`` here; the real-time
windows add those rows to the feed's, in memory only (they reach the feed from the raw tables once applied).
Outside the server nothing is registered and nothing is pending.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol


class PendingRecord(Protocol):
    """A journal record: its raw table and rows (contract columns, then ``_row_hash``)."""

    @property
    def table(self) -> str: ...

    @property
    def rows(self) -> list[list[str | None]]: ...


PendingSource = Callable[[], Sequence[PendingRecord]]

_lock = threading.Lock()
_source: PendingSource | None = None


def register(source: PendingSource | None) -> None:
    """Set (or, with None, clear) where pending journal records come from."""
    global _source
    with _lock:
        _source = source


def pending(table: str) -> list[list[str | None]]:
    """The pending rows of one raw table (empty outside the server)."""
    with _lock:
        source = _source
    if source is None:
        return []
    return [row for record in source() if record.table == table for row in record.rows]
