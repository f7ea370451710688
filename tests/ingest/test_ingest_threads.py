"""The ingest's mapping workers start safely from a process that runs other threads (a server, a
test session): forking such a process can copy a lock held by another thread, and the child then
waits on it forever (seen: a full-corpus fixture hung after a test server's threads had run)."""

from __future__ import annotations

import threading
from pathlib import Path

from bibkg.ingest import map_corpus


def _summary(datadir: Path, jobs: int) -> list[tuple[str, int, int]]:
    return [(r.collection_id, r.papers, r.authorships) for r in map_corpus(datadir, jobs=jobs)]


def test_workers_start_beside_other_threads(sample_datadir: Path) -> None:
    alone = _summary(sample_datadir, 1)
    stop = threading.Event()
    lock = threading.Lock()

    def busy() -> None:  # holds a lock most of the time, as a serving thread would
        while not stop.is_set():
            with lock:
                stop.wait(0.001)

    thread = threading.Thread(target=busy, daemon=True)
    thread.start()
    try:
        assert threading.active_count() > 1
        assert _summary(sample_datadir, 2) == alone
    finally:
        stop.set()
        thread.join()
