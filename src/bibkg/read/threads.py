"""Threads for the independent queries of one read (a page's listings, its links, its batches)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

_POOL: tuple[int, ThreadPoolExecutor] | None = None


def query_threads() -> ThreadPoolExecutor:
    """The process's threads for independent queries (pyoxigraph evaluates without the GIL, and
    a remote store waits on the network); one pool per process (a forked worker makes its own).

    A task run here never waits on another task of this pool: callers submit from their own
    thread and wait there, so a full pool only queues work, it cannot deadlock."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="bibkg-read"))
    return _POOL[1]


__all__ = ["query_threads"]
