"""A snapshot in use is never deleted; a worker that dies is always replaceable (issue 10 #3).

The attack: serve store S, ingest into S twice (the second ingest pruned the snapshot the server
had open), then let a query hit its deadline: the killed worker could not respawn
(``No such file or directory: …/snapshots/<old>/CURRENT``) and /health answered 503 for good.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from pool_process_util import EXPENSIVE, serve, wait_until_ok

from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore


def _ingest(datadir: Path, store: LocalStore) -> Path:
    run_ingest(datadir, store, jobs=1)
    snapshot = store.current_snapshot()
    assert snapshot is not None
    return snapshot


def test_an_ingest_never_deletes_a_snapshot_a_reader_holds(tmp_path: Path, sample_datadir: Path, sample_copy) -> None:
    store = sample_copy(tmp_path / "store")
    first = store.current_snapshot()
    assert first is not None
    reader = OxigraphStore.open(store)  # as the server opens it: under a lease
    second = _ingest(sample_datadir, store)
    third = _ingest(sample_datadir, store)  # the pruning that used to delete `first`
    assert len({first, second, third}) == 3
    assert (first / "CURRENT").is_file(), "the snapshot a reader has open was deleted"
    assert bool(reader.query("ASK { ?s ?p ?o }"))
    reader.close()  # the lease ends with the reader (or with its process)
    _ingest(sample_datadir, store)
    assert not first.exists(), "an unleased old snapshot is pruned by the next ingest"
    kept = {p.name for p in (store.root / "snapshots").iterdir()}
    assert len(kept) <= 2 and store.files_dir(first).exists() is False


def test_server_survives_two_ingests_and_a_deadline_kill(tmp_path: Path, sample_datadir: Path, sample_copy) -> None:
    store = sample_copy(tmp_path / "store")
    served_snapshot = store.current_snapshot()
    assert served_snapshot is not None
    # BIBKG_FOLLOW_INTERVAL=0: the server keeps serving its first snapshot (a following server
    # would move on and release it: tests/server/test_follow_store.py)
    with serve(store.root, query_workers=2, BIBKG_QUEUE_WAIT=3, BIBKG_FOLLOW_INTERVAL=0) as server:
        _ingest(sample_datadir, store)
        _ingest(sample_datadir, store)
        started = time.monotonic()
        with ThreadPoolExecutor(2) as pool:  # both query workers killed at their deadline
            killed = list(pool.map(
                lambda _: httpx.get(server.url + "/sparql", params={"query": EXPENSIVE, "timeout": "1"}, timeout=30),
                range(2),
            ))  # fmt: skip
        assert [r.status_code for r in killed] == [504, 504], [r.text for r in killed]
        assert time.monotonic() - started < 5
        # the killed worker is replaced: queries keep working, /health stays 200
        ask = wait_until_ok(server.url + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", 10)
        assert ask.status_code == 200 and ask.json()["boolean"] is True, ask.text
        named = httpx.get(server.url + "/queries/person-papers", params={"person": "yaodong-yang"}, timeout=30)
        assert named.status_code == 200, named.text
        deadline = time.monotonic() + 10
        while len(server.workers()) < 3 and time.monotonic() < deadline:  # 2 workers + 1 spare
            time.sleep(0.1)
        health = httpx.get(server.url + "/health", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        assert "No such file" not in server.output()
        assert (served_snapshot / "CURRENT").is_file(), "the snapshot the server reads was pruned"
    # the server is gone: its lease with it, so the next ingest prunes that snapshot
    _ingest(sample_datadir, store)
    assert not served_snapshot.exists()


def test_a_pool_that_cannot_start_workers_says_why(tmp_path: Path, sample_copy) -> None:
    """An operator deleted the snapshot by hand and every worker died: no flapping, a clear
    error on /health and on queries."""
    store = sample_copy(tmp_path / "store")
    snapshot = store.current_snapshot()
    assert snapshot is not None
    with serve(store.root, query_workers=1, BIBKG_QUEUE_WAIT=1) as server:
        shutil.rmtree(snapshot)
        for pid in server.workers():
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        health = httpx.get(server.url + "/health", timeout=5)
        while "error" not in health.json() and time.monotonic() < deadline:
            time.sleep(0.2)
            health = httpx.get(server.url + "/health", timeout=5)
        assert health.status_code == 503
        assert "no query worker can be started" in health.json()["error"], health.text
        query = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=10)
        assert query.status_code == 503 and "no query worker can be started" in query.text, query.text
        assert "Retry-After" in query.headers
        assert server.proc.poll() is None, "the server stays up and keeps retrying"


@pytest.fixture(autouse=True)
def _no_stray_store_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIBKG_STORE", raising=False)
