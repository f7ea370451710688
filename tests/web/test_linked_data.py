"""Linked Data routes: content negotiation, statuses, descriptions, BibTeX over HTTP."""

from __future__ import annotations

import json

import bibtexparser
import pyoxigraph as ox
import pytest

PAPER = "https://aclanthology.org/2025.acl-long.1141/"
PERSON = "https://aclanthology.org/people/yaodong-yang/"

ENTITIES = [
    ("/people/yaodong-yang/", PERSON),
    ("/people/jiaming-ji/unverified/", "https://aclanthology.org/people/jiaming-ji/unverified/"),
    ("/2025.acl-long.1141/", PAPER),
    ("/2025.acl-long.0/", "https://aclanthology.org/2025.acl-long.0/"),
    ("/volumes/2025.acl-long/", "https://aclanthology.org/volumes/2025.acl-long/"),
    ("/venues/acl/", "https://aclanthology.org/venues/acl/"),
    ("/events/acl-2025/", "https://aclanthology.org/events/acl-2025/"),
    ("/sigs/sigdat/", "https://aclanthology.org/sigs/sigdat/"),
    (
        "/resource?iri=https%3A%2F%2Fw3id.org%2Fbibkg%2Fcollection%2F2025.acl",
        "https://w3id.org/bibkg/collection/2025.acl",
    ),
]
RDF = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _parse_jsonld(client, body: bytes) -> list[ox.Triple]:
    doc = json.loads(body)
    ctx = client.get("/context.jsonld").json()["@context"]
    doc["@context"] = ctx  # the published context, inlined (no network in the parser)
    return [
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(json.dumps(doc).encode(), ox.RdfFormat.JSON_LD)
    ]


@pytest.mark.parametrize("path,iri", ENTITIES)
@pytest.mark.parametrize("media", [*RDF, "application/ld+json"])
def test_conneg_rdf(client, path: str, iri: str, media: str) -> None:
    r = client.get(path, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert r.headers["vary"] == "Accept"
    if media == "application/ld+json":
        triples = _parse_jsonld(client, r.content)
    else:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(r.content, RDF[media])]
    assert any(t.subject.value == iri for t in triples)


@pytest.mark.parametrize("path,iri", ENTITIES)
def test_conneg_html(client, path: str, iri: str) -> None:
    r = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["vary"] == "Accept"
    assert "<!doctype html>" in r.text and 'name="viewport"' in r.text
    assert "http://" not in r.text.split("</head>")[0].replace("xmlns", "")  # no external assets


def test_format_parameter_and_default(client) -> None:
    assert client.get("/2025.acl-long.1141/?format=nt").headers["content-type"].startswith("application/n-triples")
    assert (
        client.get("/2025.acl-long.1141/", headers={"Accept": "*/*"}).headers["content-type"].startswith("text/turtle")
    )


def test_description_is_the_cbd_plus_labels(client) -> None:
    r = client.get("/2025.acl-long.1141/", headers={"Accept": "application/n-triples"})
    triples = list(ox.parse(r.content, ox.RdfFormat.N_TRIPLES))
    subjects = {t.subject.value for t in triples}
    assert f"{PAPER}#author-10" in subjects  # hash-IRI authorship nodes are included
    labels = {t.subject.value: t.object.value for t in triples if t.predicate.value.endswith("#label")}
    assert labels[PERSON] == "Yaodong Yang"  # label of a linked person (via the authorship node)
    assert labels["https://aclanthology.org/venues/acl/"] == "ACL"
    # only labels of linked entities, not their other triples
    assert not any(t.subject.value == PERSON and not t.predicate.value.endswith("#label") for t in triples)


def test_errors(client) -> None:
    assert client.get("/people/nobody/", headers={"Accept": "text/turtle"}).status_code == 404
    r = client.get("/people/nobody/", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "not in the graph" in r.text
    assert client.get("/2099.none-long.1/").status_code == 404
    r = client.get("/people/yaodong-yang/", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/turtle" in r.text and r.headers["vary"] == "Accept"
    assert client.get("/people/yaodong-yang/?format=docx").status_code == 406
    assert client.get("/resource").status_code == 400
    assert client.get("/resource", params={"iri": "not an iri"}).status_code == 400
    assert client.get("/resource", params={"iri": "https://example.org/nothing"}).status_code == 404
    assert client.get("/volumes/%3Cscript%3E/").status_code == 404
    assert client.get("/people/../../etc/passwd").status_code in (301, 404)


def test_redirects_and_id_shape(client) -> None:
    r = client.get("/2025.acl-long.1141", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/2025.acl-long.1141/"
    r = client.get("/people/yaodong-yang", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/people/yaodong-yang/"
    assert client.get("/not-a-paper-id/").status_code == 404  # no route: only id-shaped paths match


def test_context_is_json_ld(client) -> None:
    ctx = client.get("/context.jsonld")
    assert ctx.headers["content-type"].startswith("application/ld+json")
    assert ctx.json()["@context"]["@vocab"] == "https://w3id.org/bibkg/ns#"
    body = client.get("/people/yaodong-yang/", headers={"Accept": "application/ld+json"}).json()
    assert body["@context"].endswith("/context.jsonld")


def test_bibtex_routes(client) -> None:
    r = client.get("/2025.acl-long.1544.bib")
    assert r.headers["content-type"].startswith("application/x-bibtex")
    entry = bibtexparser.loads(r.text).entries[0]
    assert entry["ID"] == "ji-etal-2025-pku" and entry["pages"] == "31983--32016"
    assert len(bibtexparser.loads(client.get("/people/yaodong-yang.bib").text).entries) == 7
    keys = [e["ID"] for e in bibtexparser.loads(client.get("/volumes/2025.acl-long.bib").text).entries]
    assert keys == ["acl-2025-long", "ji-etal-2025-language", "ji-etal-2025-pku"]
    q = client.get("/queries/person-papers.bib", params={"person": "yaodong-yang"})
    assert q.status_code == 200 and len(bibtexparser.loads(q.text).entries) == 7
    csl = client.get("/2025.acl-long.1544.json")
    assert csl.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    assert csl.json()[0]["DOI"] == "10.18653/v1/2025.acl-long.1544"
    assert client.get("/queries/person-papers.csl.json", params={"person": "yaodong-yang"}).status_code == 200
    assert client.get("/queries/nope.bib").status_code == 404
    assert client.get("/queries/person-papers.bib").status_code == 400  # missing parameter
    assert client.get("/queries/person-papers.bib", params={"person": "a b"}).status_code == 400
    # an internal query (the read layer's) is unknown here, like a name that does not exist
    assert client.get("/queries/ld-describe.bib", params={"entity": PAPER}).status_code == 404
    assert client.get("/queries/bib-cite-person.bib", params={"person": "yaodong-yang"}).status_code == 404


def test_query_bibtex_of_a_construct_query(sample_store, tmp_path) -> None:
    """A public query that is no SELECT returns no papers: 400 (the shipped ones are all SELECTs)."""
    from fastapi.testclient import TestClient
    from web_support import make_app

    from bibkg.sparql.catalog import QueryCatalog

    (tmp_path / "describe-paper.rq").write_text(
        "#+ summary: a paper's triples\n"
        "#+ params:\n"
        f"#+   entity: {{type: iri, example: '{PAPER}'}}\n"
        "CONSTRUCT { ?entity ?p ?o } WHERE { VALUES ?entity { UNDEF } ?entity ?p ?o }\n",
        encoding="utf-8",
    )
    with TestClient(make_app(sample_store, QueryCatalog.load(tmp_path))) as client:
        r = client.get("/queries/describe-paper.bib", params={"entity": PAPER})
        assert r.status_code == 400 and "not a SELECT query" in r.text
        assert client.get("/queries/person-papers.bib", params={"person": "yaodong-yang"}).status_code == 404
    assert client.get("/people/nobody.bib").status_code == 404
