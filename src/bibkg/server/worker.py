"""What a query worker does: evaluate one job against a store and serialize the result.

Kept free of FastAPI/uvicorn imports: worker processes import only this module, pyoxigraph and
the serializers, so they start fast and a respawn after a killed query is cheap.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from ..errors import QueryError, ResultLimitError, StoreError
from ..store.base import GraphStore
from .results import Serialized, serialize_result


@dataclass(slots=True)
class Job:
    """One query to evaluate; everything is picklable (pyoxigraph terms are)."""

    query: str
    bindings: Mapping[str, Any] = field(default_factory=dict)
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    base_iri: str | None = None
    tabular_format: str = "json"
    graph_format: str = "turtle"
    max_rows: int = 10_000
    max_bytes: int = 50_000_000
    federation_allow: tuple[str, ...] = ()
    """Endpoints ``SERVICE`` may call (the setting ``federation_allow``); empty: none."""
    whole: bool = False
    """Serialize the whole result with Oxigraph's own serializers (SPARQL JSON results or
    N-Triples), for callers in the server that parse it back (:class:`bibkg.services.RoutedStore`):
    about 3x faster than the capped writer; ``max_rows`` does not apply, a result above
    ``max_bytes`` is refused (``truncated="max_bytes"``, no payload)."""
    snapshot: str | None = None
    """The snapshot directory to evaluate on (the one the request is pinned to); ``None``: the
    worker's newest.  A worker keeps the snapshots it was asked for open while they are used
    (:class:`Snapshots`), so a request in flight during a switch is answered from its own."""
    sleep: float = 0.0
    """Test hook: seconds the worker sleeps before evaluating (never set by HTTP requests)."""


@dataclass(slots=True)
class Outcome:
    """A job's answer: ``result`` or an ``error`` (``status``, message)."""

    result: Serialized | None = None
    error: tuple[int, str] | None = None
    seconds: float = 0.0


def evaluate(store: GraphStore, job: Job) -> Serialized:
    """Run ``job`` on ``store``; raises :class:`QueryError` for a malformed query."""
    if job.sleep:
        import time

        time.sleep(job.sleep)
    result = store.query(
        job.query,
        bindings=job.bindings or None,
        default_graphs=job.default_graphs,
        named_graphs=job.named_graphs,
        base_iri=job.base_iri,
        federation_allow=job.federation_allow,
        row_limit=None if job.whole else job.max_rows + 1,  # one more: the cut is seen (serialize_result)
        max_bytes=job.max_bytes,
    )
    if job.whole:
        return _serialize_whole(result, job.max_bytes)
    return serialize_result(
        result, job.tabular_format, job.graph_format, max_rows=job.max_rows, max_bytes=job.max_bytes
    )


def _serialize_whole(result: Any, max_bytes: int) -> Serialized:
    """See :attr:`Job.whole`."""
    if isinstance(result, ox.QueryTriples):
        payload = cast(bytes, result.serialize(format=ox.RdfFormat.N_TRIPLES))  # no output file: the bytes are returned
        fmt, kind, form = "ntriples", "graph", "GRAPH"
    else:
        payload, fmt, kind = result.serialize(format=ox.QueryResultsFormat.JSON), "json", "tabular"
        form = "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"
    if len(payload) > max_bytes:
        return Serialized(b"", fmt, kind, form, 0, truncated="max_bytes")
    return Serialized(payload, fmt, kind, form, 0)


def run_job(store: GraphStore, job: Job) -> Outcome:
    """:func:`evaluate`, with every failure turned into an (HTTP status, message) pair."""
    import time

    started = time.perf_counter()
    try:
        return Outcome(result=evaluate(store, job), seconds=time.perf_counter() - started)
    except QueryError as exc:
        return Outcome(error=(400, f"query error: {exc}"))
    except SyntaxError as exc:
        return Outcome(error=(400, f"query error: {exc}"))
    except RuntimeError as exc:  # evaluation errors pyoxigraph reports (e.g. bad substitution)
        return Outcome(error=(400, f"query evaluation error: {exc}"))
    except ValueError as exc:
        return Outcome(error=(400, f"query error: {exc}"))
    except ResultLimitError as exc:  # an external server's answer over a limit: not a store failure
        return Outcome(error=(503, f"result limit: {exc}"))
    except StoreError as exc:
        return Outcome(error=(503, f"store unavailable: {exc}"))
    except OSError as exc:
        return Outcome(error=(502, f"store error: {exc}"))
    except Exception as exc:  # noqa: BLE001 - reported, never crashes the worker
        return Outcome(error=(500, f"internal error: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"))


class Priority:
    """Lowers the CPU priority of the thread that runs jobs once a job has run
    :data:`LOW_PRIORITY_AFTER` seconds, and restores it when the job ends.

    On a machine with few cores, a query that runs for seconds (an expensive join, a client
    that left and lets it run until it is killed) would otherwise take a whole core from the
    short queries of everyone else; at nice :data:`LOW_PRIORITY_NICE` it still uses idle CPU
    but yields to them.  A watchdog thread does the lowering (``setpriority`` on the job
    thread's id); the job itself runs where it always did, so no query result ever changes
    threads.  Raising a priority back needs ``CAP_SYS_NICE`` or a ``RLIMIT_NICE`` that allows
    it: where it is refused, :meth:`end` says so and the worker retires after its answer (the
    pool starts a fresh one) rather than serving on at low priority.
    """

    def __init__(self) -> None:
        import os
        import threading

        self._tid = threading.get_native_id()
        self._base = os.getpriority(os.PRIO_PROCESS, self._tid)
        self._cond = threading.Condition()
        self._job = 0
        """The running job's number (0: none)."""
        self._count = 0
        self._lowered = False
        threading.Thread(target=self._watch, name="bibkg-priority", daemon=True).start()

    def begin(self) -> None:
        with self._cond:
            self._count += 1
            self._job = self._count
            self._cond.notify()

    def end(self) -> bool:
        """The job ended: its priority is the worker's own again (``False``: it could not be
        raised back; the worker should retire)."""
        import os

        with self._cond:
            self._job = 0
            if not self._lowered:
                return True
            self._lowered = False
            try:
                os.setpriority(os.PRIO_PROCESS, self._tid, self._base)
            except OSError:
                return False
            return True

    def _watch(self) -> None:
        import os
        import time

        with self._cond:
            while True:
                while not self._job:
                    self._cond.wait()
                job, until = self._job, time.monotonic() + LOW_PRIORITY_AFTER
                while self._job == job and (left := until - time.monotonic()) > 0:
                    self._cond.wait(left)
                if self._job == job:
                    try:
                        os.setpriority(os.PRIO_PROCESS, self._tid, self._base + LOW_PRIORITY_NICE)
                        self._lowered = True
                    except OSError:
                        pass
                    while self._job == job:
                        self._cond.wait()


# --- worker process -----------------------------------------------------------------------------------


def open_store(spec: tuple[str, str]) -> GraphStore:
    """A store from a picklable spec: ``("snapshot", path)`` opens an Oxigraph snapshot read-only."""
    kind, value = spec
    if kind == "snapshot":
        return _open_snapshot(Path(value))
    raise StoreError(f"unknown store spec {spec!r}")


def _open_snapshot(path: Path) -> GraphStore:
    from ..sparql.schema import files_dir_of
    from ..store.local import lease_snapshot
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

_IDLE_CHECK = 0.25
"""Seconds between two looks of an idle worker at its store (``current``) and its open snapshots."""

LOW_PRIORITY_AFTER = 0.2
"""Seconds a job may run at the worker's normal CPU priority; after that its thread runs at
:data:`LOW_PRIORITY_NICE` (:class:`Priority`)."""
LOW_PRIORITY_NICE = 10
"""Nice value of a job's thread past :data:`LOW_PRIORITY_AFTER`: under contention Linux gives it
about a tenth of the CPU share of a normal thread."""

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


class Snapshots:
    """The snapshots a worker has open, by directory (see :attr:`Job.snapshot`).

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


def worker_main(conn: Any, spec: tuple[str, str]) -> None:
    """Body of a worker process: open the store, then answer jobs until the pipe closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    kind, value = spec
    try:
        if kind != "snapshot":
            raise StoreError(f"unknown store spec {spec!r}")
        snapshots = Snapshots(Path(value))
    except Exception as exc:  # noqa: BLE001
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    # warm up before saying ready: the first query of a fresh interpreter pays for lazy imports
    # and caches (~0.3 s), which would count against a client's deadline after every respawn
    store = snapshots.get(None)
    run_job(store, Job("SELECT * WHERE { ?s ?p ?o } LIMIT 1", graph_format="ntriples"))
    run_job(store, Job("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"))
    # the schema-query recognizer's parser (~0.3 s to import): else a respawned worker's first
    # `COUNT(*)`, answered from kept counts in 3 ms, passes the 0.5 s minimum deadline on a busy
    # machine, is killed, and its replacement starts over (timeout=1e-9: a kill per request)
    from ..sparql.schema import recognize

    recognize("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {}, None)
    del store
    memory = Memory()
    priority = Priority()
    conn.send(("ready", None))
    tidied = time.monotonic()
    while True:
        if time.monotonic() - tidied >= _IDLE_CHECK:  # idle or not: a busy worker tidies too
            snapshots.tidy()
            if memory.due():
                try:
                    memory.release(snapshots)
                except (StoreError, OSError):
                    pass  # the snapshot went away: the next job's get() says so
            tidied = time.monotonic()
        try:
            if not conn.poll(_IDLE_CHECK):
                continue
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            store = snapshots.get(job.snapshot)
        except StoreError as exc:
            conn.send(Outcome(error=(503, f"store unavailable: {exc}")))
            continue
        except OSError as exc:
            conn.send(Outcome(error=(503, f"store unavailable: cannot open snapshot {job.snapshot}: {exc}")))
            continue
        priority.begin()
        try:
            outcome = run_job(store, job)
        finally:
            restored = priority.end()
        conn.send(outcome)
        del store
        memory.job_done()
        if not restored:
            return  # left at a low priority: the pool starts a fresh worker in its place


def main(argv: list[str] | None = None) -> None:
    """``python -m bibkg.server.worker FD KIND VALUE``: serve jobs on the socket ``FD``."""
    import sys
    from multiprocessing.connection import Connection

    args = sys.argv[1:] if argv is None else argv
    fd, kind, value = int(args[0]), args[1], args[2]
    worker_main(Connection(fd), (kind, value))


if __name__ == "__main__":
    main()
