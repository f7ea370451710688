"""Hostile GraphQL requests (issue 10) against a real server process (``python -m bibkg serve``).

Each server is a subprocess on 127.0.0.1, started with this interpreter's environment (so
``PYTHONPATH`` chooses the code under test), on a copy of the bundled sample ingested here:

* a fragment bomb (F0…F30, each spreading the next twice: 2³⁰ expansions in 1.2 KB) is refused
  with 400 within a second, while /health keeps answering, and SIGTERM still stops the server;
* a body over the limit is 413 — declared or chunked — and a long argument 400;
* a request past its deadline is 504 with the error code ``DEADLINE``;
* on the full corpus (skipped without it), ``venues { papers(first: 99) … }`` is refused by cost:
  the cost model counts the 427 venues of the data.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpora" / "acl-anthology-2024-08" / "data"
GRJ = "application/graphql-response+json"


def bomb(k: int = 30, on: str = "Query") -> str:
    """The issue's reproduction: ``{ ...F0 }`` and fragments F0…F{k}, each spreading the next twice."""
    spreads = " ".join(f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(k))
    return "{ ...F0 } " + spreads + f" fragment F{k} on {on} {{ __typename }}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """``python -m bibkg serve --store STORE`` on a free port; stopped (SIGTERM, then SIGKILL)."""

    def __init__(self, store: Path, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bibkg",
                "serve",
                "--store",
                str(store),
                "--port",
                str(self.port),
                "--query-workers",
                "1",
            ],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server died while starting: {self.proc.stdout.read()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start within 60 s")

    def post(self, body: dict | bytes, timeout: float = 30, **headers: str) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.post(
            self.url + "/graphql",
            content=content,
            timeout=timeout,
            headers={"content-type": "application/json", "accept": GRJ, **headers},
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="module")
def store_root(tmp_path_factory, sample_copy) -> Path:
    """The directory of this module's own copy of the sample store (its servers write there)."""
    return sample_copy(tmp_path_factory.mktemp("hostile-store")).root


@pytest.fixture(scope="module")
def server(store_root):
    served = Served(store_root)
    yield served
    served.stop()


def _health_times(url: str, probes: int, every: float) -> list[float | None]:
    """Seconds /health took, ``None`` when it did not answer 200 within 1 s."""
    times: list[float | None] = []
    for _ in range(probes):
        started = time.monotonic()
        try:
            ok = httpx.get(url + "/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            ok = False
        times.append(time.monotonic() - started if ok else None)
        time.sleep(every)
    return times


def test_fragment_bomb_is_refused_at_once_while_the_server_keeps_answering(server):
    document = bomb(30)
    assert len(document) < 1300
    answers: list[httpx.Response | Exception] = []

    def send() -> None:
        try:
            answers.append(server.post({"query": document}, timeout=10))
        except httpx.HTTPError as exc:
            answers.append(exc)

    started = time.monotonic()
    sender = threading.Thread(target=send)
    sender.start()
    health = _health_times(server.url, probes=5, every=0.2)
    sender.join(12)
    assert all(t is not None for t in health), f"/health did not answer within 1 s during the bomb: {health}"
    assert answers and isinstance(answers[0], httpx.Response), answers
    response = answers[0]
    assert time.monotonic() - started < 5
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "SELECTION_LIMIT"
    assert "once its fragments are expanded" in error["message"]
    # the same on an object type, with fields at the leaves
    person = '{ person(id: "yaodong-yang") { ...F0 } } ' + bomb(20, "Person").split(" ", 3)[3].replace(
        "{ __typename }", "{ id name }"
    )
    started = time.monotonic()
    refused = server.post({"query": person}, timeout=10)
    assert refused.status_code == 400 and time.monotonic() - started < 2, refused.text


def test_sigterm_stops_the_server_while_bombs_arrive(store_root):
    served = Served(store_root)
    try:
        senders = [
            threading.Thread(target=lambda: _swallow(served.post, {"query": bomb(30)}, timeout=5)) for _ in range(3)
        ]
        for sender in senders:
            sender.start()
        time.sleep(0.3)
        served.proc.send_signal(signal.SIGTERM)
        served.proc.wait(10)  # raises TimeoutExpired if SIGTERM is not honoured
    finally:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait(10)


def _swallow(fn, *args, **kwargs) -> None:
    try:
        fn(*args, **kwargs)
    except httpx.HTTPError:
        pass


def test_a_body_over_the_limit_is_413_declared_or_streamed(server):
    big = json.dumps({"query": "{ __typename }", "variables": {"pad": "x" * 300_000}}).encode()
    declared = server.post(big)
    assert declared.status_code == 413, declared.text
    assert declared.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    def chunks():
        for start in range(0, len(big), 16_384):
            yield big[start : start + 16_384]

    streamed = httpx.post(
        server.url + "/graphql",
        content=chunks(),
        timeout=30,
        headers={"content-type": "application/json", "accept": GRJ},
    )
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413, streamed.text
    # a body within the limit still works
    assert server.post({"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("how", ["literal", "variable"])
def test_a_long_string_argument_is_a_clear_400(server, how):
    title = "alignment " * 500
    if how == "literal":
        body = {"query": f'{{ papers(title: "{title}") {{ totalCount }} }}'}
    else:
        body = {"query": "query($t: String) { papers(title: $t) { totalCount } }", "variables": {"t": title}}
    response = server.post(body)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "STRING_TOO_LONG"
    assert "5000 characters long; the limit is 1000" in error["message"]
    assert ("title" if how == "literal" else "$t") in error["message"]


def test_title_search_from_the_index_matches_the_named_query(server, store_root):
    import pyoxigraph as ox

    from bibkg.graphql.types import sorted_papers as _sorted_papers
    from bibkg.read.papers import dated_papers
    from bibkg.read.runner import rows as rows_of
    from bibkg.sparql.catalog import QueryCatalog
    from bibkg.store.local import LocalStore
    from bibkg.store.oxigraph import OxigraphStore

    catalog = QueryCatalog.load(REPO / "queries")
    store = OxigraphStore.open(LocalStore(store_root))
    try:
        for text in ("alignment", "LANGUAGE", "zzzqqq", "Safe", "an"[:1] + "nd"):
            rows = rows_of(store.query(catalog["gql-search-papers"].text, bindings={"title": ox.Literal(text)}))
            expected = [ident for _iri, ident in _sorted_papers(dated_papers(rows), newest_first=True)]
            body = server.post(
                {"query": f'{{ papers(title: "{text}", first: 100) {{ totalCount edges {{ node {{ id }} }} }} }}'}
            ).json()
            found = [e["node"]["id"] for e in body["data"]["papers"]["edges"]]
            assert found == expected and body["data"]["papers"]["totalCount"] == len(expected), text
    finally:
        store.close()


def test_a_request_past_its_deadline_is_504_and_limits_are_settable(store_root):
    served = Served(store_root, BIBKG_GRAPHQL_TIMEOUT="0.001", BIBKG_GRAPHQL_MAX_BODY_BYTES="2000")
    try:
        long_get = httpx.get(
            served.url + "/graphql",
            params={"query": "{ __typename }" + " " * 3000},
            headers={"accept": GRJ},
            timeout=10,
        )
        assert long_get.status_code == 414, long_get.text
        assert long_get.json()["errors"][0]["extensions"]["code"] == "URI_TOO_LONG"
        assert served.post({"query": "{ __typename }" + " " * 3000}).status_code == 413
        response = served.post({"query": '{ paper(id: "2025.acl-long.1141") { title authors { printedName } } }'})
        assert response.status_code == 504, response.text
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "DEADLINE" and "deadline" in error["message"]
        assert httpx.get(served.url + "/health", timeout=2).status_code == 200
    finally:
        served.stop()


def test_the_deadline_is_the_servers_query_timeout(services):
    from dataclasses import dataclass

    from bibkg.graphql.router import build_graphql_router

    @dataclass
    class Server:
        query_timeout: float = 3.5

    services.settings = Server()
    router = build_graphql_router(services, warm_name_index=False, count_sizes=False)
    assert router.timeout == 3.5


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "xml").is_dir(), reason=f"full Anthology corpus not present at {CORPUS}")
def test_cost_counts_the_venues_of_the_corpus(tmp_path):
    """Every venue of the corpus (427: ``yaml/venues``) with one collection's papers: the cost of
    listing each venue's papers counts every venue, not an estimate of 50."""
    from bibkg.ingest import run_ingest
    from bibkg.store.local import LocalStore

    data = tmp_path / "data"
    (data / "xml").mkdir(parents=True)
    (data / "xml" / "2024.acl.xml").symlink_to(CORPUS / "xml" / "2024.acl.xml")
    (data / "yaml").symlink_to(CORPUS / "yaml")
    root = tmp_path / "store"
    run_ingest(data, LocalStore(root), jobs=1)
    served = Served(root)
    try:
        venues = served.post({"query": "{ venues { id } }"}).json()["data"]["venues"]
        assert len(venues) > 400
        response = served.post(
            {"query": "{ venues { id papers(first: 99) { totalCount edges { node { id title } } } } }"}
        )
        assert response.status_code == 400, response.text[:500]
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "COST_LIMIT" and error["extensions"]["cost"] > 100_000
    finally:
        served.stop()


def test_work_stops_at_the_deadline(gql_store, catalog):
    """A request whose store queries run one after another (each level of nesting waits for the
    previous one) is answered 504 at its deadline, and no store query starts after it."""
    from dataclasses import dataclass

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bibkg.graphql.router import build_graphql_router
    from bibkg.graphql.settings import GraphQLSettings
    from bibkg.read.runner import QueryRunner
    from bibkg.server.error_responses import install as install_error_handlers
    from bibkg.services import Services

    class SlowRunner(QueryRunner):
        """The real store, each query 0.3 s slower (a loaded server)."""

        started: ClassVar[list[float]] = []

        def query_sync(self, *args, **kwargs):
            self.started.append(time.monotonic())
            time.sleep(0.3)
            return super().query_sync(*args, **kwargs)

    @dataclass
    class ServerSettings:
        query_timeout: float = 0.5  # the server's deadline, which GraphQL follows

    runner = SlowRunner(gql_store, catalog)
    services = Services(gql_store, catalog, runner, settings=ServerSettings())
    settings = GraphQLSettings(cache_entries=0, response_cache_mb=0)
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_graphql_router(services, settings, warm_name_index=False), prefix="/graphql")
    nested = """{ person(id: "yaodong-yang") { papers(first: 2) { edges { node { authors { person {
        papers(first: 2) { edges { node { title } } } } } } } } } }"""
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.post("/graphql", json={"query": nested}, headers={"accept": GRJ})
        answered = time.monotonic()
        time.sleep(1.5)  # time for three more levels, were they still running
    assert response.status_code == 504, response.text
    assert answered - started < 1.0
    assert response.json()["errors"][0]["extensions"]["code"] == "DEADLINE"
    assert runner.started and all(t < started + 0.6 for t in runner.started), [
        round(t - started, 2) for t in runner.started
    ]


def test_the_document_cache_is_bounded_in_bytes():
    """40 distinct large documents (the issue's grew RSS for good: the cache was bounded by count
    only) never take more than ``document_cache_mb``; the newest stay."""
    from bibkg.graphql.schema import build_schema
    from bibkg.graphql.settings import GraphQLSettings
    from bibkg.graphql.validation import AST_BYTES_PER_CHAR, DocumentCache, core_schema

    settings = GraphQLSettings(document_cache_mb=1, max_tokens=100_000)
    cache = DocumentCache(settings)
    schema = core_schema(build_schema(settings))
    options = {"max_tokens": settings.max_tokens}
    for i in range(40):
        text = "{ " + " ".join(f"f{i}_{j}: __typename" for j in range(200)) + " }"
        document = cache.document(text, options)
        cache.errors(schema, text, document, (), None, None)
        assert cache._lru.weight <= 2**20
        assert cache.cached_document(text, options) is document
    assert len(text) * AST_BYTES_PER_CHAR * 40 > 2 * 2**20  # 40 of them would not fit
    assert 1 <= len(cache._lru) < 40


def test_the_row_cache_is_bounded_in_bytes():
    from bibkg.graphql.batch import result_cache_for, value_bytes
    from bibkg.services import Generation
    from bibkg.sparql.catalog import default_catalog

    class Snapshot:
        immutable = True

    generation = Generation(Snapshot(), default_catalog())  # type: ignore[arg-type]
    cache = result_cache_for(generation, 50_000, 100_000)
    assert cache is not None and result_cache_for(generation, 50_000, 100_000) is cache  # one per snapshot
    rows = [{"paper": type("T", (), {"value": "x" * 500})()} for _ in range(50)]
    for i in range(100):
        cache.put(("gql-venue-papers", f"v{i}"), rows)
    assert value_bytes(rows) > 20_000
    assert cache.weight <= 100_000 and len(cache) <= 100_000 // value_bytes(rows)


def test_work_stops_when_the_client_leaves(gql_store, catalog):
    """A client that gives up (closes its connection) has its request cancelled: no store query
    starts afterwards, though the deadline is far."""
    import uvicorn
    from fastapi import FastAPI

    from bibkg.graphql.router import build_graphql_router
    from bibkg.graphql.settings import GraphQLSettings
    from bibkg.read.runner import QueryRunner
    from bibkg.server.error_responses import install as install_error_handlers
    from bibkg.services import Services

    class SlowRunner(QueryRunner):
        started: ClassVar[list[float]] = []

        def query_sync(self, *args, **kwargs):
            self.started.append(time.monotonic())
            time.sleep(0.3)
            return super().query_sync(*args, **kwargs)

    runner = SlowRunner(gql_store, catalog)
    settings = GraphQLSettings(cache_entries=0, response_cache_mb=0)  # the deadline: 10 s
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(
        build_graphql_router(Services(gql_store, catalog, runner), settings, warm_name_index=False),
        prefix="/graphql",
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        nested = """{ person(id: "yaodong-yang") { papers(first: 2) { edges { node { authors { person {
            papers(first: 2) { edges { node { title } } } } } } } } } }"""
        started = time.monotonic()
        with pytest.raises(httpx.TimeoutException):
            httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": nested}, timeout=0.45)
        left = time.monotonic()
        time.sleep(1.5)  # time for three more levels, were they still running
    finally:
        server.should_exit = True
        thread.join(10)
    assert runner.started, "the request never reached the store"
    late = [round(t - left, 2) for t in runner.started if t > left + 0.1]
    assert not late, f"store queries started after the client left: {late} (left at {left - started:.2f} s)"
