"""Caches of the GraphQL layer: validated documents, costs per variables, encoded responses, ETags."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bibkg.graphql import validation
from bibkg.graphql.response_cache import CachedResponse, ResponseCache
from bibkg.graphql.router import build_graphql_router
from bibkg.graphql.settings import GraphQLSettings
from bibkg.read.runner import QueryRunner
from bibkg.server.error_responses import install as install_error_handlers
from bibkg.services import Services
from bibkg.store.remote import RemoteStore

GRJ = "application/graphql-response+json"
JSON = "application/json"
PAPER = '{ paper(id: "2025.acl-long.1141") { id title year authors { printedName person { id name } } } }'
FIELD_ERROR = '{ paper(id: "2025.acl-long.1141") { title } person(id: "a b<c") { id } }'


def _client(services: Services, settings: GraphQLSettings) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_graphql_router(services, settings, warm_name_index=False), prefix="/graphql")
    return TestClient(app)


def _post(client: TestClient, query: str, variables: dict | None = None, **headers: str) -> httpx.Response:
    return client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


# no row cache: whatever is not answered from the response cache reaches the store
NO_ROWS = GraphQLSettings(cache_entries=0)


def test_repeated_request_is_answered_from_the_response_cache(services):
    with _client(services, NO_ROWS) as client:
        first = _post(client, PAPER)
        before = services.runner.calls
        again = _post(client, PAPER)
        assert services.runner.calls == before  # nothing executed
        other_media = _post(client, PAPER, accept=GRJ)
        assert services.runner.calls > before  # the media type is part of the key
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["etag"] == first.headers["etag"]
    assert other_media.headers["content-type"].startswith(GRJ) and other_media.content == first.content


def test_variables_and_operation_name_are_part_of_the_key(services):
    query = "query P($id: ID!) { paper(id: $id) { id } } query Q { venues { id } }"
    with _client(services, NO_ROWS) as client:

        def ask(operation: str, variables: dict | None = None) -> httpx.Response:
            return client.post("/graphql", json={"query": query, "operationName": operation, "variables": variables})

        a = ask("P", {"id": "2025.acl-long.1141"})
        b = ask("P", {"id": "2025.findings-acl.820"})
        c = ask("Q")
    assert a.json()["data"]["paper"]["id"] == "2025.acl-long.1141"
    assert b.json()["data"]["paper"]["id"] == "2025.findings-acl.820"
    assert "venues" in c.json()["data"]


def test_responses_with_errors_are_not_cached(services):
    with _client(services, NO_ROWS) as client:
        first = _post(client, FIELD_ERROR)
        before = services.runner.calls
        again = _post(client, FIELD_ERROR)
        assert services.runner.calls > before  # executed again
        invalid = _post(client, "{ noSuchField }", accept=GRJ)
    assert first.json()["data"]["paper"]["title"] and first.json()["data"]["person"] is None
    assert first.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert again.json() == first.json()
    assert "etag" not in first.headers and "etag" not in invalid.headers
    assert invalid.status_code == 400


def test_response_cache_off_at_zero(services, monkeypatch):
    monkeypatch.setenv("BIBKG_GRAPHQL_RESPONSE_CACHE_MB", "0")
    settings = GraphQLSettings.from_env(cache_entries=0)
    assert settings.response_cache_mb == 0
    with _client(services, settings) as client:
        first = _post(client, PAPER)
        before = services.runner.calls
        again = _post(client, PAPER)
        assert services.runner.calls > before
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]  # ETags do not need the cache


def test_response_cache_is_bounded_in_bytes():
    cache = ResponseCache(1000)
    for i in range(20):
        cache.put(f"k{i}", CachedResponse(b"x" * 100, '"t"'))
    kept = [i for i in range(20) if cache.get(f"k{i}") is not None]
    assert kept == list(range(20 - len(kept), 20))  # the most recent ones
    assert 1 <= len(kept) <= 1000 // 100
    cache.put("huge", CachedResponse(b"x" * 2000, '"t"'))  # larger than the whole cache
    assert cache.get("huge") is None and cache.get("k19") is not None
    assert not ResponseCache(0).enabled


def test_etag_and_if_none_match(services):
    with _client(services, GraphQLSettings()) as client:
        get = client.get("/graphql", params={"query": PAPER})
        tag = get.headers["etag"]
        assert tag.startswith('"') and tag.endswith('"')
        not_modified = client.get("/graphql", params={"query": PAPER}, headers={"if-none-match": tag})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == tag
        weak = client.get("/graphql", params={"query": PAPER}, headers={"if-none-match": f'"other", W/{tag}'})
        assert weak.status_code == 304
        other = client.get("/graphql", params={"query": PAPER}, headers={"if-none-match": '"other"'})
        assert other.status_code == 200 and other.content == get.content
        post = client.post("/graphql", json={"query": PAPER}, headers={"if-none-match": tag})
        assert post.status_code == 200 and post.content == get.content


def _remote_over(gql_store, calls: list[str]) -> RemoteStore:
    """A RemoteStore whose endpoint answers from the sample store (an in-process transport)."""

    def answer(request: httpx.Request) -> httpx.Response:
        text = request.content.decode()
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            text = parse_qs(text)["query"][0]  # the store posts the SPARQL protocol's form
        calls.append(text)
        result = gql_store.native.query(text, use_default_graph_as_union=True)
        return httpx.Response(
            200,
            content=result.serialize(format=ox.QueryResultsFormat.JSON),
            headers={"content-type": "application/sparql-results+json"},
        )

    return RemoteStore("http://sparql.example/query", client=httpx.Client(transport=httpx.MockTransport(answer)))


def test_nothing_is_reused_across_requests_over_a_remote_store(gql_store, catalog):
    calls: list[str] = []
    remote = _remote_over(gql_store, calls)
    services = Services(remote, catalog, QueryRunner(remote, catalog))
    with _client(services, GraphQLSettings()) as client:
        first = _post(client, PAPER)
        before = len(calls)
        again = _post(client, PAPER)
    assert first.json()["data"]["paper"]["title"].startswith("Language Models Resist Alignment")
    assert again.content == first.content
    assert len(calls) == 2 * before  # neither the response nor the rows were kept


def test_validation_runs_once_per_document(services, monkeypatch):
    validated: list[object] = []
    original = validation.validate_document

    def counting(schema, document, rules):
        validated.append(document)
        return original(schema, document, rules)

    monkeypatch.setattr(validation, "validate_document", counting)
    query = "query($id: ID!) { paper(id: $id) { id } }"
    with _client(services, GraphQLSettings(response_cache_mb=0)) as client:
        for ident in ("2025.acl-long.1141", "2025.findings-acl.820", "2025.acl-long.1141"):
            assert _post(client, query, {"id": ident}).json()["data"]["paper"]["id"] == ident
        _post(client, "{ venues { id } }")
    assert len(validated) == 2


def test_cost_is_checked_per_variables_after_caching(client):
    costly = """query($n: Int) { venue(id: "acl") { papers(first: $n) { edges { node {
        authors { person { papers(first: 100) { edges { node { title } } } } } } } } } }"""
    for n, refused in ((100, True), (1, False), (100, True), (1, False)):
        response = _post(client, costly, {"n": n}, accept=GRJ)
        body = response.json()
        if refused:
            assert response.status_code == 400 and "data" not in body
            extensions = body["errors"][0]["extensions"]
            assert extensions["code"] == "COST_LIMIT" and extensions["cost"] > extensions["maxCost"] == 25_000
        else:
            assert response.status_code == 200 and "errors" not in body


@pytest.mark.parametrize("allow", [True, False])
def test_introspection_switch(services, allow):
    with _client(services, GraphQLSettings(allow_introspection=allow)) as client:
        for _ in range(2):  # the second time from the document cache
            body = _post(client, "{ __schema { queryType { name } } }").json()
            assert ("errors" not in body) is allow
