"""The store snapshots a worker has open: opened on a job's demand (under a lease), closed once
no longer current and idle."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError
from ..store.base import GraphStore


def open_store(spec: tuple[str, str]) -> GraphStore:
    """A store from a picklable spec: ``("snapshot", path)`` opens an Oxigraph snapshot read-only."""
    kind, value = spec
    if kind == "snapshot":
        return _open_snapshot(Path(value))
    raise StoreError(f"unknown store spec {spec!r}")


def _open_snapshot(path: Path) -> GraphStore:
    from ..sparql.schema import files_dir_of
    from ..store.leases import lease_snapshot
    from ..store.oxigraph import OxigraphStore

    lease = lease_snapshot(path)  # no ingest deletes it while this worker has it open
    try:
        return OxigraphStore(ox.Store.read_only(str(path)), files_dir=files_dir_of(path), lease=lease)
    except BaseException:
        lease.release()
        raise


LINGER = 1.0
"""Seconds an idle worker keeps a snapshot open that is no longer the store's current one
(a request pinned to it may still send a query); then it closes it and releases its lease."""


class Snapshots:
    """The snapshots a worker has open, by directory (see :attr:`~bibkg.server.job.Job.snapshot`).

    A job names its snapshot; one not open yet is opened (under a lease: ~10 ms on the full
    corpus).  While idle, the worker closes (and releases the lease of) every snapshot that is
    not the store's current one and was not used for :data:`LINGER` seconds, so an old snapshot
    is never pinned by an idle worker; one asked for again later is simply reopened (the
    server process holds its own lease on any snapshot a request still uses).
    """

    def __init__(self, first: Path) -> None:
        self.default = first
        self.open: dict[Path, tuple[GraphStore, float]] = {first: (_open_snapshot(first), time.monotonic())}

    def get(self, snapshot: str | None) -> GraphStore:
        path = Path(snapshot) if snapshot else self.default
        entry = self.open.get(path)
        store = entry[0] if entry is not None else _open_snapshot(path)
        self.open[path] = (store, time.monotonic())
        return store

    def reopen(self) -> None:
        """Close every open snapshot and open the current one again (fresh caches)."""
        for path, (store, _used) in list(self.open.items()):
            del self.open[path]
            store.close()
        self.default = _current_of(self.default) or self.default
        self.open[self.default] = (_open_snapshot(self.default), time.monotonic())

    def tidy(self) -> None:
        """Close the snapshots idle for :data:`LINGER` seconds that are not the current one."""
        current = _current_of(self.default)
        if current is not None:
            self.default = current
        now = time.monotonic()
        for path, (store, used) in list(self.open.items()):
            if path == self.default or now - used < LINGER:
                continue
            del self.open[path]
            store.close()


def _current_of(snapshot: Path) -> Path | None:
    """The snapshot ``STORE/current`` points to, for a snapshot ``STORE/snapshots/<name>``."""
    import os

    link = snapshot.parent.parent / "current"
    try:
        target = link.parent / os.readlink(link)
    except OSError:
        return None
    return target if target.parent == snapshot.parent else None
