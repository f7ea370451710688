"""The service description (``GET /sparql``) and the VoID description (``/.well-known/void``)
through the real app, on the sample and on the full corpus: every named graph is listed and the
VoID triples are the statistics graph's, within the request deadline."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from bibkg.server.app import create_app
from bibkg.server.settings import ServerSettings
from bibkg.store.local import LocalStore

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"


def _graph(response) -> list[ox.Triple]:
    assert response.status_code == 200, response.text
    return list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))


def _check(local: LocalStore) -> float:
    """Checks both descriptions of ``local``; returns the seconds the service description took."""
    store = local.open_read()
    try:
        graphs = {s["g"].value for s in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")}
        quads = len(store)
    finally:
        del store
    settings = ServerSettings(store_dir=local.root, query_workers=1, query_timeout=10.0)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        started = time.perf_counter()
        service = _graph(client.get("/sparql", headers={"Accept": "application/n-triples"}))
        took = time.perf_counter() - started
        named = {t.object.value for t in service if t.predicate.value == SD + "name"}
        assert named == graphs and len(named) > 1
        void = _graph(client.get("/.well-known/void", headers={"Accept": "application/n-triples"}))
        totals = [int(t.object.value) for t in void if t.predicate.value == VOID_TRIPLES
                  and t.subject.value == "https://w3id.org/bibkg/dataset"]  # fmt: skip
        assert totals == [quads]
    return took


def test_descriptions_of_the_sample(sample_store: LocalStore) -> None:
    _check(sample_store)


@pytest.mark.corpus
def test_descriptions_of_the_full_corpus(corpus_store: LocalStore) -> None:
    """1,326 named graphs of 4.1 million quads: the graph list is not a scan of every quad."""
    assert _check(corpus_store) < 5.0
