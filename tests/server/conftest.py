"""Fixtures of the server tests: a store of the W3C protocol test data, and real uvicorn servers
on 127.0.0.1 (free ports, background threads) over it and over the sample (``sample_store`` of
the root conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from sparql_server_util import RunningServer, start_server

from bibkg.server.settings import ServerSettings
from bibkg.store.local import LocalStore

REPO = Path(__file__).resolve().parents[2]
PROTOCOL_DIR = REPO.parent / "shared" / "conformance" / "w3c-sparql11-protocol"
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="session")
def protocol_store(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    """data1/2/3.nt of the W3C manifest, each loaded into the named graph the manifest names."""
    if not PROTOCOL_DIR.is_dir():
        pytest.skip(f"W3C SPARQL 1.1 Protocol tests not found at {PROTOCOL_DIR}")
    store = LocalStore(tmp_path_factory.mktemp("protocol-store"))
    with store.new_snapshot() as snapshot:
        for n in (1, 2, 3):
            snapshot.load(
                path=str(PROTOCOL_DIR / f"data{n}.nt"),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf"),
            )
    return store


@pytest.fixture(scope="session")
def server(sample_store: LocalStore) -> Iterator[RunningServer]:
    """The sample store with small caps: 2 query workers, 500-row cap, 5 s deadline."""
    running = start_server(
        ServerSettings(store_dir=sample_store.root, query_workers=2, max_rows=500, query_timeout=5.0, queue_wait=3.0)
    )
    yield running
    running.stop()


@pytest.fixture(scope="session")
def protocol_server(protocol_store: LocalStore) -> Iterator[RunningServer]:
    running = start_server(ServerSettings(store_dir=protocol_store.root, query_workers=2))
    yield running
    running.stop()


@pytest.fixture()
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c
