"""Refused requests do not flood the log; unexpected errors are logged once, with their traceback.

strawberry logs every error of every request at ERROR with a traceback (``strawberry.execution``),
so a client sending bad documents filled the log; :class:`bibkg.graphql.schema.BibkgSchema`
logs a user's errors at DEBUG and only unexpected ones at ERROR.
"""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bibkg.graphql.router import build_graphql_router
from bibkg.graphql.settings import GraphQLSettings
from bibkg.server.error_responses import install as install_error_handlers

REFUSED = [
    "{ person(id: ",  # syntax
    "{ nosuchfield }",  # validation
    '{ person(id: "yaodong-yang") { papers { edges { node { authors { person { papers { edges { node { '
    "authors { person { papers { edges { node { id } } } } } } } } } } } } } } }",  # depth
    '{ paper(id: "not an id") { id } }',  # malformed id
    '{ person(id: "yaodong-yang") { papers(event: "acl-2052") { totalCount } } }',  # unknown id
    '{ coauthors(name: "Nobody Hasthisname") { totalCount } }',  # not found
    """{ venue(id: "acl") { papers(first: 100) { edges { node { authors { person {
        papers(first: 100) { edges { node { title } } } } } } } } } }""",  # cost
]


def _app(services, settings: GraphQLSettings | None = None) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(
        build_graphql_router(services, settings or GraphQLSettings(), warm_name_index=False), prefix="/graphql"
    )
    return app


def test_refused_requests_are_logged_below_info(services, caplog):
    caplog.set_level(logging.DEBUG)
    with TestClient(_app(services)) as client:
        for query in REFUSED:
            body = client.post("/graphql", json={"query": query}).json()
            assert body.get("errors"), (query, body)
    loud = [
        r for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith(("strawberry", "bibkg.graphql"))
    ]
    assert loud == [], [(r.name, r.levelname, r.getMessage()[:80]) for r in loud]
    refused = [r for r in caplog.records if r.name == "bibkg.graphql" and r.levelno == logging.DEBUG]
    assert len(refused) >= len(REFUSED) and all(r.exc_info is None for r in refused)


@pytest.mark.parametrize("mask", [True, False])
def test_an_unexpected_error_is_logged_once_with_its_traceback(services, catalog, caplog, mask):
    from bibkg.read.runner import QueryRunner
    from bibkg.services import Services

    class Broken:
        def query(self, *args, **kwargs):
            raise RuntimeError("the store is gone")

        def close(self):
            pass

    broken = Services(Broken(), catalog, QueryRunner(Broken(), catalog))
    caplog.set_level(logging.DEBUG)
    with TestClient(_app(broken, GraphQLSettings(mask_errors=mask))) as client:
        body = client.post("/graphql", json={"query": '{ paper(id: "2025.acl-long.1141") { title } }'}).json()
    assert body["errors"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [(r.name, r.getMessage()[:80]) for r in errors]
    assert errors[0].name == "bibkg.graphql" and "the store is gone" in errors[0].getMessage()
    assert errors[0].exc_info and isinstance(errors[0].exc_info[1], RuntimeError)
