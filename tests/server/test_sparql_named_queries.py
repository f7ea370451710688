"""Every named query, of queries/ and of the read layer (src/bibkg/read/queries/), parses, has a
complete header, binds its parameters as RDF terms and runs against the sample in-process; the
public ones also over HTTP and through ``bibkg query --name``, where an internal one is unknown."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pyoxigraph as ox
import pytest

from bibkg.read.runner import rows
from bibkg.server.worker_snapshots import open_store
from bibkg.sparql.catalog import QueryCatalog

CATALOG = QueryCatalog.load()
OURS = CATALOG.public()
INTERNAL = [q for q in CATALOG if q.internal]
EXPECT_ROWS = {
    "coauthors-at-event": 37,
    "coauthors-at-venue-year": 15,
    "person-papers": 7,
    "person-venues": 3,
    "person-names": 2,
    "event-papers": 6,
    "event-editors": 4,
    "venue-year-top-authors": 10,
    "venue-years": 1,
    "persons-with-orcid": 1,
    "persons-several-names": 2,
}


def test_at_least_a_dozen_more() -> None:
    assert len(OURS) >= 16


@pytest.mark.parametrize("query", CATALOG, ids=[q.name for q in CATALOG])
def test_header_and_run(query, sample_store) -> None:
    assert query.summary
    for p in query.params:
        if p.required or not query.name.startswith("gql-"):  # GraphQL's internal queries have optional filters
            assert p.example is not None or p.default is not None, f"{query.name}: parameter {p.name} needs an example"
        assert f"?{p.name}" in query.text
    store = open_store(("snapshot", str(sample_store.current_snapshot())))
    bindings = query.bind({p.name: p.example for p in query.params if p.example is not None})
    for name, term in bindings.items():
        assert isinstance(term, ox.NamedNode | ox.Literal), name
    result = store.query(query.text, bindings=bindings)
    if isinstance(result, ox.QuerySolutions):
        got = rows(result)
        if query.name in EXPECT_ROWS:
            assert len(got) == EXPECT_ROWS[query.name]
        # parameters are projected (pyoxigraph substitutions need it) and come back bound
        for name, term in bindings.items():
            assert all(r.get(name) == term for r in got), name


def test_person_names_counts_printings(sample_store) -> None:
    store = open_store(("snapshot", str(sample_store.current_snapshot())))
    q = CATALOG["person-names"]
    got = rows(store.query(q.text, bindings=q.bind({"person": "yaodong-yang"})))
    assert got[0]["canonical"].value == "true"
    assert sum(int(r["printed"].value) for r in got) >= 7  # one per paper at least


def test_person_papers_by_year(sample_store) -> None:
    store = open_store(("snapshot", str(sample_store.current_snapshot())))
    q = CATALOG["person-papers"]
    got = rows(store.query(q.text, bindings=q.bind({"person": "yaodong-yang"})))
    years = [int(r["year"].value) for r in got]
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize("query", OURS, ids=[q.name for q in OURS])
def test_over_http(query, client: httpx.Client) -> None:
    params = {p.name: p.example for p in query.params if p.example is not None}
    r = client.get(f"/queries/{query.name}", params=params)
    assert r.status_code == 200, r.text
    if query.name in EXPECT_ROWS:
        assert len(r.json()["results"]["bindings"]) == EXPECT_ROWS[query.name]


def test_internal_not_over_http(client: httpx.Client) -> None:
    """No internal query runs by name over HTTP: the 404 of a name that does not exist."""
    assert len(INTERNAL) >= 60
    unknown = client.get("/queries/no-such-query")
    for query in INTERNAL:
        params = {p.name: p.example for p in query.params if p.example is not None}
        r = client.get(f"/queries/{query.name}", params=params)
        assert r.status_code == 404, (query.name, r.text)
        assert r.text == unknown.text.replace("no-such-query", query.name)


def test_cli_named_query(sample_store) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bibkg",
            "query",
            "--store",
            str(sample_store.root),
            "--name",
            "coauthors-at-event",
            "--param",
            "person=yaodong-yang",
            "--param",
            "event=acl-2025",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    assert data["results"]["bindings"][0]["name"]["value"] == "Jiaming Ji"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "bibkg",
            "query",
            "--store",
            str(sample_store.root),
            "--name",
            "venue-years",
            "--param",
            "venue=a b",
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "not a venue id" in bad.stderr


def test_serve_help() -> None:
    out = subprocess.run([sys.executable, "-m", "bibkg", "serve", "--help"], capture_output=True, text=True, check=True)
    for flag in ("--store", "--host", "--port", "--workers", "--sparql-endpoint", "--timeout"):
        assert flag in out.stdout
