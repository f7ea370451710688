"""Shared fixtures for the whole test suite; kept small and generic on purpose.

* ``repo_root``        the source tree (the directory holding ``pyproject.toml``)
* ``sample_datadir``   the bundled sample, ``data/anthology`` (current people format)
* ``legacy_datadir``   the fabricated legacy-layout fixture, ``tests/data/legacy``
* ``broken_datadir``   the fabricated fixture with a malformed XML file, ``tests/data/broken``
* ``sample_store``     a :class:`bibkg.store.local.LocalStore` with the sample ingested once per
                       session into a temporary directory (treat it as read-only)
* ``shared_corpus``    the full ACL Anthology snapshot in ``<repo>/../shared/corpora/…/data``;
                       skips the test when it is absent (a fresh clone has no ``../shared``)
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "acl-anthology-2024-08" / "data"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def sample_datadir(repo_root: Path) -> Path:
    return repo_root / "data" / "anthology"


@pytest.fixture(scope="session")
def legacy_datadir(repo_root: Path) -> Path:
    return repo_root / "tests" / "data" / "legacy"


@pytest.fixture(scope="session")
def broken_datadir(repo_root: Path) -> Path:
    return repo_root / "tests" / "data" / "broken"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_datadir: Path):
    """The bundled sample ingested once into a session temp dir (do not write to it)."""
    from bibkg.ingest import run_ingest
    from bibkg.store.local import LocalStore

    store = LocalStore(tmp_path_factory.mktemp("sample-store"))
    run_ingest(sample_datadir, store, jobs=1)
    return store


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The full Anthology corpus (Aug 2024), or skip when this checkout has none beside it."""
    if not (SHARED_CORPUS / "xml").is_dir():
        pytest.skip(f"full ACL Anthology corpus not found at {SHARED_CORPUS} (only on the shared dev machine)")
    return SHARED_CORPUS
