"""The full ACL Anthology corpus (Aug 2024), ingested once per session (about a minute)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bibkg.ingest import IngestReport, run_ingest
from bibkg.store.local import LocalStore


@pytest.fixture(scope="package")
def corpus_ingest(
    shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalStore, IngestReport]]:
    """Removed when this package's tests are done (3 GB on disk)."""
    directory = tmp_path_factory.mktemp("corpus-store")
    store = LocalStore(directory)
    started = time.perf_counter()
    report = run_ingest(shared_corpus, store)
    print(
        f"\n[corpus] ingested {shared_corpus} in {time.perf_counter() - started:.1f} s: "
        f"{report.papers:,} papers, {report.authorships:,} authorships, {report.quads:,} quads"
    )
    yield store, report
    shutil.rmtree(directory, ignore_errors=True)
