"""Standard SPARQL clients against a real server on 127.0.0.1: SPARQLWrapper and rdflib's
SPARQLStore; and bibkg's own RemoteStore, also serving a second bibkg pointed at the first."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from sparql_server_util import start_server
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from bibkg.errors import QueryError
from bibkg.server.settings import ServerSettings
from bibkg.store.remote import RemoteStore
from bibkg.store.remote_text import values_block

COAUTHORS = """PREFIX bibkg: <https://w3id.org/bibkg/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper bibkg:author <https://aclanthology.org/people/yaodong-yang/> ; bibkg:event <https://aclanthology.org/events/acl-2025/> ; bibkg:author ?c .
  FILTER (?c != <https://aclanthology.org/people/yaodong-yang/>) ?c rdfs:label ?name
} GROUP BY ?name ORDER BY DESC(?papers) ?name"""


def wrapper(server, fmt):
    w = SPARQLWrapper(server.url + "/sparql")
    w.setQuery(COAUTHORS)
    w.setReturnFormat(fmt)
    return w


def test_sparqlwrapper_json(server) -> None:
    data = wrapper(server, JSON).query().convert()
    assert data["results"]["bindings"][0]["name"]["value"] == "Jiaming Ji"
    assert data["results"]["bindings"][0]["papers"]["value"] == "6"


def test_sparqlwrapper_xml(server) -> None:
    doc = wrapper(server, XML).query().convert()
    assert doc.getElementsByTagName("literal")[0].firstChild.data == "Jiaming Ji"


def test_sparqlwrapper_csv_tsv(server) -> None:
    csv_text = wrapper(server, CSV).query().convert().decode()
    assert csv_text.splitlines()[:2] == ["name,papers", "Jiaming Ji,6"]
    tsv_text = wrapper(server, TSV).query().convert().decode()
    assert tsv_text.splitlines()[1].startswith('"Jiaming Ji"\t')


def test_sparqlwrapper_construct_turtle_and_post(server) -> None:
    w = SPARQLWrapper(server.url + "/sparql")
    w.setQuery("CONSTRUCT WHERE { <https://aclanthology.org/people/yaodong-yang/> ?p ?o }")
    w.setReturnFormat(TURTLE)
    w.setMethod("POST")
    g = Graph().parse(data=w.query().convert(), format="turtle")
    assert (URIRef("https://aclanthology.org/people/yaodong-yang/"), None, None) in g
    assert len(g) > 5


def test_sparqlwrapper_ask(server) -> None:
    w = SPARQLWrapper(server.url + "/sparql")
    w.setQuery("ASK { ?s a <https://w3id.org/bibkg/ns#Paper> }")
    w.setReturnFormat(JSON)
    assert w.query().convert()["boolean"] is True


def test_rdflib_sparqlstore(server) -> None:
    store = SPARQLStore(server.url + "/sparql", returnFormat="json")
    g = Graph(store=store)
    rows = list(g.query(COAUTHORS))
    assert str(rows[0][0]) == "Jiaming Ji" and int(rows[0][1]) == 6
    assert g.query("ASK { ?s ?p ?o }").askAnswer is True
    triples = list(g.triples((URIRef("https://aclanthology.org/people/yaodong-yang/"), None, None)))
    assert len(triples) > 5
    store.close()


def test_remote_store_roundtrip(server) -> None:
    remote = RemoteStore(server.url + "/sparql", timeout=10)
    text = "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?paper ?person WHERE { ?paper bibkg:author ?person }"
    person = ox.NamedNode("https://aclanthology.org/people/yaodong-yang/")
    rows = list(remote.query(text, bindings={"person": person}))
    assert len(rows) == 7 and all(r["person"] == person for r in rows)
    assert bool(remote.query("ASK {}")) is True
    triples = list(remote.query("CONSTRUCT WHERE { ?s a <https://w3id.org/bibkg/ns#Venue> }"))
    assert len(triples) == 3
    remote.close()


def test_values_block_renders_terms_not_strings() -> None:
    block = values_block({"name": ox.Literal('He said "}" DROP ALL'), "p": ox.NamedNode("http://x/")})
    assert block.strip() == 'VALUES (?name ?p) { ("He said \\"}\\" DROP ALL" <http://x/>) }'
    with pytest.raises(QueryError):
        values_block({"bad name": ox.Literal("x")})


def test_serve_external_endpoint(server) -> None:
    """bibkg pointed at another SPARQL endpoint (here: the first bibkg) serves the same answers."""
    import httpx

    front = start_server(ServerSettings(sparql_endpoint=server.url + "/sparql", query_timeout=5))
    try:
        r = httpx.get(
            front.url + "/queries/coauthors-at-event",
            params={"person": "yaodong-yang", "event": "acl-2025"},
            headers={"Accept": "text/csv"},
        )
        assert r.status_code == 200, r.text
        assert r.text.splitlines()[1].endswith("Jiaming Ji,6")
        r = httpx.get(front.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
        assert len(r.json()["results"]["bindings"]) == 3
        assert httpx.get(front.url + "/sparql", params={"query": "SELECT * WHERE {"}).status_code == 400
    finally:
        front.stop()
