"""An executor for a store whose queries can be abandoned safely: jobs run in threads.

:class:`InlineExecutor` runs jobs in threads against a store whose queries can be abandoned
safely, i.e. a :class:`~bibkg.store.remote.RemoteStore`: the deadline becomes the HTTP timeout,
and closing the connection stops the remote work.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .executor import Busy, DeadlineExceeded, Disconnected
from .job import Job, Outcome, run_job


class InlineExecutor:
    """Runs jobs in threads against a store that enforces its own timeout (a remote endpoint)."""

    def __init__(self, store: Any, size: int, *, queue_wait: float = 2.0) -> None:
        self.store = store
        self.size = max(1, size)
        self.queue_wait = queue_wait
        self._sem: asyncio.Semaphore | None = None
        self._threads = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="bibkg-inline")
        self.killed = 0

    async def start(self) -> None:
        self._sem = asyncio.Semaphore(self.size)

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)

    @property
    def alive(self) -> int:
        return self.size

    @property
    def ready(self) -> bool:
        return True

    async def run(
        self, job: Job, deadline: float, *, disconnected: Disconnected | None = None, client: str = ""
    ) -> Outcome:
        """Evaluate ``job`` in a thread; the remote store's HTTP timeout is the deadline.
        (``disconnected`` is accepted for symmetry with :meth:`WorkerPool.run`; abandoning the
        thread would not stop the remote work any sooner than its timeout.)"""
        assert self._sem is not None
        try:
            await asyncio.wait_for(self._sem.acquire(), self.queue_wait)
        except TimeoutError:
            raise Busy(f"all {self.size} query slots stayed busy for {self.queue_wait:g} s; retry shortly") from None
        try:
            loop = asyncio.get_running_loop()
            store = self.store
            if hasattr(store, "with_timeout"):
                store = store.with_timeout(deadline)
            try:
                return await asyncio.wait_for(loop.run_in_executor(self._threads, run_job, store, job), deadline + 1)
            except TimeoutError:
                raise DeadlineExceeded(deadline) from None
        finally:
            self._sem.release()
