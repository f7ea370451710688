"""Fixtures of the Daily Papers tests: the bundled sample with the seed author's preprints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bibkg.hf.ingest import ingest_hf
from bibkg.store.local import LocalStore

PREFIX = "PREFIX bibkg: <https://w3id.org/bibkg/ns#>\n"


@pytest.fixture(scope="session")
def seed_dir(repo_root: Path) -> Path:
    return repo_root / "data" / "hf-daily-papers"


@pytest.fixture(scope="session")
def hf_store(tmp_path_factory: pytest.TempPathFactory, sample_copy, seed_dir: Path) -> LocalStore:
    store = sample_copy(tmp_path_factory.mktemp("hf-sample"))
    ingest_hf(store, [seed_dir])
    return store


def select(store: LocalStore, query: str) -> list[list[str | None]]:
    """Rows of a SELECT over the union of the store's graphs, as strings."""
    return [
        [term.value if term is not None else None for term in row]
        for row in store.open_read().query(PREFIX + query, use_default_graph_as_union=True)
    ]


@pytest.fixture(scope="package")
def corpus_hf(corpus_store: LocalStore, tmp_path_factory: pytest.TempPathFactory):
    """A clone of the full-corpus store with every shared Daily Papers day: all days but the
    last added at once, then the last one as a new day; with the two ingest reports. Read-only;
    removed when this package's tests are done (gigabytes on disk)."""
    from bibkg.hf.reader import read_listings
    from bibkg.store.snapshot_dumps import DumpManifest

    from .test_reader import HF_CORPUS

    if not HF_CORPUS.is_dir():
        pytest.skip(f"shared Daily Papers files not found at {HF_CORPUS}")
    if DumpManifest.read(corpus_store.state_dir(corpus_store.current_snapshot())) is None:
        pytest.skip("the corpus store has no update state (made by an older version): Daily Papers cannot be added")
    directory = tmp_path_factory.mktemp("corpus-hf")
    local = corpus_store.clone(directory / "store")
    listings = read_listings([HF_CORPUS])
    first = ingest_hf(local, listings=listings[:-1])
    last = ingest_hf(local, listings=listings[-1:])
    yield local, first, last
    shutil.rmtree(directory, ignore_errors=True)
