"""The pool of query worker processes that kills a query at its deadline.

pyoxigraph cannot cancel a running query, so :class:`WorkerPool` evaluates queries in a small
pool of worker *processes*, each with its own read-only handles on the store's snapshots (and a
lease on each, :mod:`bibkg.store.leases`, so no ingest deletes them under them).  Every job names
the snapshot its request is pinned to (:mod:`bibkg.services`); a worker opens it if needed and
closes the snapshots no longer current once idle for a second
(:class:`~bibkg.server.worker_snapshots.Snapshots`), so a server that follows its store needs no
worker restart.  A request borrows an idle worker, sends it the job over a pipe and waits for the
answer (serialized bytes in the negotiated format, plus the row count) until the deadline.  A worker that passes its deadline,
or whose client went away (``disconnected``), is killed with SIGKILL (the query stops burning a
core at once) and replaced in the background; other requests keep being served by the others.

The pool is also the concurrency bound: at most ``concurrency`` queries run at once, on
``concurrency + spare`` processes, so that a killed worker's place is taken at once by a warm
spare.  Further requests wait up to ``queue_wait`` seconds for a slot, then get
:class:`~bibkg.server.executor.Busy` (HTTP 503 with Retry-After).  Nothing here blocks the event
loop: the kill is a signal, the reaping and the respawns run in threads, and replacements are
started one at a time, at most one per ``respawn_interval`` seconds, so clients that make the
server kill workers over and over (``timeout=1e-9``) cost a bounded amount of CPU; deadlines
below ``min_deadline`` are raised to it, so a tiny ``timeout=`` does not turn every query into a
kill.  A worker found dead while idle is replaced and the query given to another one.  A pool that
cannot start any worker (the snapshot vanished, the store is broken) says so
(:attr:`WorkerPool.broken`) instead of retrying silently.  The slot of a killed query is given
back only once its worker is replaced: the client whose query was killed pays for the respawn,
not everyone else.

Slots are shared between clients by :class:`~bibkg.server.fair_slots.FairSlots`; one worker
process is started and reaped by :mod:`bibkg.server.worker_process`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Future as ConcurrentFuture
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .executor import DISCONNECT_POLL, Busy, ClientGone, DeadlineExceeded, Disconnected, WorkerFailed
from .fair_slots import FairSlots
from .job import Job, Outcome
from .worker_process import WorkerProcess, reap, spawn

log = logging.getLogger("bibkg.server")

REPLACEMENT_WAIT = 10.0
"""Seconds at most that the slot of a killed query stays taken while its worker is replaced
(:meth:`WorkerPool._release_when_replaced`)."""


class WorkerPool:
    """Query worker processes over one store snapshot (see module docs).

    ``concurrency`` queries run at once on ``size = concurrency + spare`` processes.
    """

    def __init__(
        self,
        spec: tuple[str, str],
        concurrency: int,
        *,
        queue_wait: float = 2.0,
        max_waiting: int | None = None,
        max_waiting_per_client: int | None = None,
        max_running_per_client: int | None = None,
        spare: int = 1,
        min_deadline: float = 0.5,
        respawn_interval: float = 0.5,
    ) -> None:
        self.spec = spec
        self.concurrency = max(1, concurrency)
        self.size = self.concurrency + max(0, spare)
        """Worker processes kept alive (the pool tops up to this number)."""
        self.queue_wait = queue_wait
        self.max_waiting = max_waiting if max_waiting is not None else 8 * self.concurrency
        self.max_waiting_per_client = (
            max_waiting_per_client if max_waiting_per_client is not None else max(1, self.max_waiting // 2)
        )
        """Requests of one client (address) waiting at once: a burst from one client leaves
        room in the queue for the others."""
        self.max_running_per_client = max_running_per_client
        """Queries of one client (address) running at once (:class:`FairSlots`; ``None``: half
        the slots, rounded up)."""
        self.min_deadline = min_deadline
        self.respawn_interval = respawn_interval
        self._idle: asyncio.Queue[WorkerProcess] | None = None
        self._slots: FairSlots | None = None
        self._wake: asyncio.Event | None = None
        # recv() of every running query, reaping of killed workers, spawns: never on the loop
        self._threads = ThreadPoolExecutor(max_workers=2 * self.size + 4, thread_name_prefix="bibkg-pool")
        self._all: dict[int, WorkerProcess] = {}
        self._waiting = 0
        self._closed = False
        self._spawning = False
        self._supervisor: asyncio.Task[None] | None = None
        self._releases: set[asyncio.Task[None]] = set()
        self.broken: str | None = None
        """Why no worker can be started (after repeated failures with none alive), else ``None``."""
        self.killed = 0
        """Workers killed at their deadline or because their client left (tests and /health)."""
        self.spawned = 0
        """Worker processes started, the first ones included."""

    def follow(self, snapshot: str) -> None:
        """A new snapshot is published: workers started from now on open it first.  (Running
        workers open each job's :attr:`~bibkg.server.job.Job.snapshot` themselves.)"""
        self.spec = (self.spec[0], snapshot)

    # -- life cycle ----------------------------------------------------------------------------
    def _spawn(self) -> WorkerProcess:
        """Start one worker and wait until it has opened the store (runs in a thread)."""
        worker = spawn(self.spec)
        self.spawned += 1
        return worker

    async def start(self) -> None:
        """Start every worker; raises if the first one cannot open the store."""
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        self._slots = FairSlots(self.concurrency, self.max_running_per_client)
        self._wake = asyncio.Event()
        first = await loop.run_in_executor(self._threads, self._spawn)
        self._add(first)
        rest = await asyncio.gather(
            *(loop.run_in_executor(self._threads, self._spawn) for _ in range(self.size - 1)), return_exceptions=True
        )
        for worker in rest:
            if isinstance(worker, WorkerProcess):
                self._add(worker)
            else:
                log.error("query worker failed to start: %s", worker)
        self._supervisor = loop.create_task(self._supervise())

    def _add(self, worker: WorkerProcess) -> None:
        self._all[worker.pid] = worker
        assert self._idle is not None
        self._idle.put_nowait(worker)

    async def close(self) -> None:
        self._closed = True
        if self._supervisor is not None:
            self._supervisor.cancel()
        for worker in list(self._all.values()):
            self._discard(worker)
        self._threads.shutdown(wait=False, cancel_futures=True)

    @property
    def alive(self) -> int:
        """Worker processes running (idle or busy)."""
        return sum(1 for w in list(self._all.values()) if w.process.poll() is None)  # list: read from other threads too

    @property
    def ready(self) -> bool:
        """Whether queries can be served now or shortly: a worker is alive or being started
        (what /health reports; a respawn after a kill is no outage)."""
        if self.broken is not None or self._closed:
            return False
        return self.alive > 0 or self._spawning or len(self._all) < self.size

    @property
    def idle(self) -> int:
        return self._idle.qsize() if self._idle is not None else 0

    def _discard(self, worker: WorkerProcess) -> ConcurrentFuture[None] | None:
        """Kill ``worker`` (if it still runs) without blocking; reap it in a thread (the
        returned future); let the supervisor start its replacement."""
        if self._all.pop(worker.pid, None) is None:
            return None
        try:
            worker.process.kill()  # a signal: returns at once
        except OSError:
            pass
        if self._wake is not None:
            self._wake.set()
        try:
            return self._threads.submit(reap, worker)
        except RuntimeError:  # the pool is shut down (closing): reap here, the process is dead
            reap(worker)
            return None

    async def _stop(self, worker: WorkerProcess) -> None:
        """Kill ``worker`` and wait (off the loop, 2 s at most) until it is gone, so that an
        answer saying "stopped" is true when the client reads it."""
        self.killed += 1
        reaped = self._discard(worker)
        if reaped is not None:
            try:
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(reaped)), 2.0)
            except TimeoutError:
                pass

    async def _supervise(self) -> None:
        """Keep ``size`` workers: reap the dead (idle ones too) and start replacements, one at
        a time and at most one per ``respawn_interval`` (bounds the CPU a kill storm costs)."""
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        failures = 0
        while not self._closed:
            for worker in list(self._all.values()):
                if worker.process.poll() is not None:  # died on its own (OOM killer, kill -9)
                    log.warning("query worker %s died (status %s); replacing it", worker.pid, worker.process.returncode)
                    self._discard(worker)
            if len(self._all) >= self.size:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), 1.0)
                except TimeoutError:
                    pass
                continue
            self._spawning = True
            started = time.monotonic()
            try:
                fresh = await loop.run_in_executor(self._threads, self._spawn)
            except Exception as exc:  # noqa: BLE001 - reported, retried with backoff
                failures += 1
                log.error("query worker respawn failed (%d in a row): %s", failures, exc)
                if failures >= 3 and self.alive == 0:
                    self.broken = f"no query worker can be started: {exc}"
                await asyncio.sleep(min(0.1 * 2**failures, 5.0))
                continue
            finally:
                self._spawning = False
            failures = 0
            self.broken = None
            if self._closed:
                fresh.process.kill()
                return
            self._add(fresh)
            await asyncio.sleep(max(0.0, self.respawn_interval - (time.monotonic() - started)))

    # -- running jobs --------------------------------------------------------------------------
    async def _borrow(self, until: float) -> WorkerProcess:
        """An idle, live worker; dead ones found in the queue are discarded (replaced)."""
        assert self._idle is not None
        while True:
            if self.broken is not None:
                raise WorkerFailed(self.broken)
            try:
                worker = await asyncio.wait_for(self._idle.get(), max(0.0, until - time.monotonic()))
            except TimeoutError:
                raise Busy(
                    f"no query worker became free within {self.queue_wait:g} s "
                    f"({self.concurrency} run at once); retry shortly"
                ) from None
            if worker.pid in self._all and worker.process.poll() is None:
                return worker
            self._discard(worker)

    async def run(
        self, job: Job, deadline: float, *, disconnected: Disconnected | None = None, client: str = ""
    ) -> Outcome:
        """Evaluate ``job`` in a worker within ``deadline`` seconds (at least ``min_deadline``).

        ``disconnected``, if given, is polled while the query runs; once it is true the worker
        is killed and :class:`ClientGone` raised.  ``client`` (the address the request came
        from) is whom the slot is taken for (:class:`FairSlots`).

        Raises:
            Busy: no worker was free within ``queue_wait`` seconds (or too many are waiting).
            DeadlineExceeded: the query was killed at its deadline.
            ClientGone: the client went away; the query was killed.
            WorkerFailed: the worker died, or no worker can be started.
        """
        assert self._idle is not None and self._slots is not None, "WorkerPool.start() was not awaited"
        deadline = max(deadline, self.min_deadline)
        if job.snapshot is None:  # the snapshot of the request (bibkg.services), else the newest
            from ..services import pinned_snapshot

            pinned = pinned_snapshot()
            job.snapshot = str(pinned) if pinned is not None else self.spec[1]
        if self.broken is not None:
            raise WorkerFailed(self.broken)
        if self._waiting >= self.max_waiting:
            raise Busy(f"the server is busy ({self._waiting} queries waiting); retry shortly")
        if self._slots.waiting_of(client) >= self.max_waiting_per_client:
            raise Busy(
                f"{self.max_waiting_per_client} queries from your address are already waiting; "
                "retry when they are answered"
            )
        until = time.monotonic() + self.queue_wait
        self._waiting += 1
        try:
            try:
                await self._slots.acquire(client, self.queue_wait)
            except TimeoutError:
                raise Busy(
                    f"all {self.concurrency} query workers stayed busy for {self.queue_wait:g} s; retry shortly"
                ) from None
        finally:
            self._waiting -= 1
        killed = False
        try:
            return await self._run_on_worker(job, deadline, until, disconnected)
        except (DeadlineExceeded, ClientGone):
            killed = True
            raise
        finally:
            if killed:  # the client pays for the respawn its query caused
                task = asyncio.get_running_loop().create_task(self._release_when_replaced(client))
                self._releases.add(task)  # the loop keeps only weak references to tasks
                task.add_done_callback(self._releases.discard)
            else:
                self._slots.release(client)

    async def _release_when_replaced(self, client: str) -> None:
        """Give ``client``'s slot back once the pool has all its workers again (at most
        :data:`REPLACEMENT_WAIT` seconds later).

        A query killed at its deadline or because its client left costs the pool a process
        until a replacement has started (~1 s on a busy machine).  Were the slot freed at once,
        a client firing expensive queries and leaving would kill workers faster than they are
        replaced, and everyone else's queries would find none free (bench_attacks: 14 load
        errors).  Holding the slot until the replacement is ready charges that client, whose
        running queries are capped (:class:`FairSlots`), and nobody else."""
        assert self._slots is not None
        try:
            until = time.monotonic() + REPLACEMENT_WAIT
            while not self._closed and len(self._all) < self.size and time.monotonic() < until:
                await asyncio.sleep(0.05)
        finally:
            self._slots.release(client)

    async def _run_on_worker(
        self, job: Job, deadline: float, until: float, disconnected: Disconnected | None
    ) -> Outcome:
        loop = asyncio.get_running_loop()
        for _attempt in range(self.size + 1):
            worker = await self._borrow(until)
            try:
                worker.conn.send(job)
            except (OSError, ValueError):  # died while idle: give the job to another worker
                log.warning("query worker %s was dead when given a query; retrying on another", worker.pid)
                self._discard(worker)
                continue
            break
        else:
            raise WorkerFailed("no live query worker could take the query; retry shortly")
        started = time.monotonic()
        end = started + deadline
        pending = loop.run_in_executor(self._threads, worker.conn.recv)
        pending.add_done_callback(_consume)
        try:
            while True:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                step = min(remaining, DISCONNECT_POLL) if disconnected is not None else remaining
                done, _ = await asyncio.wait({pending}, timeout=step)
                if done:
                    outcome: Outcome = pending.result()
                    break
                if disconnected is not None and await disconnected():
                    log.info("query worker %s stopped: its client went away", worker.pid)
                    await self._stop(worker)
                    raise ClientGone("the client went away; its query was stopped")
        except TimeoutError:
            log.warning("query worker %s killed at its %.3g s deadline", worker.pid, deadline)
            await self._stop(worker)
            raise DeadlineExceeded(deadline) from None
        except asyncio.CancelledError:  # the request was abandoned: stop the work too
            self.killed += 1
            self._discard(worker)
            raise
        except (EOFError, OSError) as exc:
            self._discard(worker)
            raise WorkerFailed(f"the query worker died while evaluating the query ({type(exc).__name__})") from None
        if worker.pid in self._all and worker.process.poll() is None:
            self._idle.put_nowait(worker)  # type: ignore[union-attr]
        else:
            self._discard(worker)
        outcome.seconds = outcome.seconds or (time.monotonic() - started)
        return outcome


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve the exception of an abandoned ``recv`` (the killed worker's EOF), unlogged."""
    if not future.cancelled():
        future.exception()
