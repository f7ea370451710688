from __future__ import annotations

import pytest

from bibkg.store.local import LocalStore


@pytest.fixture(scope="session")
def sample_local(sample_store: LocalStore) -> LocalStore:
    """The root conftest's ``sample_store`` (read-only) under the name the export tests use."""
    return sample_store
