"""Deadline executors: every query gets a deadline that is actually enforced.

pyoxigraph cannot cancel a running query, so :class:`WorkerPool` evaluates queries in a small
pool of worker *processes*, each with its own read-only handle on the store snapshot.  A request
borrows an idle worker, sends it the job over a pipe and waits for the answer (serialized bytes
in the negotiated format, plus the row count) until the deadline.  A worker that passes its
deadline is killed with SIGKILL (the query stops burning a core at once) and a fresh one is
started in the background; other requests keep being served by the remaining workers.

The pool is also the concurrency bound: at most ``size`` queries run at once; further requests
wait up to ``queue_wait`` seconds for a worker, then get :class:`Busy` (HTTP 503 with
Retry-After).  Workers are fresh interpreters (``python -c "from bibkg.server.worker import main; main()"``, connected by a
socket pair) rather than forks: the server process has threads and an open RocksDB, which a
fork would copy in an undefined state, and ``multiprocessing``'s spawn/forkserver would
re-import the caller's ``__main__``.

:class:`InlineExecutor` runs jobs in threads against a store whose queries can be abandoned
safely, i.e. a :class:`~bibkg.store.remote.RemoteStore`: the deadline becomes the HTTP timeout,
and closing the connection stops the remote work.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..errors import BibkgError
from .worker import Job, Outcome, run_job

log = logging.getLogger("bibkg.server")


class Busy(BibkgError):
    """No worker became free in time."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeadlineExceeded(BibkgError):
    """The query ran past its deadline and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the query was stopped at its deadline of {seconds:g} s; "
            "narrow it (LIMIT, more specific patterns) or use a named query"
        )
        self.seconds = seconds


class WorkerFailed(BibkgError):
    """The worker died while evaluating the query (e.g. out of memory)."""


@dataclass(slots=True)
class _Worker:
    process: Any
    conn: Any
    pid: int


class WorkerPool:
    """A fixed number of query worker processes over one store snapshot."""

    def __init__(
        self,
        spec: tuple[str, str],
        size: int,
        *,
        queue_wait: float = 2.0,
        max_waiting: int | None = None,
    ) -> None:
        self.spec = spec
        self.size = max(1, size)
        self.queue_wait = queue_wait
        self.max_waiting = max_waiting if max_waiting is not None else 8 * self.size
        self._idle: asyncio.Queue[_Worker] | None = None
        self._threads = ThreadPoolExecutor(max_workers=self.size * 2 + 2, thread_name_prefix="bibkg-pool")
        self._all: dict[int, _Worker] = {}
        self._waiting = 0
        self._closed = False
        self._respawns: set[asyncio.Task[None]] = set()
        self.killed = 0
        """Workers killed at their deadline (tests and /health read it)."""

    # -- life cycle ----------------------------------------------------------------------------
    def _spawn(self) -> _Worker:
        parent_sock, child_sock = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", "from bibkg.server.worker import main; main()", str(child_sock.fileno()), *self.spec],
                pass_fds=[child_sock.fileno()],
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            child_sock.close()
        parent = Connection(parent_sock.detach())
        try:
            status, detail = parent.recv()
        except EOFError:
            status, detail = "failed", f"worker exited with status {process.wait()}"
        if status != "ready":
            process.kill()
            process.wait()
            raise BibkgError(f"query worker could not open the store: {detail}")
        worker = _Worker(process, parent, process.pid)
        self._all[worker.pid] = worker
        return worker

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        first = await loop.run_in_executor(self._threads, self._spawn)
        self._idle.put_nowait(first)
        rest = await asyncio.gather(*(loop.run_in_executor(self._threads, self._spawn) for _ in range(self.size - 1)))
        for worker in rest:
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._respawns):
            task.cancel()
        for worker in list(self._all.values()):
            self._kill(worker)
        self._threads.shutdown(wait=False, cancel_futures=True)

    @property
    def alive(self) -> int:
        return sum(1 for w in self._all.values() if w.process.poll() is None)

    @property
    def idle(self) -> int:
        return self._idle.qsize() if self._idle is not None else 0

    def _kill(self, worker: _Worker) -> None:
        self._all.pop(worker.pid, None)
        try:
            worker.process.kill()
        except OSError:
            pass
        try:
            worker.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        try:
            worker.conn.close()
        except OSError:
            pass

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now and start its replacement in the background."""
        self._kill(worker)
        if self._closed:
            return
        loop = asyncio.get_running_loop()

        async def respawn() -> None:
            delay = 0.1
            while not self._closed:
                try:
                    fresh = await loop.run_in_executor(self._threads, self._spawn)
                except Exception as exc:  # noqa: BLE001 - retried with backoff
                    log.error("query worker respawn failed: %s", exc)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                assert self._idle is not None
                self._idle.put_nowait(fresh)
                return

        task = loop.create_task(respawn())
        self._respawns.add(task)
        task.add_done_callback(self._respawns.discard)

    # -- running jobs --------------------------------------------------------------------------
    async def run(self, job: Job, deadline: float) -> Outcome:
        """Evaluate ``job`` in a worker within ``deadline`` seconds.

        Raises:
            Busy: no worker was free within ``queue_wait`` seconds (or too many are waiting).
            DeadlineExceeded: the query was killed at its deadline.
            WorkerFailed: the worker died.
        """
        assert self._idle is not None, "WorkerPool.start() was not awaited"
        if self._waiting >= self.max_waiting:
            raise Busy(f"the server is busy ({self._waiting} queries waiting); retry shortly")
        self._waiting += 1
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.queue_wait)
        except TimeoutError:
            raise Busy(
                f"all {self.size} query workers stayed busy for {self.queue_wait:g} s; retry shortly"
            ) from None
        finally:
            self._waiting -= 1
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        try:
            worker.conn.send(job)
            outcome: Outcome = await asyncio.wait_for(
                loop.run_in_executor(self._threads, worker.conn.recv), deadline
            )
        except TimeoutError:
            self.killed += 1
            log.warning("query worker %s killed at its %.3g s deadline", worker.pid, deadline)
            self._replace(worker)
            raise DeadlineExceeded(deadline) from None
        except asyncio.CancelledError:  # the client went away: stop the work too
            self._replace(worker)
            raise
        except (EOFError, OSError, BrokenPipeError) as exc:
            self._replace(worker)
            raise WorkerFailed(f"the query worker died while evaluating the query ({type(exc).__name__})") from None
        if worker.process.poll() is None:
            self._idle.put_nowait(worker)
        else:
            self._replace(worker)
        outcome.seconds = outcome.seconds or (time.monotonic() - started)
        return outcome


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

    async def run(self, job: Job, deadline: float) -> Outcome:
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


def default_pool_size() -> int:
    return max(2, os.cpu_count() or 1)
