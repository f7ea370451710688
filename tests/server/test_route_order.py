"""The SPARQL router and the Linked Data router share ``/queries/…`` on one app."""

from __future__ import annotations

import dataclasses

import bibtexparser
from fastapi.testclient import TestClient

from bibkg.server.app import create_app
from bibkg.server.settings import ServerSettings


def _client(sample_store) -> TestClient:
    settings = dataclasses.replace(ServerSettings.from_env(), store_dir=str(sample_store.root))
    return TestClient(create_app(settings), base_url="http://localhost")


def test_query_bibtex_is_not_taken_for_a_query_name(sample_store) -> None:
    with _client(sample_store) as client:
        bib = client.get("/queries/person-papers.bib", params={"person": "yaodong-yang"})
        assert bib.status_code == 200, bib.text
        entries = bibtexparser.loads(bib.text).entries
        assert len(entries) == 7
        csv = client.get(
            "/queries/coauthors-at-event",
            params={"person": "yaodong-yang", "event": "acl-2025"},
            headers={"Accept": "text/csv"},
        )
        assert csv.status_code == 200
        assert len(csv.text.strip().splitlines()) == 1 + 37
        assert client.get("/queries/no-such-query").status_code == 404
        # the read layer's queries are no public API, by either router
        assert client.get("/queries/bib-cite-person", params={"person": "yaodong-yang"}).status_code == 404
        assert client.get("/queries/bib-cite-person.bib", params={"person": "yaodong-yang"}).status_code == 404
