"""Depth, alias, token and cost limits: on by default, configurable, explained."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bibkg.graphql.router import build_graphql_router
from bibkg.graphql.settings import GraphQLSettings
from bibkg.server.error_responses import install as install_error_handlers

GRJ = "application/graphql-response+json"


def _post(client, query, variables=None):
    return client.post("/graphql", json={"query": query, "variables": variables or {}}, headers={"accept": GRJ})


def _rejected(response, needle):
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body
    assert any(needle in e["message"] for e in body["errors"]), body
    return body


def test_depth_limit(client):
    deep = '{ person(id: "yaodong-yang") { similar { similar { similar { similar { similar { similar { similar { similar { similar { similar { id } } } } } } } } } } } }'
    _rejected(_post(client, deep), "exceeds maximum operation depth")


def test_alias_limit_also_through_fragments(client):
    aliases = " ".join(f'a{i}: paper(id: "2025.acl-long.1141") {{ id }}' for i in range(31))
    _rejected(_post(client, "{ " + aliases + " }"), "aliases")
    fragment_aliases = " ".join(f"b{i}: id" for i in range(31))
    _rejected(
        _post(client, '{ paper(id: "2025.acl-long.1141") { ...F } } fragment F on Paper { ' + fragment_aliases + " }"),
        "aliases",
    )


def test_token_limit(client):
    many = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    _rejected(_post(client, many), "token")


def test_cost_limit_counts_page_sizes(client):
    costly = """query($n: Int, $m: Int = 100) { venue(id: "acl") { papers(first: $n) { edges { node {
        authors { person { papers(first: $m) { edges { node { title authors { printedName } } } } } } } } } } }"""
    body = _rejected(_post(client, costly, {"n": 100}), "query cost")
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"
    # the same document with small pages is fine
    ok = _post(client, costly, {"n": 2, "m": 10})
    assert ok.status_code == 200 and "errors" not in ok.json()


def test_introspection_is_not_limited_by_depth(client):
    from graphql import get_introspection_query

    response = _post(client, get_introspection_query())
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_limits_are_configurable(services, monkeypatch):
    monkeypatch.setenv("BIBKG_GRAPHQL_MAX_DEPTH", "3")
    monkeypatch.setenv("BIBKG_GRAPHQL_MAX_ALIASES", "1")
    settings = GraphQLSettings.from_env()
    assert (settings.max_depth, settings.max_aliases) == (3, 1)
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_graphql_router(services, settings, warm_name_index=False), prefix="/graphql")
    with TestClient(app) as client:
        _rejected(_post(client, '{ person(id: "yaodong-yang") { papers { edges { node { id } } } } }'), "depth")
        _rejected(_post(client, '{ a: venue(id: "acl") { id } b: venue(id: "acl") { id } }'), "aliases")
        assert _post(client, '{ person(id: "yaodong-yang") { id } }').status_code == 200


def test_internal_errors_are_masked(services, catalog):
    from bibkg.read.runner import QueryRunner
    from bibkg.services import Services

    class Broken:
        def query(self, *args, **kwargs):
            raise RuntimeError("secret store path /very/private")

        def close(self):
            pass

    broken = Services(Broken(), catalog, QueryRunner(Broken(), catalog))
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_graphql_router(broken, warm_name_index=False), prefix="/graphql")
    with TestClient(app) as client:
        response = _post(client, '{ paper(id: "2025.acl-long.1141") { title } }')
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert "secret" not in error["message"] and error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


@pytest.mark.parametrize("bad", ['{ person(id: "a b<c") { id } }', '{ paper(id: "x{y}") { id } }'])
def test_malformed_ids_are_user_errors(client, bad):
    body = _post(client, bad).json()
    assert "not a valid" in body["errors"][0]["message"]


def _nested_similar(n: int, levels: int) -> str:
    body = "id"
    for _ in range(levels):
        body = " ".join(f"similar {{ {body} }}" for _ in range(n))
    return '{ person(id: "yaodong-yang") { ' + body + " } }"


@pytest.mark.parametrize(
    "document",
    [
        "{ " + " ".join("venues { id }" for _ in range(490)) + " }",  # 6.9 kB: seconds of validation before
        _nested_similar(7, 3),  # 6 kB: about a second before
        "fragment F on Venue { id acronym } { venues { " + " ".join("...F" for _ in range(300)) + " } }",
    ],
    ids=["repeated", "nested", "spread"],
)
def test_repeated_fields_are_refused_before_graphql_core_validates_them(client, document):
    import time

    started = time.perf_counter()
    body = _rejected(_post(client, document), "under the same name too often")
    # refused by the field-pairs rule (the code below), not by graphql-core's validation; the
    # time bound only catches a blow-up (a busy 2-core machine took over 1 s for the whole request)
    assert time.perf_counter() - started < 5.0
    assert body["errors"][0]["extensions"] == {"code": "FIELD_PAIRS_LIMIT", "maxFieldPairs": 20_000}


def test_fields_repeated_a_few_times_are_fine(client):
    document = """fragment V on Venue { id acronym } fragment W on Venue { id name }
      { venues { id ...V ...W id } person(id: "yaodong-yang") { id name similar { id } similar { name } } }"""
    body = _post(client, document).json()
    assert "errors" not in body, body
    from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

    from bibkg.graphql.limits import field_pairs

    parsed = parse(document)
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    # venues: id ×4 (6 pairs); person: similar ×2 (1 pair, then id/name under it: none)
    assert field_pairs([operation.selection_set], fragments, 20_000) == 7
