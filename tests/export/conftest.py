from __future__ import annotations

from pathlib import Path

import pytest

from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "anthology"


@pytest.fixture(scope="session")
def sample_local(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = LocalStore(tmp_path_factory.mktemp("export-sample"))
    run_ingest(SAMPLE, store, jobs=1)
    return store
