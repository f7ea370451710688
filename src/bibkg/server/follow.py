"""A server that follows its store: a newly published snapshot is served within a second.

An ingest (or a delta) publishes a snapshot by swinging the symlink ``STORE/current`` to it
(:mod:`bibkg.store.local`).  Each server process polls that link every ``follow_interval``
seconds — one ``readlink``, no file read — and, when it points elsewhere, opens the new snapshot
under a lease (about 10 ms on the full corpus, in a thread) and publishes it to
:class:`~bibkg.services.Services`: requests starting from then on are answered from it, those in
flight finish on the snapshot they started with (:meth:`Services.pinned`), and the old
generation is closed — its caches dropped, its lease released — when its last request ends.
The query workers need no restart: every job names its snapshot (:mod:`bibkg.server.job`).

Polling rather than inotify: it is portable, works on any filesystem (NFS included) and costs a
system call per interval; the interval bounds the delay to a new snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import StoreError

log = logging.getLogger("bibkg.server")


class SnapshotFollower:
    """Polls ``root/current`` and publishes each new snapshot (see module docs).

    ``open_current()`` opens the store's current snapshot (an
    :class:`~bibkg.store.oxigraph.OxigraphStore` under a lease); ``on_switch(store)`` is called
    on the event loop before the new generation is published (the worker pool learns the
    snapshot its new workers open).
    """

    def __init__(self, root: Path, services: Any, open_current: Callable[[], Any], *, interval: float = 0.25,
                 on_switch: Callable[[Any], None] | None = None) -> None:  # fmt: skip
        self.root = Path(root)
        self.services = services
        self.open_current = open_current
        self.interval = interval
        self.on_switch = on_switch
        self._task: asyncio.Task[None] | None = None
        self.failures = 0

    def _target(self) -> str | None:
        try:
            return Path(os.readlink(self.root / "current")).name
        except OSError:
            return None

    def start(self) -> None:
        if self.interval > 0:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("following the store %s failed", self.root)

    async def check(self) -> bool:
        """Publish the current snapshot if it is not the one served; whether it switched."""
        target = self._target()
        if target is None or target == self.services.current.name:
            return False
        try:
            store = await asyncio.get_running_loop().run_in_executor(None, self.open_current)
        except StoreError as exc:  # pruned between readlink and lease, or broken: retry later
            self.failures += 1
            log.warning("cannot open the new snapshot %s of %s yet: %s", target, self.root, exc)
            return False
        snapshot = getattr(store, "snapshot", None)
        if snapshot is None or Path(snapshot).name == self.services.current.name:
            store.close()
            return False
        if self.on_switch is not None:
            self.on_switch(store)
        old = self.services.current.name
        self.services.publish(store)
        log.info("serving snapshot %s (was %s)", Path(snapshot).name, old)
        return True
