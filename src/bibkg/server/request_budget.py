"""A request's deadline across the many store queries its code makes from a thread.

:class:`Budget` carries one request's deadline across the many store queries that code running
in a thread (HTML pages, BibTeX) makes; :mod:`bibkg.services` routes them through the executor.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future as ConcurrentFuture

from .executor import DeadlineExceeded, DeadlineExecutor, Stopped
from .job import Job, Outcome


class Budget:
    """One request's deadline, shared by every store query the request makes from a thread.

    :meth:`run` sends a job to the executor on the event loop ``loop`` with the time left and
    blocks the calling thread until it is answered; :meth:`stop` (called from the loop when the
    deadline passes or the client leaves) kills the query in flight and makes any later one fail
    at once, so the request's work really stops.
    """

    def __init__(self, executor: DeadlineExecutor, seconds: float, loop: asyncio.AbstractEventLoop, *,
                 max_bytes: int = 50_000_000, what: str = "the request") -> None:  # fmt: skip
        self.executor = executor
        self.seconds = seconds
        self.loop = loop
        self.end = time.monotonic() + seconds
        self.max_bytes = max_bytes
        self.what = what
        self._lock = threading.Lock()
        self._in_flight: ConcurrentFuture[Outcome] | None = None
        self._stopped: Stopped | None = None

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            self.seconds,
            f"{self.what} was stopped at its deadline of {self.seconds:g} s; ask for less "
            "(fewer papers, a more specific query)",
        )

    def stop(self, reason: Stopped) -> None:
        """Stop the work: the query in flight is killed, later ones raise ``reason``."""
        with self._lock:
            if self._stopped is None:
                self._stopped = reason
            future = self._in_flight
        if future is not None:
            future.cancel()

    def run(self, job: Job) -> Outcome:
        """Evaluate ``job`` through the executor within the time left (from a thread, never
        from the event loop's own thread)."""
        with self._lock:
            if self._stopped is not None:
                raise self._stopped
            remaining = self.remaining()
            if remaining <= 0:
                raise self.exceeded()
            future = asyncio.run_coroutine_threadsafe(self.executor.run(job, remaining), self.loop)
            self._in_flight = future
        try:
            return future.result()
        except DeadlineExceeded:
            raise self.exceeded() from None
        except BaseException:  # concurrent.futures.CancelledError is no Exception
            if future.cancelled() or self._stopped is not None:
                raise self._stopped or self.exceeded() from None
            raise
        finally:
            with self._lock:
                self._in_flight = None
