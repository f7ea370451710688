"""Snapshot leases: what keeps a snapshot from being deleted while it is read.

A process that reads a snapshot holds a *lease* on it, a shared ``flock`` on the snapshot's
directory (:class:`SnapshotLease`); a writer deletes a snapshot only when it can take that lock
exclusively without waiting (:func:`try_exclusive`), and keeps the newest
:func:`keep_snapshots` in any case.  The kernel releases a lease when its process dies, however
it dies, so a crashed server never pins a snapshot for good.  Locking the directory itself needs
no file written into the store, so a read-only store can be served.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import StoreError

KEEP_SNAPSHOTS = 2
"""Snapshots kept after a write (the new one and the previous one), unless ``BIBKG_KEEP_SNAPSHOTS``
says more; snapshots leased by readers are kept beyond that until released."""


def keep_snapshots() -> int:
    """How many of the newest snapshots a write keeps (``BIBKG_KEEP_SNAPSHOTS``, at least 2)."""
    raw = os.environ.get("BIBKG_KEEP_SNAPSHOTS", "")
    try:
        return max(2, int(raw)) if raw.strip() else KEEP_SNAPSHOTS
    except ValueError:
        raise StoreError(f"BIBKG_KEEP_SNAPSHOTS must be a whole number >= 2, got {raw!r}") from None


class SnapshotLease:
    """A shared lock on a snapshot directory: while it is held, no ingest deletes the snapshot.

    Take it *before* opening the snapshot (:func:`lease_snapshot`) and keep the object alive as
    long as the snapshot is open; :meth:`release` (or the process's death) ends it.
    """

    def __init__(self, snapshot: Path, fd: int) -> None:
        self.snapshot = snapshot
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor drops the flock

    def __del__(self) -> None:
        self.release()


def lease_snapshot(snapshot: Path) -> SnapshotLease:
    """A lease on ``snapshot``; raises :class:`StoreError` when the snapshot is gone.

    Waits while an ingest is deleting that very snapshot (it holds the exclusive lock for the
    time of the ``rmtree``), then finds the directory gone and says so.
    """
    snapshot = Path(snapshot)
    try:
        fd = os.open(snapshot, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise StoreError(f"cannot open store {snapshot}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        # deleted (or replaced) between our open and our lock: the lease would protect nothing
        if not (snapshot / "CURRENT").exists() or os.stat(snapshot).st_ino != os.fstat(fd).st_ino:
            raise StoreError(f"cannot open store {snapshot}: the snapshot was deleted by an ingest")
    except BaseException:
        os.close(fd)
        raise
    return SnapshotLease(snapshot, fd)


def try_exclusive(snapshot: Path) -> int | None:
    """An exclusive lock on ``snapshot`` if no reader holds a lease on it (the descriptor), else ``None``."""
    try:
        fd = os.open(snapshot, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
