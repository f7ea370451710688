"""Every path of the SPARQL 1.1 Protocol over real HTTP, every error status, the service
description, VoID, CORS, caps and the named-query routes."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest

PAPERS = (
    "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?p ?t WHERE { ?p a bibkg:Paper ; bibkg:title ?t } ORDER BY ?p"
)
GRAPH = "PREFIX bibkg: <https://w3id.org/bibkg/ns#> CONSTRUCT { ?p bibkg:title ?t } WHERE { ?p a bibkg:Paper ; bibkg:title ?t }"
SR = "{http://www.w3.org/2005/sparql-results#}"


def graph_of(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> ox.Store:
    store = ox.Store()
    store.load(data, format=fmt, to_graph=ox.DefaultGraph())
    return store


def test_get_query_default_json(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": PAPERS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    data = r.json()
    assert data["head"]["vars"] == ["p", "t"]
    assert len(data["results"]["bindings"]) == 7
    assert r.headers["x-bibkg-rows"] == "7"


def test_post_form_and_direct(client: httpx.Client) -> None:
    a = client.post("/sparql", data={"query": PAPERS})
    b = client.post("/sparql", content=PAPERS.encode(), headers={"Content-Type": "application/sparql-query"})
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()


@pytest.mark.parametrize(
    ("accept", "ctype"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/json"),
    ],
)
def test_select_formats(client: httpx.Client, accept: str, ctype: str) -> None:
    r = client.get("/sparql", params={"query": PAPERS}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    if "xml" in ctype:
        root = ET.fromstring(r.content)
        assert len(root.findall(f"{SR}results/{SR}result")) == 7
    elif ctype == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["p", "t"] and len(rows) == 8 and r.text.endswith("\r\n")
    elif "tab" in ctype:
        lines = r.text.splitlines()
        assert lines[0] == "?p\t?t" and lines[1].startswith("<https://aclanthology.org/")
    else:
        assert len(r.json()["results"]["bindings"]) == 7


def test_select_xml_equals_oxigraph_parse(client: httpx.Client) -> None:
    """Our row-by-row serializers produce what a standard parser reads back identically."""
    for accept, fmt in (
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ):
        r = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 300"},
            headers={"Accept": accept},
        )
        parsed = [tuple(str(s[v]) for v in ("s", "p", "o")) for s in ox.parse_query_results(r.content, format=fmt)]
        assert len(parsed) == 300
        if accept.endswith("json"):
            reference = parsed
    assert parsed == reference


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, ox.RdfFormat.TURTLE),
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/x-turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("text/plain", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_formats(client: httpx.Client, accept: str | None, fmt: ox.RdfFormat) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": GRAPH}, headers=headers)
    assert r.status_code == 200, r.text
    triples = list(ox.parse(r.content, format=fmt))
    assert len(triples) == 7


def test_describe_and_ask(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "DESCRIBE <https://aclanthology.org/people/yaodong-yang/>"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "Yaodong Yang" in r.text
    r = client.get(
        "/sparql",
        params={"query": "ASK { ?s a <https://w3id.org/bibkg/ns#Paper> }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert r.status_code == 200 and "<boolean>true</boolean>" in r.text


def test_format_parameter_and_download(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": PAPERS, "format": "csv", "download": "1"})
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]


def test_relative_iris_resolve_against_documented_base(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "ASK { <people/yaodong-yang/> a ?type }"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_dataset_parameters_are_honoured(client: httpx.Client) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    people = "https://w3id.org/bibkg/graph/people"
    all_ = int(client.get("/sparql", params={"query": q}).json()["results"]["bindings"][0]["n"]["value"])
    only = int(
        client.get("/sparql", params={"query": q, "default-graph-uri": people}).json()["results"]["bindings"][0]["n"][
            "value"
        ]
    )
    assert 0 < only < all_
    r = client.get(
        "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": people}
    )
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [people]
    # a query's own FROM is honoured too (not overridden by the union default graph)
    r = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{people}> WHERE {{ ?s ?p ?o }}"})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == only


@pytest.mark.parametrize(
    ("request_kwargs", "status", "needle"),
    [
        ({"method": "GET", "url": "/sparql", "params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400, "1:"),
        ({"method": "GET", "url": "/sparql?query=ASK%7B%7D&query=ASK%7B%7D"}, 400, "2 queries"),
        (
            {"method": "POST", "url": "/sparql", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
            415,
            "text/plain",
        ),
        ({"method": "POST", "url": "/sparql", "content": b"ASK {}"}, 415, "Content-Type"),
        (
            {
                "method": "POST",
                "url": "/sparql",
                "content": b"ASK { \xfe }",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            415,
            "UTF-8",
        ),
        (
            {"method": "GET", "url": "/sparql", "params": {"query": PAPERS}, "headers": {"Accept": "image/png"}},
            406,
            "application/sparql-results+json",
        ),
        (
            {"method": "GET", "url": "/sparql", "params": {"query": GRAPH}, "headers": {"Accept": "text/csv"}},
            406,
            "text/turtle",
        ),
        (
            {
                "method": "POST",
                "url": "/sparql",
                "content": b"ASK {" + b" " * 200_000 + b"}",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            413,
            "bytes",
        ),
        ({"method": "GET", "url": "/sparql", "params": {"update": "CLEAR ALL"}}, 403, "read-only"),
        (
            {
                "method": "POST",
                "url": "/sparql",
                "content": b"INSERT DATA { <a:b> <a:b> <a:b> }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
            403,
            "read-only",
        ),
        ({"method": "POST", "url": "/sparql", "data": {"query": "DROP ALL"}}, 403, "read-only"),
        ({"method": "PUT", "url": "/sparql", "params": {"query": "ASK {}"}}, 405, "GET or POST"),
        ({"method": "DELETE", "url": "/sparql"}, 405, "GET or POST"),
        ({"method": "GET", "url": "/sparql", "params": {"query": "ASK {}", "timeout": "-1"}}, 400, "timeout"),
        (
            {"method": "GET", "url": "/sparql", "params": {"query": "ASK {}", "default-graph-uri": "no iri"}},
            400,
            "default-graph-uri",
        ),
        ({"method": "POST", "url": "/sparql", "data": {"default-graph-uri": "http://a"}}, 400, "no query"),
    ],
)
def test_errors(client: httpx.Client, request_kwargs: dict, status: int, needle: str) -> None:
    r = client.request(**request_kwargs)
    assert r.status_code == status, r.text
    assert needle in r.text
    assert r.headers["content-type"].startswith("text/plain")


def test_syntax_error_names_position(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}"})
    assert r.status_code == 400
    assert "error at 4:" in r.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o } LIMIT -1",
        "SELECT (1/0 AS ?x) {}",
        "SELECT * WHERE { <\u0000> ?p ?o }",
        "PREFIX : <%> SELECT * {}",
        "SELECT * WHERE { ?s ?p ?o } ORDER BY",
        "\u00ff\u1234",
        "{}",
        "SELECT ?x WHERE { BIND(<x> AS ?x) }",
    ],
)
def test_bad_input_never_500(client: httpx.Client, query: str) -> None:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code < 500, r.text


def test_row_cap(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 500
    assert r.headers["x-bibkg-truncated"] == "max_rows=500"
    assert "truncated" in r.headers["warning"]
    r = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"}
    )
    assert len(r.text.splitlines()) == 500 and r.headers["x-bibkg-truncated"] == "max_rows=500"
    r = client.get("/sparql", params={"query": PAPERS})
    assert "x-bibkg-truncated" not in r.headers


def test_service_description(client: httpx.Client) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = graph_of(r.content)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode(str(client.base_url).rstrip("/") + "/sparql")
    assert list(
        g.quads_for_pattern(endpoint, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query"))
    )
    assert list(g.quads_for_pattern(endpoint, ox.NamedNode(sd + "endpoint"), endpoint))
    formats = {q.object.value for q in g.quads_for_pattern(endpoint, ox.NamedNode(sd + "resultFormat"), None)}
    assert (
        "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats
        and "http://www.w3.org/ns/formats/Turtle" in formats
    )
    names = {q.object.value for q in g.quads_for_pattern(None, ox.NamedNode(sd + "name"), None)}
    assert "https://w3id.org/bibkg/graph/people" in names
    html = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html") and "<textarea" in html.text
    nt = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")


def test_void(client: httpx.Client) -> None:
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = graph_of(r.content)
    void = "http://rdfs.org/ns/void#"
    d = ox.NamedNode("https://w3id.org/bibkg/dataset")

    def value(p: str, s: ox.NamedNode = d) -> str:
        return next(g.quads_for_pattern(s, ox.NamedNode(p), None)).object.value

    triples = int(value(void + "triples"))
    stats = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}).json()
    assert triples == int(stats["results"]["bindings"][0]["n"]["value"])
    assert value("http://purl.org/dc/terms/license") == "https://creativecommons.org/licenses/by/4.0/"
    assert value("https://w3id.org/bibkg/ns#sourceSnapshot") == "data/anthology"
    assert value(void + "sparqlEndpoint").endswith("/sparql")
    partitions = {}
    for q in g.quads_for_pattern(d, ox.NamedNode(void + "classPartition"), None):
        partitions[value(void + "class", q.object)] = int(value(void + "entities", q.object))
    live = client.get("/queries/class-counts").json()["results"]["bindings"]
    live_counts = {b["class"]["value"]: int(b["count"]["value"]) for b in live}
    for cls in ("Paper", "Person", "Event", "Venue", "Collection", "Volume", "FrontMatter", "VenueYear"):
        iri = "https://w3id.org/bibkg/ns#" + cls
        assert partitions[iri] == live_counts[iri], cls


def test_cors(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "X-Bibkg-Truncated" in r.headers["access-control-expose-headers"]
    pre = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200
    assert (
        "POST" in pre.headers["access-control-allow-methods"] and "GET" in pre.headers["access-control-allow-methods"]
    )


def test_health(client: httpx.Client) -> None:
    r = client.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["workers"] >= 1


def test_queries_listing(client: httpx.Client) -> None:
    data = client.get("/queries").json()["queries"]
    names = {q["name"] for q in data}
    assert {"coauthors-at-event", "person-papers", "venue-year-top-authors"} <= names
    entry = next(q for q in data if q["name"] == "coauthors-at-event")
    assert entry["params"][0] == {
        "name": "person",
        "type": "person",
        "description": "the person",
        "example": "yaodong-yang",
        "required": True,
        "default": None,
    }
    page = client.get("/queries", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "coauthors-at-event" in page.text


def test_named_query_over_http(client: httpx.Client) -> None:
    r = client.get("/queries/coauthors-at-event", params={"person": "yaodong-yang", "event": "acl-2025"})
    assert r.status_code == 200
    rows = r.json()["results"]["bindings"]
    assert rows[0]["name"]["value"] == "Jiaming Ji" and rows[0]["papers"]["value"] == "6"
    # an IRI works as well as an id; CSV by Accept
    r = client.get(
        "/queries/coauthors-at-event",
        params={"person": "https://aclanthology.org/people/yaodong-yang/", "event": "acl-2025"},
        headers={"Accept": "text/csv"},
    )
    assert r.text.splitlines()[0] == "person,event,coauthor,name,papers"


@pytest.mark.parametrize(
    ("url", "params", "status", "needle"),
    [
        ("/queries/nope", {}, 404, "no named query 'nope'"),
        ("/queries/coauthors-at-event", {"person": "yaodong-yang"}, 400, "needs parameter 'event'"),
        (
            "/queries/coauthors-at-venue-year",
            {"person": "yaodong-yang", "venue": "acl", "year": "last"},
            400,
            "not an integer",
        ),
        ("/queries/coauthors-at-event", {"person": "x", "event": "acl-2025", "bogus": "1"}, 400, "no parameter bogus"),
        ("/queries/coauthors-at-event", {"person": 'a"> } DROP ALL #', "event": "acl-2025"}, 400, "not a person id"),
    ],
)
def test_named_query_errors(client: httpx.Client, url: str, params: dict, status: int, needle: str) -> None:
    r = client.get(url, params=params)
    assert r.status_code == status and needle in r.text


def test_injection_is_inert(client: httpx.Client) -> None:
    """A string parameter is a literal, whatever it contains."""
    r = client.get(
        "/queries/coauthors-at-event",
        params={"person": "https://aclanthology.org/people/x/> } UNION { ?a ?b ?c", "event": "acl-2025"},
    )
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.json()["results"]["bindings"] == []


def test_query_page_and_static(client: httpx.Client) -> None:
    for path in ("/", "/sparql"):
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200 and '<script src="/static/app.js">' in r.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/../settings.py").status_code == 404
