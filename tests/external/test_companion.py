"""``bibkg serve --sparql-endpoint URL --store STORE``: the snapshot an external server was
loaded from lends its paper cards and kept counts (``bibkg.store.companion``), only while the
server holds that snapshot's data, and every answer stays the embedded store's."""

from __future__ import annotations

import pytest

PAGES = ["/volumes/2025.acl-long/", "/people/yaodong-yang/", "/venues/acl/", "/events/acl-2025/"]


def _client(settings):
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app

    return TestClient(create_app(settings), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def with_files(external, sample_dump):
    from bibkg.server.settings import ServerSettings

    settings = ServerSettings(sparql_endpoint=external.endpoint, store_dir=sample_dump[0].root, query_timeout=20.0)
    with _client(settings) as client:
        yield client


@pytest.fixture(scope="module")
def other_store(tmp_path_factory: pytest.TempPathFactory):
    """A store of other data: the sample without one of its collection files."""
    import shutil

    from bibkg import config
    from bibkg.ingest import run_ingest
    from bibkg.store.local import LocalStore

    data = tmp_path_factory.mktemp("other-data") / "data"
    shutil.copytree(config.sample_datadir(), data)
    xml = sorted((data / "xml").glob("*.xml"))
    xml[0].unlink()
    store = LocalStore(tmp_path_factory.mktemp("other-store"))
    run_ingest(data, store, jobs=1)
    return store


def test_the_files_are_used_and_change_no_answer(with_files, embedded_app) -> None:
    health = with_files.get("/health").json()
    assert health["status"] == "ok" and health["snapshot_files"] == "used", health
    assert with_files.app.state.services.store.paper_cards is not None
    for path in PAGES:
        got = with_files.get(path, headers={"Accept": "text/html"})
        assert got.status_code == 200, (path, got.text[:300])
        assert got.text == embedded_app.get(path, headers={"Accept": "text/html"}).text, path
    headers = {"Accept": "application/sparql-results+json"}
    sizes = with_files.get("/queries/graph-sizes", headers=headers).json()
    assert sizes == embedded_app.get("/queries/graph-sizes", headers=headers).json()
    assert len(sizes["results"]["bindings"]) > 3


def test_the_files_of_other_data_are_not_used(external, other_store, embedded_app) -> None:
    from bibkg.server.settings import ServerSettings

    settings = ServerSettings(sparql_endpoint=external.endpoint, store_dir=other_store.root, query_timeout=20.0)
    with _client(settings) as client:
        health = client.get("/health").json()
        assert health["status"] == "ok", health
        assert health["snapshot_files"].startswith("not used: the endpoint's data is not the snapshot of"), health
        assert "there," in health["snapshot_files"] and "in the snapshot" in health["snapshot_files"]
        assert client.app.state.services.store.paper_cards is None
        headers = {"Accept": "application/sparql-results+json"}
        sizes = client.get("/queries/graph-sizes", headers=headers).json()  # the endpoint's, not the files'
        assert sizes == embedded_app.get("/queries/graph-sizes", headers=headers).json()
        page = "/volumes/2025.acl-long/"
        assert client.get(page).text == embedded_app.get(page).text


def test_serve_refuses_a_missing_store_with_an_endpoint(external, tmp_path) -> None:
    import subprocess
    import sys

    missing = tmp_path / "no-store"
    done = subprocess.run(
        [sys.executable, "-m", "bibkg", "serve", "--sparql-endpoint", external.endpoint, "--store", str(missing)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert f"store {missing}: no graph in this store" in done.stderr
    assert "Traceback" not in done.stderr
