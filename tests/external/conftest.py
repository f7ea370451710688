"""Fixtures of the external-server tests: the same bibkg API over the embedded store and over
real external SPARQL servers (Oxigraph server, Virtuoso) loaded with the same data.

The servers are installed and started by the repo's own script, ``scripts/external-servers.sh``
(as CI does: ``scripts/test.sh`` installs them first), on free loopback ports, once per session.
A server that cannot be installed here (no root, no apt, no network) skips its tests with the
script's reason — except under ``CI=true``, where that is a failure: CI must run them.

* ``sample_dump``    the sample store (``sample_store`` of the root conftest) and its N-Quads dump
* ``external``       (parametrized: ``oxigraph``, ``virtuoso``) a running server: its endpoint
* ``embedded_app`` / ``external_app``   TestClients of bibkg over the embedded store / the server

Virtuoso is started with ``ResultSetMaxRows`` = :data:`VIRTUOSO_TEST_MAX_ROWS` so that the
paging of capped results is exercised on the small sample too.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from external_support import SERVERS, VIRTUOSO_TEST_MAX_ROWS, External, run_script, start_external


@pytest.fixture(scope="session")
def sample_dump(tmp_path_factory: pytest.TempPathFactory, sample_store):
    """(LocalStore with the sample, path of its N-Quads dump)."""
    store = sample_store
    dump = tmp_path_factory.mktemp("external-dump") / "bibkg.nq"
    subprocess.run(
        [sys.executable, "-m", "bibkg", "export", "--store", str(store.root), "--format", "nquads", "-o", str(dump), "--quiet"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return store, dump


@pytest.fixture(scope="session", params=SERVERS)
def external(
    request: pytest.FixtureRequest, sample_dump, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[External]:
    kind = request.param
    directory = tmp_path_factory.mktemp(f"external-{kind}")
    env = {"BIBKG_VIRTUOSO_MAX_ROWS": str(VIRTUOSO_TEST_MAX_ROWS)} if kind == "virtuoso" else None
    server = start_external(kind, sample_dump[1], directory, env)
    yield server
    run_script("stop", str(directory), timeout=60)


def _client(settings):
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app

    return TestClient(create_app(settings), base_url="http://127.0.0.1")


@pytest.fixture(scope="session")
def embedded_app(sample_dump):
    from bibkg.server.settings import ServerSettings

    with _client(ServerSettings(store_dir=sample_dump[0].root, query_workers=1, query_timeout=20.0)) as client:
        yield client


@pytest.fixture(scope="session")
def external_app(external: External):
    from bibkg.server.settings import ServerSettings

    with _client(ServerSettings(sparql_endpoint=external.endpoint, query_timeout=20.0)) as client:
        client.external = external  # type: ignore[attr-defined]
        yield client
