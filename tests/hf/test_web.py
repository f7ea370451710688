"""HTML for the Daily Papers on the sample with the seed author's preprints: a day's listing,
the preprints on person and paper pages."""

from __future__ import annotations

import pytest

from bibkg.store.local import LocalStore


@pytest.fixture(scope="module")
def client(hf_store: LocalStore):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bibkg import config
    from bibkg.read.runner import QueryRunner
    from bibkg.server.error_responses import install as install_error_handlers
    from bibkg.services import Services
    from bibkg.sparql.catalog import QueryCatalog
    from bibkg.store.oxigraph import OxigraphStore
    from bibkg.web.routes import build_router

    store = OxigraphStore.open(hf_store)
    catalog = QueryCatalog.load(config.queries_dir())
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_router(Services(store, catalog, QueryRunner(store, catalog)), hf_store))
    with TestClient(app) as c:
        yield c
    store.close()


def test_day_listing(client) -> None:
    r = client.get("/daily-papers/2025-06-07", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "SafeLawBench: Towards Safe Alignment of Large Language Models" in html
    assert "10 authors" in html and "arXiv 2025-06-07" in html
    assert 'published as <a href="/2025.findings-acl.721/">2025.findings-acl.721</a> at ' in html
    assert "ACL 2025" in html and "→" in html


def test_day_errors(client) -> None:
    assert client.get("/daily-papers/2025-06-08").status_code == 404
    r = client.get("/daily-papers/yesterday", headers={"Accept": "text/html"})
    assert r.status_code == 400 and "YYYY-MM-DD" in r.text


def test_person_and_paper_pages_show_preprints(client) -> None:
    person = client.get("/people/juntao-dai/", headers={"Accept": "text/html"}).text
    assert '<section class="preprints"><h2>Preprints <span class="count">3</span>' in person
    assert "2406.06144" in person and "published as" in person
    paper = client.get("/2025.acl-long.1544/", headers={"Accept": "text/html"}).text
    assert "PKU-SafeRLHF" in paper and "https://arxiv.org/abs/2406.15513" in paper
    # a person without preprints (an editor of ACL 2025) gets no section
    editor = client.get("/people/wanxiang-che/unverified/", headers={"Accept": "text/html"})
    assert editor.status_code == 200 and 'class="preprints"' not in editor.text
