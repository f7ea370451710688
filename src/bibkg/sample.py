"""The bundled sample as a ready store: ingested on first use, re-ingested when it changes."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from . import config
from .ingest import run_ingest
from .store.local import LocalStore


def sample_store(cache: Path | None = None) -> LocalStore:
    """A store holding the bundled sample, built if missing or out of date.

    The sample is the Anthology excerpt plus the seed author's preprints, two publishes: it is
    built in a private directory and renamed into place when complete, so that a concurrent
    process (a second server worker) never sees it half-built; if another process placed it
    first, its copy is used and this one's discarded."""
    fingerprint = config.sample_fingerprint()
    base = cache or config.cache_dir()
    store = LocalStore(base / f"sample-{fingerprint}")
    if store.exists():
        return store
    building = base / f".sample-{fingerprint}-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(building, ignore_errors=True)
    try:
        _build(LocalStore(building))
        try:
            os.rename(building, store.root)
        except OSError:  # another process placed a complete sample first
            if not store.exists():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return store


def _build(store: LocalStore) -> None:
    """The sample's Anthology data, then the seed author's preprints (bibkg.hf), if bundled."""
    run_ingest(config.sample_datadir(), store, jobs=1)
    hf_dir = config.sample_hf_dir()
    if hf_dir is not None:
        from .hf.ingest import ingest_hf

        ingest_hf(store, [hf_dir], command="bibkg sample")
