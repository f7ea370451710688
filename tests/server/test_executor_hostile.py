"""Careless and hostile clients against the query worker pool, on a real ``bibkg serve`` process
(issue 10 #7, #13, #5): a client that leaves frees its worker at once; tiny timeouts neither turn
every query into a kill nor make /health flap; a worker that died while idle is replaced without
the next query noticing; /health stays 200 through a deadline kill; BibTeX of a named query on
the full corpus is stopped at the same deadline as the query itself."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pool_process_util import EXPENSIVE, serve, wait_until_ok

from bibkg.store.local import LocalStore

CHEAP = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


class HealthProbe:
    """Probes /health every ``every`` seconds in a thread; statuses and latencies."""

    def __init__(self, url: str, every: float = 0.05) -> None:
        self.url, self.every = url + "/health", every
        self.statuses: list[int] = []
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    status = client.get(self.url).status_code
                except httpx.HTTPError:
                    status = 0
                self.latencies.append(time.perf_counter() - started)
                self.statuses.append(status)
                self._stop.wait(self.every)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(15)

    def failures(self) -> list[int]:
        return [s for s in self.statuses if s != 200]


def _health(url: str) -> dict:
    return httpx.get(url + "/health", timeout=5).json()


def _wait_for_workers(server, count: int, seconds: float = 15) -> None:
    end = time.monotonic() + seconds
    while len(server.workers()) < count and time.monotonic() < end:
        time.sleep(0.1)


def test_a_client_that_leaves_frees_its_worker_at_once(sample_store: LocalStore) -> None:
    """``curl -m 0.5`` on a heavy query used to keep the worker busy until the deadline."""
    with serve(sample_store.root, query_workers=1, BIBKG_QUERY_TIMEOUT=30, BIBKG_QUEUE_WAIT=0.3) as server:
        killed_before = _health(server.url)["killed"]
        with pytest.raises(httpx.TimeoutException):
            httpx.get(server.url + "/sparql", params={"query": EXPENSIVE}, timeout=0.5)
        left = time.monotonic()
        # the only query slot is free again well before the 30 s deadline
        while True:
            response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=10)
            if response.status_code == 200 or time.monotonic() - left > 5:
                break
            time.sleep(0.05)
        freed_after = time.monotonic() - left
        assert response.status_code == 200, response.text
        # the same client pays for the worker's replacement (~1 s), never for the 30 s deadline
        assert freed_after < 5, f"the worker stayed busy {freed_after:.2f} s after its client left"
        assert _health(server.url)["killed"] == killed_before + 1


def test_tiny_timeouts_do_not_kill_workers_or_flap_health(sample_store: LocalStore) -> None:
    """``timeout=1e-9`` on every request forced a kill and respawn each time (117 kills in 20 s,
    /health 503 on 29 of 69 probes) and ``_kill`` blocked the event loop."""
    with serve(sample_store.root, query_workers=2) as server:
        _wait_for_workers(server, 3)
        killed_before = _health(server.url)["killed"]

        def cheap(_: int) -> int:
            return httpx.get(server.url + "/sparql", params={"query": CHEAP, "timeout": "1e-9"}, timeout=30).status_code

        with HealthProbe(server.url) as probe, ThreadPoolExecutor(3) as clients:
            statuses = list(clients.map(cheap, range(30)))
        assert statuses == [200] * 30, statuses  # the deadline is raised to the minimum
        assert _health(server.url)["killed"] == killed_before
        assert probe.statuses and not probe.failures(), probe.statuses
        # heavy queries with a tiny timeout are killed (at the minimum deadline); health holds
        with HealthProbe(server.url) as probe:
            heavy = [
                httpx.get(server.url + "/sparql", params={"query": EXPENSIVE, "timeout": "1e-9"}, timeout=30)
                for _ in range(10)
            ]
        assert {r.status_code for r in heavy} <= {503, 504} and 504 in {r.status_code for r in heavy}
        assert probe.statuses and not probe.failures(), probe.statuses
        assert max(probe.latencies) < 1.0, f"/health took {max(probe.latencies):.2f} s (event loop blocked?)"
        # and the pool comes back to full strength
        _wait_for_workers(server, 3)
        assert len(server.workers()) == 3
        assert wait_until_ok(server.url + "/sparql?query=ASK%7B%7D", 10).status_code == 200


def test_a_worker_that_died_while_idle_is_replaced_transparently(sample_store: LocalStore) -> None:
    with serve(sample_store.root, query_workers=2) as server:
        _wait_for_workers(server, 3)
        for pid in server.workers():  # e.g. the OOM killer, or an operator's kill -9
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
        response = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["boolean"] is True
        assert httpx.get(server.url + "/health", timeout=5).status_code == 200


def test_health_stays_ok_through_a_deadline_kill(sample_store: LocalStore) -> None:
    """/health flapped to 503 for ~0.7 s after each deadline kill (no live worker until the
    respawn finished)."""
    with serve(sample_store.root, query_workers=1) as server:
        _wait_for_workers(server, 2)
        with HealthProbe(server.url, every=0.02) as probe:
            killed = httpx.get(server.url + "/sparql", params={"query": EXPENSIVE, "timeout": "0.5"}, timeout=30)
            time.sleep(1.5)
        assert killed.status_code == 504, killed.text
        assert len(probe.statuses) > 20 and not probe.failures(), probe.statuses


# --- the full corpus ------------------------------------------------------------------------------


@pytest.mark.corpus
def test_bibtex_of_a_named_query_has_the_deadline_of_the_query(corpus_store: LocalStore) -> None:
    """``/queries/papers-without-verified-authors?event=emnlp-2023`` was stopped at its deadline,
    the same query as ``.bib`` ran 100 s in process."""
    deadline = 3.0
    with serve(corpus_store.root, query_workers=2, BIBKG_QUERY_TIMEOUT=deadline) as server:
        params = {"event": "emnlp-2023"}
        started = time.monotonic()
        as_json = httpx.get(server.url + "/queries/papers-without-verified-authors", params=params, timeout=60)
        json_seconds = time.monotonic() - started
        started = time.monotonic()
        as_bib = httpx.get(server.url + "/queries/papers-without-verified-authors.bib", params=params, timeout=60)
        bib_seconds = time.monotonic() - started
        assert as_json.status_code == 504, (as_json.status_code, as_json.text[:300])
        assert as_bib.status_code == 504, (as_bib.status_code, as_bib.text[:300])
        assert "deadline of 3 s" in as_bib.text
        assert json_seconds < deadline + 3 and bib_seconds < deadline + 3, (json_seconds, bib_seconds)
        # the work really stopped: the server answers at once, pages and BibTeX still work
        assert httpx.get(server.url + "/health", timeout=5).status_code == 200
        page = httpx.get(server.url + "/people/adrian-lopez-monroy/", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "López" in page.text, page.text[:300]
        bib = httpx.get(server.url + "/2023.emnlp-main.1.bib", timeout=30)
        assert bib.status_code == 200 and "@inproceedings" in bib.text


def test_a_request_budget_stops_async_store_work_at_its_deadline(sample_store: LocalStore) -> None:
    """The entry point GraphQL-style async code uses (``Services.deadline``): a store query run
    in a thread under the budget goes to a worker and is killed at the deadline."""
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app
    from bibkg.server.executor import DeadlineExceeded
    from bibkg.server.settings import ServerSettings

    app = create_app(ServerSettings(store_dir=sample_store.root, query_workers=1, query_timeout=1.0))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        services = app.state.services
        pool = app.state.executor

        async def heavy_under_budget() -> float:
            started = time.monotonic()
            async with services.deadline():
                try:
                    await services.runner.query(EXPENSIVE)
                except DeadlineExceeded:
                    return time.monotonic() - started
            raise AssertionError("the query was not stopped")

        killed_before = pool.killed
        seconds = client.portal.call(heavy_under_budget)
        assert seconds < 3.0
        assert pool.killed == killed_before + 1
        assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True
