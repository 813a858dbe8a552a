"""The journal: durable appends with group commit, torn tails cut off on open, applied segments deleted."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from vitals.server.journal import HEADER, Entry, Journal, JournalError, JournalRecord, frame, read_segment


def record(n: int, rows: int = 2) -> JournalRecord:
    return JournalRecord(
        f"b{n:06d}", "events_big", "2026-12-01T10:00:00.000000Z", [[f"e{n}-{i}", None] for i in range(rows)]
    )


def test_committed_records_come_back_after_a_restart(tmp_path: Path) -> None:
    committed: list[Entry] = []
    journal = Journal(tmp_path, segment_bytes=1 << 20, on_commit=committed.extend)
    assert journal.open() == []
    for n in range(5):
        journal.submit(record(n)).result(timeout=10)
    journal.close()
    assert [e.record for e in committed] == [record(n) for n in range(5)]

    again = Journal(tmp_path, segment_bytes=1 << 20)
    recovered = again.open()
    again.close()
    assert [e.record for e in recovered] == [record(n) for n in range(5)]
    assert {e.segment for e in recovered} == {1}


def test_concurrent_submits_share_fsyncs(tmp_path: Path) -> None:
    journal = Journal(tmp_path, segment_bytes=1 << 30)
    journal.open()
    start = threading.Barrier(16)

    def writer(k: int) -> None:
        start.wait()
        for n in range(50):
            journal.submit(record(k * 1000 + n)).result(timeout=30)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal.close()
    assert journal.records_committed == 800
    assert journal.commits < 800  # group commit: waiting records were written with one fsync
    records, _ = read_segment(journal.segments()[-1])
    assert len(records) == 800 and len({r.batch_id for r in records}) == 800


def test_a_torn_tail_is_cut_off(tmp_path: Path) -> None:
    good = b"".join(frame(record(n).encode()) for n in range(3))
    torn = frame(record(3).encode())[: HEADER.size + 5]
    (tmp_path / "00000001.wal").write_bytes(good + torn)
    journal = Journal(tmp_path, segment_bytes=1 << 20)
    recovered = journal.open()
    journal.submit(record(4)).result(timeout=10)
    journal.close()
    assert [e.record.batch_id for e in recovered] == ["b000000", "b000001", "b000002"]
    assert (tmp_path / "00000001.wal").read_bytes() == good
    # a corrupt record (bad checksum) ends the readable part the same way
    flipped = bytearray(good)
    flipped[-3] ^= 0xFF
    (tmp_path / "00000001.wal").write_bytes(bytes(flipped))
    assert [r.batch_id for r in read_segment(tmp_path / "00000001.wal")[0]] == ["b000000", "b000001"]


def test_closed_segments_are_deleted_once_applied(tmp_path: Path) -> None:
    committed: list[Entry] = []
    journal = Journal(tmp_path, segment_bytes=200, on_commit=committed.extend)
    journal.open()
    for n in range(6):
        journal.submit(record(n)).result(timeout=10)
    segments = journal.segments()
    assert len(segments) >= 3  # each record fills a 200-byte segment
    journal.mark_applied(committed[:-1])
    remaining = journal.segments()
    # only the segment still written to and the one holding the unapplied record are left
    assert committed[-1].segment in {int(p.stem) for p in remaining}
    assert len(remaining) <= 2
    journal.mark_applied(committed[-1:])
    journal.close()
    assert len(journal.segments()) == 1  # the current (empty) segment
    reopened = Journal(tmp_path, segment_bytes=200)
    assert reopened.open() == []
    reopened.close()


def test_not_ready_until_the_journal_is_replayed(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from tests.conftest import make_settings
    from tests.server.conftest import event, make_tokens, wait_for
    from vitals.server.app import create_app
    from vitals.server.runtime import journal_dir

    settings = make_settings("duckdb", tmp_path)
    # a journal left by an earlier process, holding a batch that cannot be applied
    earlier = Journal(journal_dir(settings), segment_bytes=1 << 20)
    earlier.open()
    earlier.submit(JournalRecord("b-broken", "no_such_table", "2026-12-01T10:00:00.000000Z", [["x"]])).result(10)
    earlier.close()
    ingest, admin = make_tokens(settings, "journal")
    with TestClient(create_app(settings, routers=[])) as client:
        assert client.get("/healthz").status_code == 200
        not_ready = wait_for(
            "the replay error", lambda: "no_such_table" in (r := client.get("/readyz")).json().get("reason", "") and r
        )
        assert not_ready.status_code == 503
        refused = client.post(
            "/ingest/events", json=[event("evt-early")], headers={"Authorization": f"Bearer {ingest}"}
        )
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert client.get("/api/v1/status", headers={"Authorization": f"Bearer {admin}"}).json()["ready"] is False


@pytest.mark.parametrize(("segment_bytes", "kept"), [(600, 0), (1 << 20, 12)])
def test_applied_batch_ids_are_forgotten_once_no_segment_holds_them(
    tmp_path: Path, segment_bytes: int, kept: int
) -> None:
    from tests.conftest import make_settings
    from vitals.contracts import EVENTS
    from vitals.server.writer import Writer
    from vitals.warehouse import open_warehouse

    settings = make_settings("duckdb", tmp_path)
    writer = Writer(settings)
    writer.open()
    journal = Journal(tmp_path / "journal", segment_bytes=segment_bytes, on_commit=writer.enqueue)
    writer.on_applied = journal.mark_applied
    writer.journal_floor = journal.oldest_batch_id
    writer.prune_every_seconds = 0
    journal.open()
    width = len(EVENTS.column_names) + 1

    def batch(n: int) -> JournalRecord:
        row: list[str | None] = [f"evt-{n}", *[None] * (width - 2), f"hash-{n}"]
        return JournalRecord(f"b{n:06d}", "events_big", "2026-12-01T10:00:00.000000Z", [row])

    for n in range(12):
        journal.submit(batch(n)).result(10)
        writer.drain()
    with writer.lock:
        remembered = [r[0] for r in writer.warehouse.query("select batch_id from raw._journal_batches order by 1")]
    segments = len(journal.segments())
    journal.close()
    writer.stop()
    # small segments: each closed once applied, so no id needs remembering; one large segment: all do
    assert len(remembered) == kept
    assert segments == 1
    with open_warehouse(settings) as warehouse:
        assert warehouse.query("select count(*) from raw.events_big")[0][0] == 12


def test_asyncio_commits_share_one_wake_up_per_group_and_fail_when_closed(tmp_path: Path) -> None:
    journal = Journal(tmp_path, segment_bytes=1 << 20)
    journal.open()

    async def burst() -> None:
        await asyncio.gather(*(journal.commit(record(n)) for n in range(200)))

    run_on_own_loop(burst)
    assert journal.records_committed == 200
    assert journal.commits < 200  # records queued during an fsync went out with the next one
    journal.close()
    assert [e.record for e in read_all(tmp_path)] == [record(n) for n in range(200)]
    with pytest.raises(JournalError, match="not open"):
        run_on_own_loop(lambda: journal.commit(record(999)))


def run_on_own_loop(make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """Run a coroutine to its end on a new event loop in a thread of its own: the test's thread may already
    hold a running loop (left by a browser or HTTP test run earlier in the same worker)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(make())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def read_all(directory: Path) -> list[Entry]:
    again = Journal(directory, segment_bytes=1 << 20)
    try:
        return again.open()
    finally:
        again.close()
