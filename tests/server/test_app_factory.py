"""The application factory builds every router at construction, over services that the server
starts when it has opened its store; the server's one settings object carries the GraphQL API's."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient

from bibkg.graphql.settings import GraphQLSettings
from bibkg.server.app import create_app
from bibkg.server.settings import ServerSettings
from bibkg.store.local import LocalStore


def test_every_router_is_built_at_construction(sample_store: LocalStore) -> None:
    settings = ServerSettings(store_dir=sample_store.root, query_workers=1, warm_up_wait=0)
    app = create_app(settings)
    documented = set(app.openapi()["paths"])
    assert {"/sparql", "/queries", "/health", "/graphql"} <= documented
    assert not app.state.services.started  # nothing opened yet: every request waits for the start
    early = TestClient(app, base_url="http://localhost").get("/people/yaodong-yang/")  # no lifespan
    assert early.status_code == 503 and "has not opened its store" in early.text and early.headers["Retry-After"]

    with TestClient(app, base_url="http://localhost") as client:  # the lifespan opens the store
        assert app.state.services.started
        assert client.get("/graphql", params={"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}
        assert "Yaodong Yang" in client.get("/people/yaodong-yang/", headers={"Accept": "text/html"}).text
        assert client.get("/corrections", headers={"Accept": "text/html"}).status_code == 404  # read-only
    app.openapi_schema = None
    assert set(app.openapi()["paths"]) == documented  # nothing was mounted on the way

    writable = create_app(dataclasses.replace(settings, corrections=True))
    with TestClient(writable, base_url="http://localhost") as client:
        assert client.get("/corrections", headers={"Accept": "text/html"}).status_code == 200


def test_one_settings_object() -> None:
    env = {"BIBKG_QUERY_TIMEOUT": "4", "BIBKG_GRAPHQL_MAX_DEPTH": "7", "BIBKG_CORRECTIONS": "yes"}
    settings = ServerSettings.from_env(env)
    assert settings.query_timeout == 4 and settings.corrections
    assert settings.graphql == GraphQLSettings(max_depth=7)
    mine = GraphQLSettings(max_cost=10)
    assert ServerSettings.from_env(env, graphql=mine).graphql is mine
    assert ServerSettings.from_env({}).graphql == GraphQLSettings() and not ServerSettings.from_env({}).corrections
