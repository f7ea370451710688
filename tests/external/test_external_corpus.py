"""bibkg over Oxigraph server on the full corpus (issue 11 item 8): the requests that answered
503 or 500 on the full corpus (``coauthors-at-event``, ``coauthors-at-venue-year``,
``person-papers`` after 10 s; person and event HTML pages, every RDF entity page; the first
``people(name:)`` after 22.7 s) answer, equal to the embedded store's, within bibkg's default
deadline.  Latency ratios against the embedded store: ``benchmarks/bench_external.py``.

The store: ``BIBKG_TEST_CORPUS_STORE`` names an existing full-corpus store directory to read
(never written); otherwise the shared corpus is ingested once into a temporary directory (about
two minutes).  Its published N-Quads dump is loaded into Oxigraph server by
``scripts/external-servers.sh`` (about a minute).  Skipped without the corpus.
"""

from __future__ import annotations

import shutil
import time

import pyoxigraph as ox
import pytest
from external_support import run_script, start_external

pytestmark = pytest.mark.corpus

PERSON, EVENT = "jie-zhou", "acl-2024"
NAMED = {
    "coauthors-at-event": {"person": PERSON, "event": EVENT},
    "coauthors-at-venue-year": {"person": PERSON, "venue": "acl", "year": "2024"},
    "person-papers": {"person": PERSON},
}
PAGES = [f"/people/{PERSON}/", f"/events/{EVENT}/", "/venues/acl/", "/volumes/2024.acl-long/", "/2024.acl-long.1/"]
DEADLINE = 10.0
"""bibkg's default query timeout: every request here must answer within it."""


@pytest.fixture(scope="module")
def apps(server):
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app
    from bibkg.server.settings import ServerSettings

    corpus_store, endpoint = server
    with_files = ServerSettings(sparql_endpoint=endpoint, store_dir=corpus_store.root)
    with TestClient(create_app(ServerSettings(store_dir=corpus_store.root)), base_url="http://127.0.0.1") as embedded, \
         TestClient(create_app(ServerSettings(sparql_endpoint=endpoint)), base_url="http://127.0.0.1") as external, \
         TestClient(create_app(with_files), base_url="http://127.0.0.1") as files:  # fmt: skip
        yield embedded, external, files


@pytest.fixture(scope="module")
def server(corpus_store, tmp_path_factory: pytest.TempPathFactory):
    """(the corpus store, the endpoint of Oxigraph server loaded with its N-Quads dump)."""
    snapshot = corpus_store.current_snapshot()
    dump = corpus_store.root / "dumps" / snapshot.name / "bibkg.nq"
    if not dump.is_file():
        pytest.skip(f"the store has no published N-Quads dump at {dump}")
    directory = tmp_path_factory.mktemp("external-corpus-oxigraph")
    server = start_external("oxigraph", dump, directory)
    try:
        yield corpus_store, server.endpoint
    finally:
        run_script("stop", str(directory), timeout=60)
        shutil.rmtree(directory, ignore_errors=True)  # the server's store of the full corpus


def _timed(client, method: str, path: str, **kwargs):
    started = time.monotonic()
    response = client.request(method, path, **kwargs)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    assert elapsed < DEADLINE, f"{path}: {elapsed:.1f} s"
    return response


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_queries_answer(apps, name: str) -> None:
    embedded, external, _ = apps
    headers = {"Accept": "application/sparql-results+json"}
    want = _timed(embedded, "GET", f"/queries/{name}", params=NAMED[name], headers=headers).json()
    got = _timed(external, "GET", f"/queries/{name}", params=NAMED[name], headers=headers).json()

    def key(body: dict) -> list[str]:
        return sorted(
            repr(sorted((k, v["value"]) for k, v in b.items() if k != "venues")) for b in body["results"]["bindings"]
        )

    assert key(got) == key(want) and got["results"]["bindings"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer(apps, path: str) -> None:
    embedded, external, _ = apps
    html = _timed(external, "GET", path, headers={"Accept": "text/html"})
    assert html.text == _timed(embedded, "GET", path, headers={"Accept": "text/html"}).text
    rdf = _timed(external, "GET", path, headers={"Accept": "application/n-triples"}).text
    want = _timed(embedded, "GET", path, headers={"Accept": "application/n-triples"}).text
    parse = lambda text: {str(t) for t in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES)}  # noqa: E731
    assert parse(rdf) == parse(want)


def test_graphql_people_and_coauthors(apps) -> None:
    embedded, external, _ = apps
    people = 'query { people(name: "Yang Liu") { totalCount edges { node { id } } } }'
    seed = (
        f'query {{ coauthors(person: "{PERSON}", event: "{EVENT}") {{ totalCount edges {{ count node {{ id }} }} }} }}'
    )
    until = time.monotonic() + 120  # the name index is built once, at startup (~10 s here)
    while external.post("/graphql", json={"query": people}).status_code == 504 and time.monotonic() < until:
        time.sleep(1)
    for query in (people, seed):
        got = _timed(external, "POST", "/graphql", json={"query": query}).json()
        assert "errors" not in got, got
        assert got == _timed(embedded, "POST", "/graphql", json={"query": query}).json()


@pytest.mark.parametrize("path", [*PAGES[:4], "/queries/graph-sizes"])
def test_with_the_snapshot_files(apps, path: str) -> None:
    """``serve --sparql-endpoint URL --store STORE``: the store's cards and kept counts are used
    (the endpoint holds its dump) and every answer is the embedded store's (times:
    ``benchmarks/bench_external.py``, column ``oxigraph+files``)."""
    embedded, _, files = apps
    health = files.get("/health").json()
    assert health["snapshot_files"] == "used", health
    assert files.app.state.services.store.paper_cards is not None
    if path.startswith("/queries/"):
        headers = {"Accept": "application/sparql-results+json"}
        got = _timed(files, "GET", path, headers=headers).json()
        assert got == _timed(embedded, "GET", path, headers=headers).json() and len(got["results"]["bindings"]) > 1000
    else:
        html = _timed(files, "GET", path, headers={"Accept": "text/html"}).text
        assert html == _timed(embedded, "GET", path, headers={"Accept": "text/html"}).text


def test_a_huge_answer_is_not_read_past_the_deadline(server) -> None:
    """Every quad as N-Triples (~700 MB): bibkg used to read it whole in the background after
    answering 504, growing by gigabytes; now it stops reading at its deadline (or cap)."""
    from bibkg.errors import StoreError
    from bibkg.store.remote import RemoteStore

    store = RemoteStore(server[1], timeout=2.0)
    started = time.monotonic()
    with pytest.raises(StoreError, match=r"did not answer within 2 s|larger than"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }", max_bytes=10**10)
    assert time.monotonic() - started < 8.0
    rows = list(RemoteStore(server[1]).query("SELECT * WHERE { ?s ?p ?o }", row_limit=10_001))
    assert len(rows) == 10_001  # asked of the server as LIMIT: 10,001 rows, not 4.1 million
