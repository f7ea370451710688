"""A worker's memory: what a burst of work left in an idle worker is given back."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .worker_snapshots import Snapshots

RELEASE_IDLE = 1.0
"""Seconds without a job after which a worker whose memory grew gives it back (:class:`Memory`)."""
RELEASE_GROWTH = 1.10
"""Growth over the worker's size when it became ready beyond which an idle worker gives memory
back, if it is also more than :data:`RELEASE_MIN_BYTES`."""
RELEASE_MIN_BYTES = 32 * 1024 * 1024


def rss_bytes() -> int:
    """This process's resident set size (0 where /proc is not available)."""
    import os

    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _trim_heap() -> None:
    """Hand freed heap pages back to the system (glibc's ``malloc_trim``; a no-op elsewhere)."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class Memory:
    """Gives back what a burst of work left in a worker: a query that read every abstract fills
    the snapshot's block cache (RocksDB, bounded, but 80-130 MiB on the full corpus) and the
    heap.  After :data:`RELEASE_IDLE` seconds without a job, a worker more than
    :data:`RELEASE_GROWTH` times (and :data:`RELEASE_MIN_BYTES` over) its ready size closes its snapshots (their caches go with them),
    trims its heap and reopens the current snapshot (~10 ms); one that does not shrink by that
    is not tried again until it grows further."""

    def __init__(self) -> None:
        self.baseline = rss_bytes()
        self.last_job = time.monotonic()
        self._floor = self.baseline

    def job_done(self) -> None:
        self.last_job = time.monotonic()

    def due(self) -> bool:
        if not self.baseline or time.monotonic() - self.last_job < RELEASE_IDLE:
            return False
        base = max(self.baseline, self._floor)
        return rss_bytes() > max(base * RELEASE_GROWTH, base + RELEASE_MIN_BYTES)

    def release(self, snapshots: Snapshots) -> None:
        snapshots.reopen()
        _trim_heap()
        self._floor = rss_bytes()  # what could not be given back: wait until it grows past this
