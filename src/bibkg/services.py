"""What the HTTP and GraphQL layers are given: the snapshot served, the named queries and a query
runner over it (:class:`~bibkg.read.runner.QueryRunner`, the only way web code reaches the store).

One rule for every door: a request's store work has a deadline that really stops it.  In the
server, :attr:`Services.store` (and so the runner) is a :class:`~bibkg.routed_store.RoutedStore`:
outside a request budget it queries in process as before; inside one
(:meth:`Services.run_with_deadline` for code that runs in a thread, :meth:`Services.deadline` for
async code whose queries go to threads) each query is sent to the server's deadline executor —
the worker processes that are killed at the deadline (:mod:`bibkg.server.worker_pool`) — with the
time the request has left, and its result comes back as the same pyoxigraph objects.  When the
deadline passes or the client leaves, the query in flight is killed and any further query of
that request fails at once.

One snapshot per request: :class:`Services` holds a :class:`Generation` per snapshot served —
store, runner and caches — and each request is pinned to one (:meth:`Services.pinned`); a server
that follows its store switches the generation new requests get, while those in flight finish
on theirs (docs/sparql.md, "Live updates").
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.concurrency import run_in_threadpool

from .errors import StoreError
from .read.runner import QueryRunner
from .routed_store import REQUEST_BUDGET, RoutedStore
from .sparql.catalog import QueryCatalog
from .store.base import GraphStore

if TYPE_CHECKING:
    from .server.executor import DeadlineExecutor
    from .server.request_budget import Budget
    from .server.settings import ServerSettings

T = TypeVar("T")
log = logging.getLogger("bibkg.server")


class Generation:
    """One published snapshot as this process serves it: its store (under a lease), a runner
    over it, and the caches that belong to it (HTML pages, VoID, GraphQL responses…).

    A request uses one generation from its first byte to its last (:meth:`Services.pinned`), so
    it is answered entirely from one snapshot; its caches die with it, so no answer of an older
    snapshot is served after a switch.  Users :meth:`acquire` and :meth:`release` it; once
    :meth:`retire`-d (a newer snapshot is served) and unused, it is closed, which releases the
    lease on its snapshot so that a later ingest may prune it.  Over an external SPARQL store there
    is a single generation, never retired (its store has no snapshots).
    """

    def __init__(self, store: GraphStore, catalog: QueryCatalog, *, runner: QueryRunner | None = None,
                 routed: bool = False, owner: object = None) -> None:  # fmt: skip
        if routed and not isinstance(store, RoutedStore):
            store = RoutedStore(store)
        self.store = store
        if runner is None:
            runner = QueryRunner(store, catalog)
        else:
            runner.store = store
        self.runner = runner
        inner = getattr(store, "inner", store)
        snapshot = getattr(inner, "snapshot", None)
        self.snapshot: Path | None = Path(snapshot) if snapshot is not None else None
        """The snapshot directory served (``None`` over an external store)."""
        self.name: str | None = self.snapshot.name if self.snapshot is not None else None
        """The snapshot's name (the ``X-Bibkg-Snapshot`` response header)."""
        self.owner = owner
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False
        self.closed = False
        self._caches: dict[str, Any] = {}

    def acquire(self) -> bool:
        """Count one more user; ``False`` if the generation is closed already (take the next one)."""
        with self._lock:
            if self.closed:
                return False
            self._users += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            close = self._retired and self._users <= 0 and not self.closed
            if close:
                self.closed = True
        if close:
            self._close()

    def retire(self) -> None:
        """A newer snapshot is served: close this one as soon as no request uses it."""
        with self._lock:
            self._retired = True
            close = self._users <= 0 and not self.closed
            if close:
                self.closed = True
        if close:
            self._close()

    @property
    def users(self) -> int:
        return self._users

    @property
    def retired(self) -> bool:
        return self._retired

    def _close(self) -> None:
        self._caches.clear()
        try:
            self.store.close()  # releases the lease on the snapshot
        except Exception:
            log.exception("closing snapshot %s failed", self.name)

    def cache(self, key: str, factory: Callable[[], T]) -> T:
        """The cache ``key`` of this generation, made by ``factory()`` on first use."""
        with self._lock:
            found = self._caches.get(key)
            if found is None:
                found = self._caches[key] = factory()
            return found

    def cached(self, key: str) -> Any:
        """The cache ``key`` of this generation if it was made, else ``None``."""
        with self._lock:
            return self._caches.get(key)

    @contextmanager
    def hold(self) -> Iterator[Generation]:
        """Keep the generation open for the block (background work outside a request: index
        warm-up, size counting), or raise :class:`StoreError` if it is closed already."""
        if not self.acquire():
            raise StoreError(f"snapshot {self.name} is no longer served")
        try:
            yield self
        finally:
            self.release()


_PINNED: contextvars.ContextVar[Generation | None] = contextvars.ContextVar("bibkg_generation", default=None)
"""The generation the request being served was pinned to (:meth:`Services.pinned`)."""


def pinned_snapshot() -> Path | None:
    """The snapshot of the request being served, if any (the deadline executor sends its
    queries to a worker reading that snapshot)."""
    generation = _PINNED.get()
    return generation.snapshot if generation is not None else None


class Services:
    """Everything a router needs; built once per application by the app factory.

    ``store`` and ``runner`` are those of the :class:`Generation` the current request is pinned
    to (:meth:`pinned`, which the server does for every request), else of the newest one; a
    server that follows its store (:mod:`bibkg.server.follow`) :meth:`publish`-es each new
    snapshot, and requests in flight finish on the one they started with.

    ``runner`` evaluates in-process, in a thread pool; GraphQL bounds its own work (document
    limits and cost before execution, and the deadline ``settings.query_timeout`` around each
    request: past it, the request is cancelled and starts no further query — see
    :mod:`bibkg.graphql.router`); the SPARQL endpoint and ``/queries`` go through ``executor``, a pool of worker
    processes that enforces deadlines and result caps (:mod:`bibkg.server.worker_pool`).
    ``executor`` and ``settings`` are ``None`` outside the HTTP server.
    """

    def __init__(self, store: GraphStore | None, catalog: QueryCatalog, runner: QueryRunner | None = None,
                 executor: DeadlineExecutor | None = None,
                 settings: ServerSettings | None = None) -> None:  # fmt: skip
        self.catalog = catalog
        self.executor = executor
        self.settings = settings
        self._current: Generation | None = None
        self.switches = 0
        """Snapshots published since the start (tests and logs)."""
        self._on_publish: list[Callable[[Generation, Generation], None]] = []
        self._on_start: list[Callable[[Generation], None]] = []
        if store is not None:
            self.start(store, executor, runner=runner)

    def start(
        self, store: GraphStore, executor: DeadlineExecutor | None = None, *, runner: QueryRunner | None = None
    ) -> None:
        """Serve ``store`` from now on, its queries under ``executor``'s deadlines.  The app factory
        builds its routers over services without a store (``Services(None, …)``) and starts them
        when the server starts and has opened its store."""
        if self._current is not None and not self._current.retired:
            raise RuntimeError("these services serve a store already")
        self.executor = executor
        self._current = Generation(store, self.catalog, runner=runner, routed=executor is not None, owner=self)
        for callback in self._on_start:
            try:
                callback(self._current)
            except Exception:
                log.exception("a start hook failed")

    @property
    def started(self) -> bool:
        """Whether a store is served (:meth:`start`)."""
        return self._current is not None

    def when_started(self, callback: Callable[[Generation], None]) -> None:
        """Call ``callback(generation)`` on the first generation served: now if :attr:`started`,
        else at :meth:`start` (e.g. to build the search indexes in the background)."""
        self._on_start.append(callback)
        if self._current is not None:
            callback(self._current)

    def on_publish(self, callback: Callable[[Generation, Generation], None]) -> None:
        """Call ``callback(old, new)`` after each :meth:`publish` (e.g. to build the new
        snapshot's search indexes in the background)."""
        self._on_publish.append(callback)

    @property
    def generation(self) -> Generation:
        """The request's generation (see class docs), else the newest."""
        pinned = _PINNED.get()
        if pinned is not None and pinned.owner is self:
            return pinned
        return self.current

    @property
    def current(self) -> Generation:
        """The newest generation (what a request starting now is pinned to)."""
        if self._current is None:
            raise StoreError("the server has not opened its store yet")
        return self._current

    @property
    def store(self) -> GraphStore:
        return self.generation.store

    @property
    def runner(self) -> QueryRunner:
        return self.generation.runner

    def pin(self) -> Generation:
        """Acquire the newest generation (release it when done)."""
        while True:
            generation = self.current
            if generation.acquire():
                return generation

    @contextmanager
    def pinned(self) -> Iterator[Generation]:
        """Within the block, :attr:`store` and :attr:`runner` (and the executor's queries) are
        those of one generation, kept open until the block ends."""
        generation = self.pin()
        token = _PINNED.set(generation)
        try:
            yield generation
        finally:
            _PINNED.reset(token)
            generation.release()

    def publish(self, store: GraphStore) -> Generation:
        """Serve ``store`` (a newly published snapshot) from now on; the previous generation is
        closed once its requests are answered."""
        fresh = Generation(store, self.catalog, routed=self.executor is not None, owner=self)
        old, self._current = self.current, fresh
        self.switches += 1
        for callback in self._on_publish:  # before the old one may close: it can hand things over
            try:
                callback(old, fresh)
            except Exception:
                log.exception("a publish hook failed")
        old.retire()
        return fresh

    def close(self) -> None:
        """Retire the current generation (the server stops); :meth:`start` may serve a store again."""
        if self._current is not None:
            self._current.retire()

    def _budget(self, executor: DeadlineExecutor, seconds: float | None, what: str) -> Budget:
        from .server.request_budget import Budget
        from .server.settings import ServerSettings

        settings = self.settings or ServerSettings()
        timeout = settings.query_timeout if seconds is None else min(seconds, settings.query_timeout)
        return Budget(executor, timeout, asyncio.get_running_loop(), max_bytes=settings.max_bytes, what=what)

    async def run_with_deadline(
        self,
        fn: Callable[..., T],
        *args: Any,
        disconnected: Callable[[], Any] | None = None,
        seconds: float | None = None,
        what: str = "the request",
    ) -> T:
        """``fn(*args)`` in a thread, its store queries under one deadline (the setting
        ``query_timeout``, or ``seconds`` if smaller) — the entry point for every door whose
        work is synchronous code (HTML and RDF pages, BibTeX).

        ``disconnected`` is typically ``request.is_disconnected``.  Raises
        :class:`~bibkg.server.executor.DeadlineExceeded` (504) at the deadline,
        :class:`~bibkg.server.executor.ClientGone` when the client left, and the executor's
        :class:`~bibkg.server.executor.Busy` / ``WorkerFailed`` (503): all are
        :class:`~bibkg.server.executor.Stopped`, whose ``status`` is the HTTP answer.  The
        thread is not waited for past the deadline: its query in flight is killed and its next
        one fails at once.  Without an executor (outside the server) it just runs ``fn``.
        """
        if self.executor is None:
            return await run_in_threadpool(fn, *args)
        from .server.executor import DISCONNECT_POLL, ClientGone

        budget = self._budget(self.executor, seconds, what)
        context = contextvars.copy_context()
        context.run(REQUEST_BUDGET.set, budget)
        task = asyncio.ensure_future(run_in_threadpool(context.run, fn, *args))
        try:
            while True:
                remaining = budget.remaining()
                if remaining <= 0:
                    budget.stop(budget.exceeded())
                    raise budget.exceeded()
                done, _ = await asyncio.wait({task}, timeout=min(remaining, DISCONNECT_POLL))
                if done:
                    return task.result()
                if disconnected is not None and await disconnected():
                    gone = ClientGone(f"the client went away; {what} was stopped")
                    budget.stop(gone)
                    raise gone
        except BaseException:
            budget.stop(budget.exceeded())
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            raise

    @asynccontextmanager
    async def deadline(self, seconds: float | None = None, what: str = "the request") -> AsyncIterator[Budget | None]:
        """Within the block, store queries that the current task runs in threads (e.g. through
        :meth:`QueryRunner.query`, ``run_in_threadpool``) go to the deadline executor with the
        time left (for async code such as GraphQL resolvers).  Yields the budget; a query
        started after the deadline raises ``DeadlineExceeded`` at once.  The caller still
        bounds its own awaiting (e.g. ``asyncio.timeout``); leaving the block stops the
        queries in flight."""
        if self.executor is None:
            yield None
            return
        budget = self._budget(self.executor, seconds, what)
        token = REQUEST_BUDGET.set(budget)
        try:
            yield budget
        finally:
            REQUEST_BUDGET.reset(token)
            budget.stop(budget.exceeded())
