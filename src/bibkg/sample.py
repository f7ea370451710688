"""The bundled sample as a ready store: ingested on first use, re-ingested when it changes."""

from __future__ import annotations

from pathlib import Path

from . import config
from .errors import StoreBusy
from .ingest import run_ingest
from .store.local import LocalStore


def sample_store(cache: Path | None = None) -> LocalStore:
    """A store holding the bundled sample, built if missing or out of date."""
    fingerprint = config.sample_fingerprint()
    store = LocalStore((cache or config.cache_dir()) / f"sample-{fingerprint}")
    if not store.exists():
        try:
            run_ingest(config.sample_datadir(), store, jobs=1)
        except StoreBusy:  # another process is ingesting it (e.g. a second server worker)
            store.wait_for_ingest()
            if not store.exists():
                run_ingest(config.sample_datadir(), store, jobs=1)
    return store
