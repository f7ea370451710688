"""Deadlines, concurrency bounds: an expensive query is killed at its deadline while cheap
queries keep their normal latency; excess requests get 503 with Retry-After."""

from __future__ import annotations

import os
import statistics
import threading
import time

import httpx
import pytest
from sparql_server_util import start_server

from bibkg.server.settings import ServerSettings

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = {"person": "yaodong-yang", "event": "acl-2025"}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_expensive_query_stopped_cheap_query_unaffected(server) -> None:
    pool = server.app.state.executor
    before = set(pool._all)
    killed_before = pool.killed
    with httpx.Client(base_url=server.url, timeout=30) as c:
        baseline = []
        for _ in range(20):
            t = time.perf_counter()
            assert c.get("/queries/coauthors-at-event", params=CHEAP).status_code == 200
            baseline.append(time.perf_counter() - t)
        result: dict = {}

        def expensive() -> None:
            t = time.perf_counter()
            # from another client address: one address runs at most half the query slots
            # (fair_slots.FairSlots), so with 2 workers its own cheap queries would wait for it
            with httpx.Client(
                base_url=server.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2")
            ) as c2:
                result["response"] = c2.get("/sparql", params={"query": EXPENSIVE, "timeout": "1.0"})
            result["seconds"] = time.perf_counter() - t

        thread = threading.Thread(target=expensive)
        thread.start()
        time.sleep(0.2)  # the expensive query is now running in one worker
        during = []
        while thread.is_alive() and len(during) < 200:
            t = time.perf_counter()
            r = c.get("/queries/coauthors-at-event", params=CHEAP)
            during.append(time.perf_counter() - t)
            assert r.status_code == 200
        thread.join()
    response = result["response"]
    assert response.status_code == 504
    assert "deadline of 1 s" in response.text
    assert 0.9 <= result["seconds"] < 3.0
    assert len(during) >= 5
    # cheap queries kept their normal latency while the expensive one ran
    assert statistics.median(during) < max(0.05, 5 * statistics.median(baseline)), (during, baseline)
    # the worker was really killed (not left burning a core) and replaced
    assert pool.killed == killed_before + 1
    gone = before - set(pool._all)
    assert gone and not any(_pid_alive(pid) for pid in gone)
    deadline = time.monotonic() + 20
    while pool.alive < pool.size and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.alive == pool.size


@pytest.fixture(scope="module")
def tight_server(sample_store):
    running = start_server(
        ServerSettings(store_dir=sample_store.root, query_workers=1, query_timeout=1.5, queue_wait=0.2)
    )
    yield running
    running.stop()


def test_deadline_cannot_be_raised_and_busy_gets_503(tight_server) -> None:
    out: dict = {}

    def expensive() -> None:
        out["r"] = httpx.get(tight_server.url + "/sparql", params={"query": EXPENSIVE, "timeout": "100"}, timeout=30)

    thread = threading.Thread(target=expensive)
    thread.start()
    time.sleep(0.3)
    busy = httpx.get(tight_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
    thread.join()
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert "busy" in busy.text
    assert out["r"].status_code == 504 and "deadline of 1.5 s" in out["r"].text
    # and the server recovers
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r = httpx.get(tight_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        if r.status_code == 200:
            break
        time.sleep(0.1)
    assert r.status_code == 200 and r.json()["boolean"] is True
