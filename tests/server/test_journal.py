"""The journal: durable appends with group commit, torn tails cut off on open, applied segments deleted."""

from __future__ import annotations

import threading
from pathlib import Path

from vitals.server.journal import HEADER, Entry, Journal, JournalRecord, frame, read_segment


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
    from tests.server.conftest import event, wait_for
    from vitals.server.app import create_app
    from vitals.server.runtime import journal_dir

    settings = make_settings("duckdb", tmp_path)
    # a journal left by an earlier process, holding a batch that cannot be applied
    earlier = Journal(journal_dir(settings), segment_bytes=1 << 20)
    earlier.open()
    earlier.submit(JournalRecord("b-broken", "no_such_table", "2026-12-01T10:00:00.000000Z", [["x"]])).result(10)
    earlier.close()
    with TestClient(create_app(settings, routers=[])) as client:
        assert client.get("/healthz").status_code == 200
        not_ready = wait_for(
            "the replay error", lambda: "no_such_table" in (r := client.get("/readyz")).json().get("reason", "") and r
        )
        assert not_ready.status_code == 503
        refused = client.post("/ingest/events", json=[event("evt-early")])
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert client.get("/api/v1/status").json()["ready"] is False
