"""Fixtures: the session's sample store opened as an OxigraphStore, services, a FastAPI app and a client."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def gql_store(sample_store):
    """``sample_store`` (root conftest) opened as the GraphQL services read it."""
    from bibkg.store.oxigraph import OxigraphStore

    return OxigraphStore.open(sample_store)


@pytest.fixture(scope="session")
def catalog():
    from bibkg.sparql.catalog import QueryCatalog

    return QueryCatalog.load(REPO / "queries")


@pytest.fixture
def services(gql_store, catalog):
    from bibkg.read.runner import QueryRunner
    from bibkg.services import Services

    return Services(gql_store, catalog, QueryRunner(gql_store, catalog))


@pytest.fixture
def app(services):
    from fastapi import FastAPI

    from bibkg.graphql.router import build_graphql_router
    from bibkg.server.error_responses import install as install_error_handlers

    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_graphql_router(services, warm_name_index=False), prefix="/graphql")
    return app


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        yield client


@pytest.fixture
def gql(client):
    """POST a query; return the decoded JSON body (asserting HTTP 200)."""

    def run(query: str, variables: dict | None = None, **headers: str) -> dict:
        response = client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    return run
