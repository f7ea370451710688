"""Store queries per request are bounded, whatever the list sizes (no N+1)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bibkg import iris
from bibkg.graphql.router import build_graphql_router
from bibkg.graphql.settings import GraphQLSettings
from bibkg.read.runner import QueryRunner
from bibkg.server.error_responses import install as install_error_handlers
from bibkg.services import Services
from bibkg.sparql.catalog import with_values
from bibkg.store.oxigraph import OxigraphStore
from bibkg.vocab import BIBKG, LABEL, RDF, XSD_BOOLEAN, XSD_INTEGER

N_PAPERS, N_AUTHORS, N_PERSONS = 60, 6, 90


def _synthetic_store() -> OxigraphStore:
    """An event with 60 papers of 6 authors each, drawn from 90 persons."""
    store = ox.Store()
    graph = ox.NamedNode(iris.collection_graph("2099.syn"))
    quads = []

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, graph))

    integer = ox.NamedNode(XSD_INTEGER)
    event, venue = iris.event_iri("syn-2099"), iris.venue_iri("syn")
    volume = iris.volume_iri("2099.syn-main")
    add(event, RDF + "type", ox.NamedNode(BIBKG + "Event"))
    add(event, BIBKG + "anthologyId", ox.Literal("syn-2099"))
    add(venue, RDF + "type", ox.NamedNode(BIBKG + "Venue"))
    add(venue, BIBKG + "anthologyId", ox.Literal("syn"))
    add(volume, RDF + "type", ox.NamedNode(BIBKG + "Volume"))
    add(volume, BIBKG + "anthologyId", ox.Literal("2099.syn-main"))
    for k in range(N_PERSONS):
        person = iris.person_iri(f"person-{k}")
        add(person, RDF + "type", ox.NamedNode(BIBKG + "Person"))
        add(person, LABEL, ox.Literal(f"Person {k:03d}"))
        add(person, BIBKG + "verified", ox.Literal("true", datatype=ox.NamedNode(XSD_BOOLEAN)))
        name = iris.name_iri(person, "Person", f"{k:03d}")
        add(person, BIBKG + "personName", ox.NamedNode(name))
        add(person, BIBKG + "canonicalName", ox.NamedNode(name))
        add(name, BIBKG + "fullName", ox.Literal(f"Person {k:03d}"))
    for n in range(1, N_PAPERS + 1):
        paper = iris.paper_iri(f"2099.syn-main.{n}")
        add(paper, RDF + "type", ox.NamedNode(BIBKG + "Paper"))
        add(paper, BIBKG + "anthologyId", ox.Literal(f"2099.syn-main.{n}"))
        add(paper, BIBKG + "title", ox.Literal(f"Paper {n}"))
        add(paper, BIBKG + "year", ox.Literal("2099", datatype=integer))
        add(paper, BIBKG + "inVolume", ox.NamedNode(volume))
        add(paper, BIBKG + "venue", ox.NamedNode(venue))
        add(paper, BIBKG + "event", ox.NamedNode(event))
        for pos in range(1, N_AUTHORS + 1):
            person = iris.person_iri(f"person-{(n * 7 + pos * 13) % N_PERSONS}")
            node = iris.contribution_iri(paper, "author", pos)
            add(paper, BIBKG + "author", ox.NamedNode(person))
            add(paper, BIBKG + "authorship", ox.NamedNode(node))
            add(node, BIBKG + "position", ox.Literal(str(pos), datatype=integer))
            add(node, BIBKG + "person", ox.NamedNode(person))
    store.extend(quads)
    return OxigraphStore(store)


@pytest.fixture(scope="module")
def synthetic(catalog):
    return _synthetic_store()


@pytest.fixture
def syn_client(synthetic, catalog):
    services = Services(synthetic, catalog, QueryRunner(synthetic, catalog))
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    # no cross-request cache: every request must fetch what it needs
    settings = GraphQLSettings(cache_entries=0)
    app.include_router(build_graphql_router(services, settings, warm_name_index=False), prefix="/graphql")
    with TestClient(app) as client:
        yield client, services.runner


NESTED = """query($first: Int) { event(id: "syn-2099") {
  papers(first: $first) { totalCount edges { node {
    id title year month venues { id acronym } events { id }
    authors { position printedName person { id name verified names
       coauthors(event: "syn-2099", first: 3) { totalCount edges { count node { name } } } } }
  } } } } }"""


def test_nested_request_issues_bounded_store_queries(syn_client):
    client, runner = syn_client
    counts = {}
    for first in (1, 10, 50):
        before = runner.calls
        body = client.post("/graphql", json={"query": NESTED, "variables": {"first": first}}).json()
        assert "errors" not in body, body
        papers = body["data"]["event"]["papers"]["edges"]
        assert len(papers) == first
        assert all(len(p["node"]["authors"]) == N_AUTHORS for p in papers)
        assert all(a["person"]["name"].startswith("Person ") for p in papers for a in p["node"]["authors"])
        counts[first] = runner.calls - before
    # 50 papers × 6 authors × person × coauthors: the same handful of queries as for 1 paper
    print("store queries per request:", counts)
    assert counts[1] == counts[10] == counts[50], counts
    assert counts[50] <= 10, counts


def test_with_values_renders_terms_not_text():
    text = "SELECT ?x WHERE { VALUES ?x { UNDEF } ?x ?p ?o }"
    out = with_values(text, "x", [ox.NamedNode("https://a.example/x"), ox.Literal('say "hi" }')])
    assert 'VALUES ?x { <https://a.example/x> "say \\"hi\\" }" }' in out
    with pytest.raises(ValueError):
        with_values(text, "y", [])
    with pytest.raises(ValueError):
        with_values(text, "x", ["<https://evil> } ?s ?p ?o {"])  # type: ignore[list-item]


def test_result_cache_serves_repeated_requests(synthetic, catalog):
    services = Services(synthetic, catalog, QueryRunner(synthetic, catalog))
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_graphql_router(services, GraphQLSettings(), warm_name_index=False), prefix="/graphql")
    with TestClient(app) as client:
        first = client.post("/graphql", json={"query": NESTED, "variables": {"first": 5}}).json()
        before = services.runner.calls
        again = client.post("/graphql", json={"query": NESTED, "variables": {"first": 5}}).json()
    assert again == first
    assert services.runner.calls - before <= 1  # only the existence check of the root field may run
