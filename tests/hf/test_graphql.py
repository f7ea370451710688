"""GraphQL over the Daily Papers on the sample with the seed author's preprints."""

from __future__ import annotations

import pytest

from bibkg.store.local import LocalStore


@pytest.fixture(scope="module")
def gql(hf_store: LocalStore):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bibkg.graphql.router import build_graphql_router
    from bibkg.read.runner import QueryRunner
    from bibkg.server.error_responses import install as install_error_handlers
    from bibkg.services import Services
    from bibkg.sparql.catalog import default_catalog
    from bibkg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open(hf_store)
    catalog = default_catalog()
    services = Services(store, catalog, QueryRunner(store, catalog))
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_graphql_router(services, warm_name_index=False), prefix="/graphql")
    with TestClient(app) as client:

        def run(query: str) -> dict:
            response = client.post("/graphql", json={"query": query})
            assert response.status_code == 200, response.text
            return response.json()

        yield run
    store.close()


def test_preprint_with_its_paper_and_linked_authors(gql) -> None:
    body = gql("""{ preprint(arxivId: "2506.06636v2") { arxivId title date authorCount
        publishedAs { score titleSimilarity authorOverlap yearGap method paper { id venues { id } } }
        authors { position printedName link { nameSimilarity alignedPosition person { id name names } } } } }""")
    preprint = body["data"]["preprint"]
    assert preprint["arxivId"] == "2506.06636" and preprint["authorCount"] == 10 and preprint["date"] == "2025-06-07"
    link = preprint["publishedAs"]
    assert link["paper"]["id"] == "2025.findings-acl.721" and link["yearGap"] == 0 and link["score"] >= 0.9
    by_name = {a["printedName"]: a for a in preprint["authors"]}
    dai = by_name["Juntao Dai"]["link"]
    assert dai["person"]["id"] == "juntao-dai" and dai["person"]["name"] == "Josef Dai" and dai["nameSimilarity"] == 1.0
    assert "Juntao Dai" in dai["person"]["names"]
    assert by_name["Yinyu Wu"]["link"]["person"]["id"] == "unverified/yinyu-wu"


def test_paper_and_person_preprints_and_a_day(gql) -> None:
    body = gql("""{ paper(id: "2025.acl-long.1141") { preprints { arxivId } }
        person(id: "yaodong-yang") { preprints { arxivId publishedAs { paper { id } } } }
        dailyPapers(from: "2024-06-01", to: "2024-06-30") { day preprint { arxivId } } }""")
    data = body["data"]
    assert data["paper"]["preprints"] == [{"arxivId": "2406.06144"}]
    assert [p["arxivId"] for p in data["person"]["preprints"]] == [
        "2506.06636",
        "2504.12911",
        "2412.18551",
        "2406.15513",
        "2406.06144",
    ]
    assert all(p["publishedAs"] for p in data["person"]["preprints"])
    assert sorted(e["preprint"]["arxivId"] for e in data["dailyPapers"]) == ["2406.06144", "2406.15513"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('{ preprint(arxivId: "../etc") { title } }', "not an arXiv id"),
        ('{ dailyPapers(day: "June 1") { day } }', "must be a day YYYY-MM-DD"),
        ('{ dailyPapers(day: "2024-06-10", from: "2024-06-01") { day } }', "either 'day' or 'from'"),
    ],
)
def test_bad_arguments_are_user_errors(gql, query: str, message: str) -> None:
    body = gql(query)
    assert not any((body.get("data") or {}).values()) and message in body["errors"][0]["message"]


def test_unknown_preprint_is_null(gql) -> None:
    assert gql('{ preprint(arxivId: "2406.99999") { title } }')["data"] == {"preprint": None}
