"""What the remote store does so that real servers answer as the embedded store does (issue 11
items 8-10): each test fails on the code before it (a trailing ``VALUES`` block, a POST of
``application/sparql-query``, results silently capped, a server without the union default graph
reported healthy, pages cached over a store whose data changes)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from external_support import REPO, free_port_pair, run_script, unavailable

from bibkg.errors import QueryError, ResultLimitError, StoreError
from bibkg.store.remote import RemoteStore
from bibkg.store.remote_text import substitute_terms

PERSON = ox.NamedNode("https://aclanthology.org/people/yaodong-yang/")


# -- the rewrite, on text (no server) -----------------------------------------------------------
def test_substitution_keeps_strings_comments_and_projection() -> None:
    text = 'SELECT ?x ?y (COUNT(?z) AS ?n) WHERE { ?x ?p "?x" . # ?x\n FILTER(?x != <http://e/a>) } GROUP BY ?x ?y ORDER BY DESC(?x)'
    out = substitute_terms(text, {"x": PERSON})
    iri = str(PERSON)
    assert out == (
        f'SELECT ({iri} AS ?x) ?y (COUNT(?z) AS ?n) WHERE {{ {iri} ?p "?x" . # ?x\n FILTER({iri} != <http://e/a>) }} '
        f"GROUP BY ({iri}) ?y ORDER BY DESC({iri})"
    )
    ox.Store().query(out)  # still SPARQL


def test_substitution_escapes_literals_and_refuses_assigned_variables() -> None:
    out = substitute_terms("ASK { ?s ?p ?v }", {"v": ox.Literal('a "quoted" } DROP ALL')})
    assert out == 'ASK { ?s ?p "a \\"quoted\\" } DROP ALL" }'
    with pytest.raises(QueryError):
        substitute_terms("SELECT ?s WHERE { BIND(1 AS ?v) }", {"v": ox.Literal("x")})
    with pytest.raises(QueryError):
        substitute_terms("SELECT ?s WHERE { VALUES ?v { 1 } }", {"v": ox.Literal("x")})


# -- against the servers ------------------------------------------------------------------------
def test_bound_query_is_sent_with_the_term_written_in(external) -> None:
    """CONSTRUCT with a parameter: Virtuoso refused the old trailing VALUES (SP031)."""
    store = RemoteStore(external.endpoint)
    triples = list(store.query("CONSTRUCT { ?person ?p ?o } WHERE { ?person ?p ?o }", bindings={"person": PERSON}))
    assert triples and all(t.subject == PERSON for t in triples)
    rows = list(store.query("SELECT ?person ?p WHERE { ?person ?p ?o }", bindings={"person": PERSON}))
    assert rows and all(r["person"] == PERSON for r in rows)


def test_a_capped_result_is_refused_or_paged(external) -> None:
    """Virtuoso caps results at ResultSetMaxRows (here 300) and says so only in a header."""
    store = RemoteStore(external.endpoint)
    everything = list(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
    assert len(everything) == len({(r["s"], r["p"], r["o"]) for r in everything}) > 1000
    if external.kind != "virtuoso":
        return
    with pytest.raises(ResultLimitError, match="capped the result at 300"):
        store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000")
    with pytest.raises(ResultLimitError):
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def test_an_abandoned_query_stops_on_the_server(external) -> None:
    """A query past bibkg's deadline fails there, and the server is free right after."""
    if external.kind != "virtuoso":
        pytest.skip("Oxigraph server has no per-query timeout parameter (serve --timeout-s is set by the script)")
    store = RemoteStore(external.endpoint, timeout=1.0)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    with pytest.raises(StoreError):
        store.query(heavy)
    assert time.monotonic() - started < 5
    started = time.monotonic()
    assert bool(RemoteStore(external.endpoint).query("ASK { ?s ?p ?o }"))
    assert time.monotonic() - started < 2


def test_dumps_explain_the_external_store(external_app) -> None:
    response = external_app.get("/dumps")
    assert response.status_code == 404
    assert "external SPARQL endpoint" in response.json()["error"]


def test_void_over_an_external_store_is_the_snapshot_s(external_app, embedded_app) -> None:
    """/.well-known/void over a server that caps its results (Virtuoso: 300 rows here, fewer than
    the description's triples) is read in pages and equals the embedded store's."""
    import pyoxigraph as ox

    def triples(client) -> set[str]:
        response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, response.text
        return {str(t) for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}

    embedded, external = triples(embedded_app), triples(external_app)
    assert len(embedded) > 300 and external == embedded


def test_service_description_lists_the_named_graphs_over_an_external_store(external_app, embedded_app) -> None:
    """GET /sparql names every graph of the data, over Virtuoso too (where an empty group binds
    no graph, so the service description asks for graphs that hold a triple)."""
    import pyoxigraph as ox

    def named(client) -> set[str]:
        response = client.get("/sparql", headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, response.text
        graph = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
        return {t.object.value for t in graph if t.predicate.value.endswith("service-description#name")}

    embedded = named(embedded_app)
    assert len(embedded) > 3 and named(external_app) == embedded


# -- a server without the union default graph; a server whose data changes ----------------------
@pytest.fixture(scope="module")
def oxigraph_bin() -> Path:
    installed = run_script("install", "oxigraph")
    if installed.returncode != 0:
        unavailable(f"cannot install oxigraph here: {installed.stderr.strip()}")
    return REPO / ".venv-oxigraph" / "bin" / "oxigraph"


def _serve(args: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port_pair()
    process = subprocess.Popen(
        [*args, "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("oxigraph server did not start")


@pytest.fixture()
def writable_oxigraph(oxigraph_bin: Path, sample_dump, tmp_path: Path) -> Iterator[str]:
    """A read-write Oxigraph server with the sample (union default graph), for changing data."""
    process, url = _serve([str(oxigraph_bin), "serve", "--location", str(tmp_path / "db"), "--union-default-graph"])
    try:
        loaded = httpx.post(
            url + "/store",
            content=sample_dump[1].read_bytes(),
            headers={"Content-Type": "application/n-quads"},
            timeout=60,
        )
        assert loaded.status_code in (200, 201, 204), loaded.text
        yield url
    finally:
        process.kill()
        process.wait(10)


def test_no_union_default_graph_is_detected(oxigraph_bin: Path, sample_dump, tmp_path: Path) -> None:
    """Without --union-default-graph every answer was empty while /health said ok."""
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app
    from bibkg.server.settings import ServerSettings

    process, url = _serve([str(oxigraph_bin), "serve", "--location", str(tmp_path / "db")])
    try:
        httpx.post(
            url + "/store",
            content=sample_dump[1].read_bytes(),
            headers={"Content-Type": "application/n-quads"},
            timeout=60,
        )
        problem = RemoteStore(url + "/query").health_problem()
        assert problem is not None and "union of the named graphs" in problem
        with (
            pytest.raises(StoreError, match="union-default-graph"),
            TestClient(create_app(ServerSettings(sparql_endpoint=url + "/query"))),
        ):
            pass
    finally:
        process.kill()
        process.wait(10)


def test_pages_follow_the_data_of_an_external_store(writable_oxigraph: str) -> None:
    """HTML pages were cached as if the data could not change; over an external endpoint a
    change shows on the next request."""
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app
    from bibkg.server.settings import ServerSettings

    with TestClient(
        create_app(ServerSettings(sparql_endpoint=writable_oxigraph + "/query")), base_url="http://127.0.0.1"
    ) as client:
        before = client.get("/people/yaodong-yang/", headers={"Accept": "text/html"})
        assert before.status_code == 200 and "Yaodong Yang" in before.text
        update = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        DELETE { GRAPH ?g { ?p rdfs:label ?l } } INSERT { GRAPH ?g { ?p rdfs:label "Yaodong Renamed" } }
        WHERE { GRAPH ?g { ?p rdfs:label ?l } FILTER(?p = <https://aclanthology.org/people/yaodong-yang/>) }
"""
        changed = httpx.post(
            writable_oxigraph + "/update", content=update, headers={"Content-Type": "application/sparql-update"}
        )
        assert changed.status_code in (200, 204), changed.text
        after = client.get("/people/yaodong-yang/", headers={"Accept": "text/html"})
        assert "Yaodong Renamed" in after.text


def test_name_index_follows_the_data_of_an_external_store(
    writable_oxigraph: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The people(name:) index of an external store was kept forever; now it is rebuilt in the
    background once older than BIBKG_REMOTE_NAME_INDEX_SECONDS, the old one serving meanwhile."""
    from fastapi.testclient import TestClient

    from bibkg.graphql import names
    from bibkg.server.app import create_app
    from bibkg.server.settings import ServerSettings

    monkeypatch.setattr(names, "REMOTE_INDEX_SECONDS", 0.5)
    query = {"query": 'query { people(name: "Yaodong Renamed") { totalCount } }'}
    with TestClient(
        create_app(ServerSettings(sparql_endpoint=writable_oxigraph + "/query")), base_url="http://127.0.0.1"
    ) as client:
        assert client.post("/graphql", json=query).json()["data"]["people"]["totalCount"] == 0
        update = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        DELETE { GRAPH ?g { ?p rdfs:label ?l } } INSERT { GRAPH ?g { ?p rdfs:label "Yaodong Renamed" } }
        WHERE { GRAPH ?g { ?p rdfs:label ?l } FILTER(?p = <https://aclanthology.org/people/yaodong-yang/>) }"""
        assert httpx.post(
            writable_oxigraph + "/update", content=update, headers={"Content-Type": "application/sparql-update"}
        ).status_code in (200, 204)
        deadline = time.monotonic() + 15
        found = 0
        while time.monotonic() < deadline and not found:
            found = client.post("/graphql", json=query).json()["data"]["people"]["totalCount"]
            time.sleep(0.2)
        assert found == 1


# -- every answer read is bounded ---------------------------------------------------------------
def test_row_limit_is_asked_of_the_server_only_where_it_means_the_same() -> None:
    from bibkg.store.remote_text import with_row_limit

    assert with_row_limit("SELECT * WHERE { ?s ?p ?o }", 11).endswith("\nLIMIT 11")
    assert with_row_limit("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s # done", 11).endswith("# done\nLIMIT 11")
    for kept in (
        "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
        "SELECT * WHERE { ?s ?p ?o } OFFSET 5",
        "SELECT * WHERE { ?s ?p ?o } VALUES ?s { <http://e/a> }",
    ):
        assert with_row_limit(kept, 11) == kept
    inner = "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 3 } }"
    assert with_row_limit(inner, 11) == inner + "\nLIMIT 11"  # a sub-select's LIMIT is its own


def test_sparql_endpoint_truncates_as_the_embedded_store(external, sample_dump) -> None:
    """``SELECT * { ?s ?p ?o }`` over an external store: the server is asked for max_rows + 1
    rows (it used to send every quad, read whole even after the client was answered), and
    the answer is the embedded store's: max_rows rows, flagged as truncated."""
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app
    from bibkg.server.settings import ServerSettings

    query = {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"}
    headers = {"Accept": "application/sparql-results+json"}
    answers = []
    for settings in (
        ServerSettings(sparql_endpoint=external.endpoint, max_rows=100, query_timeout=20.0),
        ServerSettings(store_dir=sample_dump[0].root, max_rows=100, query_workers=1, query_timeout=20.0),
    ):
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            response = client.post("/sparql", data=query, headers=headers)
            assert response.status_code == 200, response.text[:300]
            assert response.headers["X-Bibkg-Truncated"] == "max_rows=100"
            answers.append(response.json()["results"]["bindings"])
    assert len(answers[0]) == 100
    if external.kind == "oxigraph":  # Virtuoso orders literals of other types otherwise
        assert answers[0] == answers[1]


def test_an_answer_larger_than_the_cap_is_refused_not_read_on(external) -> None:
    store = RemoteStore(external.endpoint)
    with pytest.raises(ResultLimitError, match="larger than 20,000 bytes"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }", max_bytes=20_000)
    assert list(store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", max_bytes=20_000))  # a small one still passes


def test_an_answer_over_the_cap_is_a_clear_http_error(external) -> None:
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app
    from bibkg.server.settings import ServerSettings

    settings = ServerSettings(sparql_endpoint=external.endpoint, max_bytes=20_000, query_timeout=20.0)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        response = client.post("/sparql", data={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert response.status_code == 503
    assert "result limit: the answer of" in response.text and "larger than 20,000 bytes" in response.text
    assert "Traceback" not in response.text
