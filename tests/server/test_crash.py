"""kill -9 mid-burst, restart: every acknowledged batch is in raw.events_big exactly once.

Eight clients post batches of distinct events as fast as the server acknowledges them; once enough
were acknowledged the server is killed with SIGKILL (no shutdown, no flush), while requests are in
flight. After a restart the journal is replayed; then every event of every acknowledged batch must
be in the raw table once, and no event twice (including from batches never acknowledged).
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx

from tests.server.conftest import ServerProcess, event, wait_for
from vitals.config import Settings
from vitals.warehouse import open_warehouse

CLIENTS = 8
BATCH = 25
KILL_AFTER = 120
"""Acknowledged batches before the kill."""


def test_kill_mid_burst_loses_nothing_acknowledged_and_applies_nothing_twice(
    server_settings: Settings, tmp_path: Path
) -> None:
    server = ServerProcess(server_settings, tmp_path).start()
    acknowledged: dict[str, list[str]] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def client(number: int) -> None:
        with httpx.Client(timeout=10.0) as http:
            sequence = 0
            while not stop.is_set():
                ids = [f"evt-{number}-{sequence}-{i}" for i in range(BATCH)]
                sequence += 1
                try:
                    response = server.post_events([event(i) for i in ids], client=http)
                except httpx.HTTPError:
                    continue  # the server is gone: this batch was never acknowledged
                if response.status_code == 200:
                    with lock:
                        acknowledged[response.json()["batch_id"]] = ids

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        wait_for("enough acknowledged batches", lambda: len(acknowledged) >= KILL_AFTER, timeout=120)
        server.kill()  # mid-burst: the clients are still posting
        wait_for("a refused request after the kill", lambda: _refused(server.url))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    acked = dict(acknowledged)
    assert len(acked) >= KILL_AFTER

    restarted = ServerProcess(server_settings, tmp_path).start()
    status = restarted.wait_applied()
    assert status["journal"]["recovered_at_start"] >= len(acked)
    restarted.stop()

    with open_warehouse(server_settings) as warehouse:
        counts = Counter(
            row[0] for row in warehouse.query("select event_id from raw.events_big where event_id like 'evt-%'")
        )
    expected = {event_id for ids in acked.values() for event_id in ids}
    missing = expected - set(counts)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"
    twice = {event_id: n for event_id, n in counts.items() if n > 1}
    assert not twice, f"events applied more than once: {list(twice.items())[:3]}"
    # the replay found the batches applied before the kill and skipped them
    assert (
        status["journal"]["skipped_batches"] + status["journal"]["applied_batches"]
        == status["journal"]["recovered_at_start"]
    )


def _refused(url: str) -> bool:
    try:
        httpx.get(url + "/healthz", timeout=1.0)
    except httpx.HTTPError:
        return True
    return False
