"""GraphQL coauthors across sources (``sources: [ANTHOLOGY, PREPRINTS]``) against the named query
``coauthors-across-sources`` over the same store, the default against the recorded answers, bad
input, and the same on the full corpus with every shared Daily Papers file."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bibkg.hf.ingest import ingest_hf
from bibkg.store.local import LocalStore

from .conftest import select
from .test_queries import run as run_named

YY = "https://aclanthology.org/people/yaodong-yang/"
EXTRA_PAPER = "https://aclanthology.org/2025.findings-acl.820/"
EXTRA_NAME = "Ada Example"
GRJ = "application/graphql-response+json"

EDGES = """person { id } totalCount paperCount preprintCount
    edges { count preprintCount node { iri name } papers { id } preprints { arxivId publishedAs { paper { id } } } }
    unlinkedCoauthors { name preprintCount preprints { arxivId } }"""


@pytest.fixture(scope="module")
def store(hf_store: LocalStore, tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    """The sample with the seed author's preprints, plus one day listing a preprint of one of his
    papers that has none (2025.findings-acl.820): its Anthology authors and one more, a name no
    Anthology paper prints — a coauthor the preprints alone know."""
    root = tmp_path_factory.mktemp("hf-coauthors")
    local = hf_store.clone(root / "store")
    [(title,)] = select(local, f"SELECT ?t WHERE {{ <{EXTRA_PAPER}> bibkg:title ?t }}")
    authors = [
        name
        for (_pos, name) in sorted(
            (int(pos), name)
            for pos, name in select(
                local,
                f"""SELECT ?pos ?name WHERE {{
            <{EXTRA_PAPER}> bibkg:authorship ?a . ?a bibkg:position ?pos ; bibkg:printedName/bibkg:fullName ?name }}""",
            )
        )
    ]
    assert authors, "the sample no longer has the paper this fixture extends"
    paper = {
        "id": "2502.00820",
        "title": title,
        "publishedAt": "2025-02-03T00:00:00.000Z",
        "authors": [{"name": n, "hidden": False} for n in [*authors, EXTRA_NAME]],
    }
    day = root / "day"
    day.mkdir()
    (day / "2025-02-04.json").write_text(json.dumps([{"paper": paper, "title": title}]), encoding="utf-8")
    ingest_hf(local, [day])
    linked = select(local, "SELECT ?p WHERE { <https://arxiv.org/abs/2502.00820> bibkg:publishedAs ?p }")
    assert linked == [[EXTRA_PAPER]], "the extra preprint is not linked to its paper"
    return local


def _client(local: LocalStore) -> Iterator[Callable[..., httpx.Response]]:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bibkg.graphql.router import build_graphql_router
    from bibkg.read.runner import QueryRunner
    from bibkg.server.error_responses import install as install_error_handlers
    from bibkg.services import Services
    from bibkg.sparql.catalog import default_catalog
    from bibkg.store.oxigraph import OxigraphStore

    opened = OxigraphStore.open(local)
    catalog = default_catalog()
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    # without the data sizes' count (10 s on the full corpus, which the server does before it
    # opens its port): the cost model's static estimates apply
    app.include_router(
        build_graphql_router(
            Services(opened, catalog, QueryRunner(opened, catalog)), warm_name_index=False, count_sizes=False
        ),
        prefix="/graphql",
    )
    with TestClient(app) as client:

        def post(query: str, variables: dict | None = None, accept: str = "application/json") -> httpx.Response:
            return client.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers={"accept": accept}
            )

        yield post
    opened.close()


@pytest.fixture(scope="module")
def post(store: LocalStore) -> Iterator[Callable[..., httpx.Response]]:
    yield from _client(store)


def _data(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def _named(local: LocalStore, person: str) -> dict[str, tuple[str | None, int, int]]:
    """``coauthors-across-sources``: name → (person IRI or None, shared papers, shared preprints)."""
    return {
        r["name"]: (r.get("coauthor"), int(r["papers"]), int(r["preprints"]))
        for r in run_named(local, "coauthors-across-sources", person=person)
    }


def _as_named(connection: dict) -> dict[str, tuple[str | None, int, int]]:
    """The connection in the shape of :func:`_named` (edges and unlinked names)."""
    found = {e["node"]["name"]: (e["node"]["iri"], e["count"], e["preprintCount"]) for e in connection["edges"]}
    for u in connection["unlinkedCoauthors"]:
        assert u["name"] not in found
        found[u["name"]] = (None, 0, u["preprintCount"])
    return found


def test_both_sources_agree_with_the_named_query(post, store: LocalStore) -> None:
    data = _data(post(f'{{ coauthors(person: "yaodong-yang", sources: [ANTHOLOGY, PREPRINTS]) {{ {EDGES} }} }}'))
    both = data["coauthors"]
    named = _named(store, "yaodong-yang")
    assert _as_named(both) == named
    assert both["totalCount"] == len(both["edges"]) == sum(1 for c, _p, _pp in named.values() if c)
    assert (both["paperCount"], both["preprintCount"]) == (7, 6)
    # the coauthor only the preprints know: a printed name, not a person
    assert both["unlinkedCoauthors"] == [
        {"name": EXTRA_NAME, "preprintCount": 1, "preprints": [{"arxivId": "2502.00820"}]}
    ]
    # printed "Juntao Dai" on arXiv is the person printed "Josef Dai" in the Anthology: one edge
    dai = next(e for e in both["edges"] if e["node"]["iri"].endswith("/people/juntao-dai/"))
    assert (dai["count"], dai["preprintCount"]) == (4, 4)
    assert [p["arxivId"] for p in dai["preprints"]] == ["2406.06144", "2406.15513", "2502.00820", "2506.06636"]
    assert {p["publishedAs"]["paper"]["id"] for p in dai["preprints"]} <= {p["id"] for p in dai["papers"]}
    # ordered by shared papers plus preprints, then name
    keys = [(-(e["count"] + e["preprintCount"]), e["node"]["name"]) for e in both["edges"]]
    assert keys == sorted(keys)
    # Person.coauthors answers the same
    nested = _data(
        post(f'{{ person(id: "yaodong-yang") {{ coauthors(sources: [PREPRINTS, ANTHOLOGY]) {{ {EDGES} }} }} }}')
    )
    assert nested["person"]["coauthors"] == both


def test_preprints_alone(post, store: LocalStore) -> None:
    data = _data(post(f'{{ coauthors(person: "yaodong-yang", sources: PREPRINTS) {{ {EDGES} }} }}'))["coauthors"]
    named = {n: pp for n, (_c, _p, pp) in _named(store, "yaodong-yang").items() if pp}
    assert {n: pp for n, (_c, p, pp) in _as_named(data).items()} == named
    assert data["paperCount"] == 0 and data["preprintCount"] == 6
    assert all(e["count"] == 0 and e["papers"] == [] for e in data["edges"])


def test_scope_counts_preprints_published_there(post) -> None:
    query = """{ event: coauthors(person: "yaodong-yang", event: "acl-2025", sources: [ANTHOLOGY, PREPRINTS]) {
        preprintCount edges { node { id } preprints { publishedAs { paper { id } } } } }
      main: coauthors(person: "yaodong-yang", venue: "acl", year: 2025, sources: [ANTHOLOGY, PREPRINTS]) {
        paperCount preprintCount unlinkedCoauthors { name } edges { node { id } preprints { publishedAs { paper { id } } } } }
      y2025: coauthors(person: "yaodong-yang", year: 2025, sources: PREPRINTS) { preprintCount unlinkedCoauthors { name } }
      y2024: coauthors(person: "yaodong-yang", year: 2024, sources: PREPRINTS) { preprintCount totalCount } }"""
    data = _data(post(query))
    # the naacl-2025 demo's preprint is outside acl-2025; Findings are inside, not in venue acl
    assert data["event"]["preprintCount"] == 5
    assert data["main"]["preprintCount"] == 2 and data["main"]["paperCount"] == 2
    published = {p["publishedAs"]["paper"]["id"] for e in data["main"]["edges"] for p in e["preprints"]}
    assert published == {"2025.acl-long.1141", "2025.acl-long.1544"}
    assert data["main"]["unlinkedCoauthors"] == []  # the extra preprint is a Findings paper
    # a year is the year of the paper a preprint was published as (every one here: 2025)
    assert data["y2025"] == {"preprintCount": 6, "unlinkedCoauthors": [{"name": EXTRA_NAME}]}
    assert data["y2024"] == {"preprintCount": 0, "totalCount": 0}


def test_default_is_todays_answer(post, store: LocalStore, repo_root: Path) -> None:
    """With preprints in the store, every recorded answer of tests/graphql (the coauthor fields
    without ``sources`` among them) stays as it was on the Anthology alone."""
    from bibkg.graphql.settings import GraphQLSettings
    from bibkg.read.runner import QueryRunner
    from bibkg.services import Services
    from bibkg.sparql.catalog import default_catalog
    from bibkg.store.oxigraph import OxigraphStore

    path = repo_root / "tests" / "graphql" / "test_gql_answers.py"
    spec = importlib.util.spec_from_file_location("_gql_answers", path)
    assert spec and spec.loader
    answers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(answers)
    expected = json.loads(answers.GOLDEN.read_text(encoding="utf-8"))
    opened = OxigraphStore.open(store)
    try:
        catalog = default_catalog()
        services = Services(opened, catalog, QueryRunner(opened, catalog))
        got = json.loads(json.dumps(asyncio.run(answers._answers(services, GraphQLSettings(max_cost=1_000_000)))))
    finally:
        opened.close()
    assert got == expected
    assert got["coauthors-root"]["data"]["coauthors"]["edges"]  # not a vacuous comparison
    explicit = answers.QUERIES["coauthors-root"].replace(
        'event: "acl-2025")', 'event: "acl-2025", sources: [ANTHOLOGY])'
    )
    assert explicit != answers.QUERIES["coauthors-root"]
    assert post(explicit).json()["data"] == expected["coauthors-root"]["data"]
    data = _data(post(f'{{ coauthors(person: "yaodong-yang") {{ {EDGES} }} }}'))["coauthors"]
    assert data["preprintCount"] == 0 and data["unlinkedCoauthors"] == []
    assert all(e["preprintCount"] == 0 and e["preprints"] == [] for e in data["edges"])


def test_bad_sources(post) -> None:
    for query, variables, needle in (
        ('{ coauthors(person: "yaodong-yang", sources: [ANTHOLOGY, ARXIV]) { totalCount } }', None, "'Source'"),
        ('{ person(id: "yaodong-yang") { coauthors(sources: "PREPRINTS") { totalCount } } }', None, "Source"),
        # a variable's value its type refuses is the client's error too, never a masked internal one
        (
            'query($s: [Source!]!) { coauthors(person: "yaodong-yang", sources: $s) { totalCount } }',
            {"s": ["arxiv"]},
            "Value 'arxiv' does not exist in 'Source' enum",
        ),
        (
            'query($n: Int) { coauthors(person: "yaodong-yang", first: $n) { totalCount } }',
            {"n": "x"},
            "Int cannot represent",
        ),
    ):
        response = post(query, variables, accept=GRJ)
        assert response.status_code == 400, response.text
        body = response.json()
        assert "data" not in body and needle in body["errors"][0]["message"], body
    body = post('{ coauthors(person: "yaodong-yang", sources: []) { totalCount } }').json()
    assert body["data"] is None and "'sources' is empty" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.corpus
def test_full_corpus_with_every_shared_day(corpus_store: LocalStore, corpus_hf) -> None:
    """The full Anthology (Aug 2024) with all shared Daily Papers days: for the persons with the
    most linked preprints, both sources agree with the named query, and the default does not
    change when preprints are in the store."""
    local, _first, _last = corpus_hf
    before = {}
    for post in _client(corpus_store):
        before = _data(
            post('{ coauthors(person: "muhammad-abdul-mageed") { totalCount paperCount edges { count node { id } } } }')
        )
    persons = [
        r[0]
        for r in select(
            local,
            """SELECT ?p (COUNT(DISTINCT ?pre) AS ?n) WHERE {
        ?pre bibkg:preprintAuthorship/bibkg:linkedPerson ?p } GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT 3""",
        )
    ]
    assert len(persons) == 3
    for post in _client(local):
        for iri in persons:
            slug = iri.removeprefix("https://aclanthology.org/people/").rstrip("/")
            both = _every_page(post, slug)
            assert _as_named(both) == _named(local, slug), slug
            assert both["preprintCount"] >= 1 and len(both["edges"]) == both["totalCount"]
        after = _data(
            post('{ coauthors(person: "muhammad-abdul-mageed") { totalCount paperCount edges { count node { id } } } }')
        )
        assert after == before and after["coauthors"]["totalCount"] > 50


def _every_page(post: Callable[..., httpx.Response], slug: str) -> dict:
    """Both sources' coauthors of ``slug``, every page of edges (a page holds at most 100)."""
    query = f"""query($after: String) {{ coauthors(person: "{slug}", sources: [ANTHOLOGY, PREPRINTS], after: $after) {{
        {EDGES} pageInfo {{ hasNextPage endCursor }} }} }}"""
    pages, after = [], None
    while True:
        page = _data(post(query, {"after": after}))["coauthors"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert len(pages) < 50, "the cursors do not advance"
    first = dict(pages[0], edges=[e for page in pages for e in page["edges"]])
    del first["pageInfo"]
    return first
