"""Hostile and careless SPARQL clients against a real server on 127.0.0.1 (issue 10 #2 and #8,
issue 11 #3 and #6).

* SSRF through ``SERVICE``: pyoxigraph connects to any endpoint a query names.  Federation is
  off by default: every door (/sparql GET and POST, ``bibkg query``, a server over a remote
  store, :class:`RemoteStore` itself) answers 400, and a socket opened by the test as the
  "endpoint" must receive no connection at all.  An operator may allow-list endpoints
  (``federation_allow``): the allowed path is tested by federating to a second bibkg server.
* 500 for user input: malformed parameter values of named queries (``a%25b``, control
  characters) are 400s naming the parameter, in every format and from the CLI.
* SPARQLWrapper's JSON-LD request (format lists in ``format=``/``output=``/``results=``).
* Predeclared prefixes on /sparql and a short message for an unknown prefix.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sparql_server_util import RunningServer, start_server

from bibkg.server.settings import ServerSettings

YAODONG = "https://aclanthology.org/people/yaodong-yang/"


@contextmanager
def listening_socket() -> Iterator[tuple[socket.socket, str]]:
    """A TCP socket on 127.0.0.1 that accepts nothing by itself; yields it and its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock, f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    finally:
        sock.close()


def assert_no_connection(sock: socket.socket, wait: float = 0.5) -> None:
    """Nobody connected to ``sock`` (a connection would be waiting in its backlog)."""
    sock.settimeout(wait)
    try:
        conn, peer = sock.accept()
    except TimeoutError:
        return
    conn.close()
    pytest.fail(f"the server connected to the SERVICE endpoint (from {peer})")


SERVICE_QUERIES = {
    "service": "SELECT * WHERE {{ SERVICE <{e}> {{ ?s ?p ?o }} }}",
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{e}> {{ ?s ?p ?o }} }}",
    "lower-case": "select * where {{ service <{e}> {{ ?s ?p ?o }} }}",
    "glued": "SELECT * WHERE {{ SERVICESILENT<{e}>{{ ?s ?p ?o }} }}",
    "less-than-comment": "SELECT * WHERE {{ ?a ?b ?c FILTER(?a<?b)SERVICE#>\n <{e}>{{ ?s ?p ?o }} }}",
    "construct": "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{e}> {{ ?s ?p ?o }} }}",
    "ask-exists": "ASK {{ FILTER EXISTS {{ SERVICE <{e}> {{ ?s ?p ?o }} }} }}",
}


def assert_refused(r: httpx.Response) -> None:
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert "SERVICE is not allowed" in r.text and "BIBKG_FEDERATION_ALLOW" in r.text, r.text


@pytest.mark.parametrize("template", SERVICE_QUERIES.values(), ids=SERVICE_QUERIES.keys())
def test_service_is_refused_without_connecting(client: httpx.Client, template: str) -> None:
    with listening_socket() as (sock, endpoint):
        query = template.format(e=endpoint)
        assert_refused(client.get("/sparql", params={"query": query}))
        assert_refused(client.post("/sparql", data={"query": query}))
        assert_refused(client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}))
        assert_no_connection(sock)


def test_service_with_a_variable_is_refused(client: httpx.Client) -> None:
    with listening_socket() as (sock, endpoint):
        query = f"SELECT * WHERE {{ BIND(<{endpoint}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"
        assert_refused(client.get("/sparql", params={"query": query}))
        assert_no_connection(sock)


def test_service_in_a_literal_is_not_refused(client: httpx.Client) -> None:
    query = (
        'SELECT ?service WHERE { BIND("SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }" AS ?service) '
        "# service <http://127.0.0.1:9/sparql>\n"
        " FILTER(?service != <http://example.org/SERVICE>) }"
    )
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["service"]["value"].startswith("SERVICE <http")


def test_cli_refuses_service(sample_store) -> None:
    with listening_socket() as (sock, endpoint):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bibkg",
                "query",
                "--store",
                str(sample_store.root),
                f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=os.environ.copy(),
        )
        assert proc.returncode != 0
        assert "SERVICE is not allowed" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert_no_connection(sock)


def test_remote_store_refuses_before_sending() -> None:
    from bibkg.errors import QueryError
    from bibkg.store.remote import RemoteStore

    with listening_socket() as (sock, endpoint), listening_socket() as (service_sock, service):
        remote = RemoteStore(endpoint, timeout=2)
        try:
            with pytest.raises(QueryError, match="SERVICE is not allowed"):
                remote.query(f"SELECT * WHERE {{ SERVICE <{service}> {{ ?s ?p ?o }} }}")
        finally:
            remote.close()
        assert_no_connection(sock)  # nothing was sent to the remote store either
        assert_no_connection(service_sock, 0.1)


def test_server_over_a_remote_store_refuses_service(server: RunningServer) -> None:
    front = start_server(ServerSettings(sparql_endpoint=server.url + "/sparql", query_timeout=5))
    try:
        with listening_socket() as (sock, endpoint):
            assert_refused(
                httpx.get(front.url + "/sparql", params={"query": f"SELECT * {{ SERVICE <{endpoint}> {{ }} }}"})
            )
            assert_no_connection(sock)
    finally:
        front.stop()


def test_allow_listed_endpoint_federates(server: RunningServer, sample_store) -> None:
    """An operator allows one endpoint (a second bibkg here): SERVICE to it answers, anything
    else is still refused without a connection."""
    allowed = server.url + "/sparql"
    front = start_server(
        ServerSettings(store_dir=sample_store.root, query_workers=1, query_timeout=10, federation_allow=(allowed,))
    )
    try:
        query = f"""SELECT ?name WHERE {{
          SERVICE <{allowed}> {{ <{YAODONG}> rdfs:label ?name }}
        }}"""
        r = httpx.get(front.url + "/sparql", params={"query": query}, timeout=30)
        assert r.status_code == 200, r.text
        assert [b["name"]["value"] for b in r.json()["results"]["bindings"]] == ["Yaodong Yang"]
        with listening_socket() as (sock, endpoint):
            for q in (
                f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ SERVICE <{allowed}> {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }} }}",
                f"SELECT * WHERE {{ BIND(<{allowed}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
            ):
                assert_refused(httpx.get(front.url + "/sparql", params={"query": q}, timeout=30))
            assert_no_connection(sock)
    finally:
        front.stop()


def test_cli_federates_to_an_allowed_endpoint(server: RunningServer, sample_store) -> None:
    allowed = server.url + "/sparql"
    query = f"SELECT ?name WHERE {{ SERVICE <{allowed}> {{ <{YAODONG}> rdfs:label ?name }} }}"
    proc = subprocess.run(
        [sys.executable, "-m", "bibkg", "query", "--store", str(sample_store.root), "--format", "csv", query],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BIBKG_FEDERATION_ALLOW": allowed},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["name", "Yaodong Yang"]


def test_federation_allow_from_the_environment() -> None:
    settings = ServerSettings.from_env({"BIBKG_FEDERATION_ALLOW": "http://a.example/sparql  https://b.example/q"})
    assert tuple(settings.federation_allow) == ("http://a.example/sparql", "https://b.example/q")
    assert tuple(ServerSettings.from_env({}).federation_allow) == ()


# --- user input that used to be a 500 -----------------------------------------------------------

BAD_VALUES = ["a%b", "a\tb", "a\x01b", "a\x7fb", "https://aclanthology.org/people/a%zz/"]


@pytest.mark.parametrize("value", BAD_VALUES, ids=["percent", "tab", "ctrl-01", "del-7f", "bad-iri"])
@pytest.mark.parametrize("path", ["/queries/person-venues", "/queries/person-venues.bib"])
def test_malformed_parameter_is_400(client: httpx.Client, path: str, value: str) -> None:
    r = client.get(path, params={"person": value})
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert "parameter 'person'" in r.text and "Traceback" not in r.text
    assert len(r.text) < 400


def test_malformed_parameter_in_the_cli(sample_store) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bibkg",
            "query",
            "--store",
            str(sample_store.root),
            "--name",
            "person-venues",
            "--param",
            "person=a%b",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "parameter 'person'" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_malformed_graphql_id_is_a_user_error(server: RunningServer) -> None:
    r = httpx.post(server.url + "/graphql", json={"query": '{ person(id: "a%b") { name } }'}, timeout=30)
    assert r.status_code in (200, 400)
    assert "a%b" in r.json()["errors"][0]["message"] and "Internal" not in r.text


# --- SPARQLWrapper and JSON-LD -----------------------------------------------------------------------


def test_sparqlwrapper_gets_jsonld(server: RunningServer) -> None:
    from rdflib import URIRef
    from SPARQLWrapper import JSONLD, SPARQLWrapper

    w = SPARQLWrapper(server.url + "/sparql")
    w.setQuery(f"CONSTRUCT WHERE {{ <{YAODONG}> ?p ?o }}")
    w.setReturnFormat(JSONLD)
    for method in ("GET", "POST"):
        w.setMethod(method)
        g = w.query().convert()
        assert (URIRef(YAODONG), None, None) in g and len(g) > 5


@pytest.mark.parametrize(
    "params, accept, expected",
    [
        ([("format", "json-ld"), ("format", "application/ld+json,application/x-json+ld")], None, "application/ld+json"),
        ([("output", "json-ld"), ("output", "application/ld+json")], "application/ld+json", "application/ld+json"),
        ([("results", "turtle")], None, "text/turtle"),
        ([("format", "text/turtle,application/n-triples")], "application/n-triples", "application/n-triples"),
        ([("format", "nonsense,rdfxml")], None, "application/rdf+xml"),
    ],
)
def test_format_parameter_lists(client: httpx.Client, params: list, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params=[("query", f"CONSTRUCT WHERE {{ <{YAODONG}> ?p ?o }}"), *params], headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected


def test_format_naming_nothing_available_is_406(client: httpx.Client) -> None:
    r = client.get("/sparql", params=[("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"), ("format", "turtle,n3")])
    assert r.status_code == 406


# --- prefixes and syntax errors ------------------------------------------------------------------------


def test_predeclared_prefixes_on_sparql(client: httpx.Client) -> None:
    r = client.get(
        "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?p rdf:type bibkg:Paper ; bibkg:year ?y }"}
    )
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 0
    # the query's own declaration wins over the predeclared one
    own = "PREFIX bibkg: <http://example.org/nothing#> SELECT (COUNT(*) AS ?n) WHERE { ?p a bibkg:Paper }"
    assert client.get("/sparql", params={"query": own}).json()["results"]["bindings"][0]["n"]["value"] == "0"


def test_unknown_prefix_is_one_short_line(client: httpx.Client) -> None:
    query = "SELECT * WHERE { ?paper a bibkg:Paper ; nope:title ?t }"
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 400
    assert "unknown prefix 'nope:' at 1:41" in r.text, r.text
    assert "\\u{" not in r.text and len(r.text) < 300


def test_syntax_error_is_short_with_position(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p ?o FILTER(?o = ) }"})
    assert r.status_code == 400
    assert "syntax error at 2:" in r.text and "\\u{" not in r.text and len(r.text) < 300, r.text
