"""Linked Data descriptions on the full corpus (issue 11 #1): every entity kind, every RDF format.

Each answer is compared with a description computed independently from the store's quad index
(``Store.quads_for_pattern``): the entity's triples, its hash-IRI nodes' triples, the labels of
what they link to and, for a person, the ``bibkg:author`` / ``bibkg:editor`` triples of their works
with the works' titles.  Before issue 11 each request took 10-86 s on the full corpus (the plan
of ``ld-describe`` scanned every label of the graph) and a person's description did not reach
their papers.  Latency figures are in ``benchmarks/bench_linked_data.py``; here only a generous
bound (2 s) is asserted.

The store: the session's ``corpus_store`` (tests/conftest.py: ``BIBKG_TEST_CORPUS_STORE`` names an
existing full-corpus store to read, else the shared corpus is ingested once).  Skipped without
the corpus.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bibkg import config, iris
from bibkg import vocab as V
from bibkg.read.runner import QueryRunner
from bibkg.server.error_responses import install as install_error_handlers
from bibkg.services import Services
from bibkg.sparql.catalog import QueryCatalog
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore
from bibkg.store.remote import RemoteStore
from bibkg.web.routes import build_router

pytestmark = pytest.mark.corpus

LABELS = {V.RDFS + "label", V.title, V.booktitle}
WORKS = (V.author, V.editor)
"""Links into a person that their description includes (from their papers and volumes)."""
RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
ENTITIES = {
    "person": "/people/adrian-lopez-monroy/",
    "paper": "/2024.acl-long.1/",
    "front matter": "/2024.acl-long.0/",
    "volume": "/volumes/2024.acl-long/",
    "largest volume": "/volumes/2024.lrec-main/",
    "event": "/events/acl-2024/",
    "venue": "/venues/acl/",
    "venue ws": "/venues/ws/",
    "sig": "/sigs/sigdat/",
}
DEADLINE = 2.0


@pytest.fixture(scope="module")
def native(corpus_store: LocalStore) -> ox.Store:
    return corpus_store.open_read()


def _app(store: OxigraphStore | RemoteStore, local: LocalStore | None) -> FastAPI:
    catalog = QueryCatalog.load(config.queries_dir())
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_router(Services(store, catalog, QueryRunner(store, catalog)), local))
    return app


@pytest.fixture(scope="module")
def client(corpus_store: LocalStore) -> Iterator[TestClient]:
    with TestClient(_app(OxigraphStore.open(corpus_store), corpus_store)) as c:
        yield c


@pytest.fixture(scope="module")
def most_prolific(native: ox.Store) -> str:
    counts = native.quads_for_pattern(None, ox.NamedNode(V.paperCount), None, ox.NamedNode(iris.STATS_GRAPH))
    return max((int(q.object.value), q.subject.value) for q in counts if "/people/" in q.subject.value)[1]


def _triples(store: ox.Store, s: object = None, p: object = None, o: object = None) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(s, p, o, None)}


def reference(store: ox.Store, iri: str) -> set[ox.Triple]:
    """What the description of ``iri`` must be, from the quad index (docs/dumps-and-linked-data.md)."""
    entity = ox.NamedNode(iri)
    own = _triples(store, entity)
    hashes = {t.object for t in own if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(iri + "#")}
    out = set(own)
    linked = {t.object for t in own if isinstance(t.object, ox.NamedNode)}
    for h in hashes:
        theirs = _triples(store, h)
        out |= theirs
        linked |= {
            t.object for t in theirs if isinstance(t.object, ox.NamedNode) and not t.object.value.startswith(iri + "#")
        }
    for p in WORKS:
        into = _triples(store, None, ox.NamedNode(p), entity)
        out |= into
        linked |= {t.subject for t in into}
    for x in linked:
        out |= {t for t in _triples(store, x) if t.predicate.value in LABELS}
    return out


def _get(client: TestClient, path: str, media: str) -> set[ox.Triple]:
    started = time.perf_counter()
    r = client.get(path, headers={"Accept": media})
    elapsed = time.perf_counter() - started
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith(media)
    assert elapsed < DEADLINE, f"{path} as {media} took {elapsed:.1f} s"
    body = r.content
    if media == "application/ld+json":  # inline the published context (no network in the parser)
        doc = json.loads(body)
        doc["@context"] = client.get("/context.jsonld").json()["@context"]
        body = json.dumps(doc).encode()
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, RDF_FORMATS[media])}


@pytest.mark.parametrize("media", list(RDF_FORMATS))
@pytest.mark.parametrize("kind", list(ENTITIES))
def test_description_of_each_kind_is_exact(client: TestClient, native: ox.Store, kind: str, media: str) -> None:
    path = ENTITIES[kind]
    iri = iris.ANTHOLOGY + path[1:]
    expected = reference(native, iri)
    assert any(t.subject.value == iri for t in expected), f"{iri} is not in the corpus store"
    assert _get(client, path, media) == expected


def test_paper_has_its_title_authors_and_their_names(client: TestClient, native: ox.Store) -> None:
    paper = ox.NamedNode(iris.paper_iri("2024.acl-long.1"))
    got = _get(client, "/2024.acl-long.1/", "text/turtle")
    (title,) = [t.object for t in _triples(native, paper, ox.NamedNode(V.title))]
    assert ox.Triple(paper, ox.NamedNode(V.title), title) in got
    authors = {t.object for t in _triples(native, paper, ox.NamedNode(V.author))}
    assert len(authors) == 8
    assert {t.object for t in got if t.subject == paper and t.predicate.value == V.author} == authors
    labelled = {t.subject for t in got if t.predicate.value == V.RDFS + "label"}
    assert authors <= labelled  # every author comes with their name


@pytest.mark.parametrize("which", ["adrian-lopez-monroy", "most prolific"])
def test_person_reaches_their_papers(client: TestClient, native: ox.Store, most_prolific: str, which: str) -> None:
    iri = most_prolific if which == "most prolific" else iris.person_iri(which)
    person = ox.NamedNode(iri)
    papers = {t.subject for t in _triples(native, None, ox.NamedNode(V.author), person)}
    (count,) = [int(t.object.value) for t in _triples(native, person, ox.NamedNode(V.paperCount))]
    assert len(papers) >= count > 0  # paperCount excludes front matter
    got = _get(client, iri[len(iris.ANTHOLOGY) - 1 :], "application/n-triples")
    assert {t.subject for t in got if t.predicate.value == V.author and t.object == person} == papers
    titled = {t.subject for t in got if t.predicate.value == V.title}
    assert papers <= titled  # and a crawler sees what each one is


def test_editor_reaches_their_volumes(client: TestClient, native: ox.Store) -> None:
    volume = ox.NamedNode(iris.volume_iri("2024.acl-long"))
    editors = {t.object for t in _triples(native, volume, ox.NamedNode(V.editor))}
    assert editors
    for editor in editors:
        got = _get(client, editor.value[len(iris.ANTHOLOGY) - 1 :], "text/turtle")
        assert ox.Triple(volume, ox.NamedNode(V.editor), editor) in got
        assert any(t.subject == volume and t.predicate.value == V.booktitle for t in got)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sparql_endpoint(corpus_store: LocalStore) -> Iterator[str]:
    """``bibkg serve`` on the corpus store: a SPARQL endpoint for the remote backend."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bibkg", "serve", "--store", str(corpus_store.root), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"bibkg serve did not start: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
            time.sleep(0.2)
        yield url + "/sparql"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("kind", ["person", "paper", "volume", "event", "venue"])
def test_description_over_a_remote_sparql_endpoint(sparql_endpoint: str, native: ox.Store, kind: str) -> None:
    """The same description when the store is a SPARQL endpoint (here bibkg's own /sparql)."""
    remote = RemoteStore(sparql_endpoint, timeout=10)
    try:
        with TestClient(_app(remote, None)) as remote_client:
            path = ENTITIES[kind]
            assert _get(remote_client, path, "application/n-triples") == reference(native, iris.ANTHOLOGY + path[1:])
    finally:
        remote.close()
