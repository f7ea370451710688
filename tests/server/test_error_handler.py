"""A bibkg error that a route lets through is answered with the status its class carries and its
message, as plain text, never a traceback (bibkg.errors, bibkg.server.error_responses)."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from bibkg.errors import BibkgError, QueryError, StoreBusy, StoreError, UnknownEntityError
from bibkg.server.app import create_app
from bibkg.server.settings import ServerSettings
from bibkg.sparql.catalog import ParameterError, UnknownQueryError
from bibkg.sparql.terms import TermError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UnknownEntityError("no person 'nobody-at-all' in the graph"), 404),
        (UnknownQueryError("nope", ["person-papers"]), 404),
        (QueryError("line 1, column 7: syntax error"), 400),
        (ParameterError("parameter 'person' is missing"), 400),
        (TermError("'<x' is not an IRI"), 400),
        (StoreBusy("another ingest is writing"), 503),
        (StoreError("the store is gone"), 503),
        (BibkgError("an error of bibkg itself"), 500),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_an_error_a_route_lets_through_gets_its_status_and_message(sample_store, error, status) -> None:
    app = create_app(dataclasses.replace(ServerSettings.from_env(), store_dir=str(sample_store.root)))

    @app.get("/test-raises")
    async def raises() -> None:
        raise error

    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        answer = client.get("/test-raises")
        assert client.get("/health").status_code == 200  # the server goes on
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/plain")
    assert str(error) in answer.text and "Traceback" not in answer.text and 'File "' not in answer.text
