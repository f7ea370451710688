"""The query worker process: open the store, then answer jobs until the pipe closes.

Kept free of FastAPI/uvicorn imports: worker processes import only this module and its own
(the job, the snapshots, the priority and memory of a worker), pyoxigraph and the serializers, so
they start fast and a respawn after a killed query is cheap.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .job import Job, Outcome, run_job
from .worker_memory import Memory
from .worker_priority import Priority
from .worker_snapshots import Snapshots

_IDLE_CHECK = 0.25
"""Seconds between two looks of an idle worker at its store (``current``) and its open snapshots."""


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
    # (the queries: read/queries/warmup-select.rq, warmup-construct.rq and schema-triples.rq)
    from ..sparql.catalog import default_catalog

    catalog = default_catalog()
    store = snapshots.get(None)
    run_job(store, Job(catalog["warmup-select"].text, graph_format="ntriples"))
    run_job(store, Job(catalog["warmup-construct"].text))
    # the schema-query recognizer's parser (~0.3 s to import): else a respawned worker's first
    # `COUNT(*)`, answered from kept counts in 3 ms, passes the 0.5 s minimum deadline on a busy
    # machine, is killed, and its replacement starts over (timeout=1e-9: a kill per request)
    from ..sparql.schema_queries import recognize

    recognize(catalog["schema-triples"].text, {}, None)
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
