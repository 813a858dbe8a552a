"""Write-ahead journal of accepted batches: append with group commit, read back after a restart.

The journal is a directory of append-only segment files (``00000001.wal``, ...). A record is framed as
``b"VJ01"``, the payload length and its CRC-32 (big-endian, 4 bytes each), then the payload (JSON of
one ``JournalRecord``). ``submit`` queues a record and returns a future (``commit`` is the same for an
asyncio caller: one wake-up of its event loop per group commit, not one per record); one committer thread
writes everything queued, calls ``fsync`` once for all of it (group commit: concurrent requests share one
fsync) and only then resolves the futures, so a caller that acknowledges after its future resolved
never acknowledges anything a crash could lose.

After a crash the last segment may end in a torn record (its writer was never told it committed); on
``open`` it is cut off there. New records always go to a fresh segment. A segment that is no longer
written to is deleted once every record in it is reported applied (``mark_applied``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import struct
import threading
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from vitals.errors import VitalsError

log = logging.getLogger("vitals.server.journal")

MAGIC = b"VJ01"
HEADER = struct.Struct(">4sII")
"""magic, payload length, CRC-32 of the payload."""
SUFFIX = ".wal"


class JournalError(VitalsError):
    """The journal cannot be used; the message names the file."""


@dataclass(frozen=True)
class JournalRecord:
    """One accepted batch: the raw table it goes to and its rows (contract columns, then ``_row_hash``)."""

    batch_id: str
    table: str
    received_at: str
    rows: list[list[str | None]]

    def encode(self) -> bytes:
        """The record's payload bytes."""
        body = {"batch_id": self.batch_id, "table": self.table, "received_at": self.received_at, "rows": self.rows}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def decode(cls, payload: bytes) -> JournalRecord:
        """A record from its payload bytes."""
        body = json.loads(payload.decode("utf-8"))
        return cls(body["batch_id"], body["table"], body["received_at"], body["rows"])


@dataclass(frozen=True)
class Entry:
    """A committed record and the segment holding it."""

    segment: int
    record: JournalRecord


def frame(payload: bytes) -> bytes:
    """A payload with its header."""
    return HEADER.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


def read_segment(path: Path) -> tuple[list[JournalRecord], int]:
    """The complete records of a segment file and the byte offset where they end (a torn or corrupt
    tail, if any, starts there)."""
    data = path.read_bytes()
    records: list[JournalRecord] = []
    offset = 0
    while offset + HEADER.size <= len(data):
        magic, length, crc = HEADER.unpack_from(data, offset)
        start = offset + HEADER.size
        payload = data[start : start + length]
        if magic != MAGIC or len(payload) != length or zlib.crc32(payload) != crc:
            break
        try:
            records.append(JournalRecord.decode(payload))
        except (ValueError, KeyError):
            break
        offset = start + length
    return records, offset


@dataclass
class _Pending:
    payload: bytes
    record: JournalRecord
    future: Future[None] | asyncio.Future[None]
    """A thread caller's future, or an asyncio caller's (resolved from its own loop's thread)."""


class Journal:
    """The journal directory: recovered records on ``open``, then durable appends."""

    def __init__(
        self, directory: Path, *, segment_bytes: int, on_commit: Callable[[Sequence[Entry]], None] | None = None
    ) -> None:
        self.directory = directory
        self.segment_bytes = segment_bytes
        self.on_commit = on_commit
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._counts_lock = threading.Lock()
        self._written: dict[int, int] = {}
        self._applied: dict[int, int] = {}
        self._oldest: dict[int, str] = {}
        """Per segment on disk: the smallest batch id in it."""
        self._segment = 0
        self._fd = -1
        self._size = 0
        self._thread: threading.Thread | None = None
        self.commits = 0
        """Group commits (fsyncs) so far."""
        self.records_committed = 0

    def open(self) -> list[Entry]:
        """Read every segment (cutting a torn tail off), open a fresh segment for appends and start the
        committer; return the recovered records in journal order."""
        self.directory.mkdir(parents=True, exist_ok=True)
        recovered: list[Entry] = []
        segments = sorted(p for p in self.directory.iterdir() if p.suffix == SUFFIX and p.stem.isdigit())
        for path in segments:
            number = int(path.stem)
            records, end = read_segment(path)
            if end < path.stat().st_size:
                log.warning("journal %s: cutting off a torn record at byte %d (it was never acknowledged)", path, end)
                with path.open("r+b") as handle:
                    handle.truncate(end)
                    os.fsync(handle.fileno())
            recovered.extend(Entry(number, r) for r in records)
            if records:
                self._oldest[number] = min(r.batch_id for r in records)
            self._written[number] = len(records)
            self._applied[number] = 0
            self._segment = max(self._segment, number)
        self._open_segment(self._segment + 1)
        for path in segments:  # empty leftovers of earlier runs
            if self._written.get(int(path.stem)) == 0:
                self._delete(int(path.stem))
        self._thread = threading.Thread(target=self._commit_loop, name="vitals-journal", daemon=True)
        self._thread.start()
        return recovered

    def submit(self, record: JournalRecord) -> Future[None]:
        """Queue a record; the future resolves once it is on disk (fsync'd), or fails with the write error."""
        future: Future[None] = Future()
        if self._thread is None or not self._thread.is_alive():
            future.set_exception(JournalError(f"journal {self.directory} is not open"))
            return future
        self._queue.put(_Pending(record.encode(), record, future))
        return future

    async def commit(self, record: JournalRecord) -> None:
        """Queue a record and wait until it is on disk (fsync'd); raises the write error."""
        if self._thread is None or not self._thread.is_alive():
            raise JournalError(f"journal {self.directory} is not open")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put(_Pending(record.encode(), record, future))
        await future

    def mark_applied(self, entries: Sequence[Entry]) -> None:
        """Count records as applied to the warehouse; delete closed segments whose records all are."""
        done: list[int] = []
        with self._counts_lock:
            for entry in entries:
                self._applied[entry.segment] = self._applied.get(entry.segment, 0) + 1
            for number, written in self._written.items():
                if number != self._segment and self._applied.get(number, 0) >= written:
                    done.append(number)
            for number in done:
                self._written.pop(number, None)
                self._applied.pop(number, None)
                self._oldest.pop(number, None)
        for number in done:
            self._delete(number)

    def oldest_batch_id(self) -> str | None:
        """The smallest batch id still in a segment on disk (None: the journal holds no record). A batch
        with a smaller id can never be replayed again."""
        with self._counts_lock:
            return min(self._oldest.values()) if self._oldest else None

    def segments(self) -> list[Path]:
        """The segment files on disk, oldest first."""
        return sorted(p for p in self.directory.iterdir() if p.suffix == SUFFIX)

    def close(self) -> None:
        """Commit what is queued, stop the committer and close the segment."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _path(self, number: int) -> Path:
        return self.directory / f"{number:08d}{SUFFIX}"

    def _open_segment(self, number: int) -> None:
        fd = os.open(self._path(number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _fsync_directory(self.directory)
        old = self._fd
        with self._counts_lock:
            self._fd, self._segment, self._size = fd, number, 0
            self._written.setdefault(number, 0)
            self._applied.setdefault(number, 0)
        if old >= 0:
            os.close(old)

    def _delete(self, number: int) -> None:
        try:
            self._path(number).unlink()
        except FileNotFoundError:
            return
        log.info("journal segment %s applied and deleted", self._path(number).name)

    def _commit_loop(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while True:  # everything that queued up during the previous fsync shares this one
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        data = b"".join(frame(item.payload) for item in batch)
        try:
            _write_all(self._fd, data)
            os.fsync(self._fd)
        except OSError as exc:
            log.error("journal write failed (%s); %d batch(es) not acknowledged", exc, len(batch))
            try:  # leave no partial record behind the last complete one
                os.ftruncate(self._fd, self._size)
            except OSError:
                log.error("journal %s could not be truncated after a failed write", self._path(self._segment))
            _resolve(batch, JournalError(f"journal write failed: {exc}"))
            return
        segment = self._segment
        with self._counts_lock:
            self._size += len(data)
            self._written[segment] = self._written.get(segment, 0) + len(batch)
            oldest = min(item.record.batch_id for item in batch)
            self._oldest[segment] = min(self._oldest.get(segment, oldest), oldest)
        self.commits += 1
        self.records_committed += len(batch)
        if self.on_commit is not None:
            try:
                self.on_commit([Entry(segment, item.record) for item in batch])
            except Exception:  # the records are durable; a restart applies them
                log.exception("handing committed journal records to the writer failed")
        _resolve(batch, None)
        if self._size >= self.segment_bytes:
            self._open_segment(segment + 1)
            self.mark_applied([])  # the closed segment may already be fully applied


def _resolve(batch: list[_Pending], error: Exception | None) -> None:
    """Resolve every future of a commit group: thread futures here, each event loop's in one callback."""
    threads: list[Future[None]] = []
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for item in batch:
        if isinstance(item.future, asyncio.Future):
            by_loop.setdefault(item.future.get_loop(), []).append(item.future)
        else:
            threads.append(item.future)
    _settle(threads, error)
    for loop, futures in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for these any more
            loop.call_soon_threadsafe(_settle, futures, error)


def _settle(futures: Sequence[Future[None] | asyncio.Future[None]], error: Exception | None) -> None:
    for future in futures:
        if future.done():  # the waiting caller gave up (a request whose client went away)
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: Path) -> None:
    """Make a created (or deleted) file's directory entry durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
