"""One query job and its outcome: evaluate a job against a store and serialize the result.

Kept free of FastAPI/uvicorn imports: worker processes (:mod:`bibkg.server.worker`) import it,
pyoxigraph and the serializers only, so they start fast and a respawn after a killed query is
cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pyoxigraph as ox

from ..errors import QueryError, ResultLimitError, StoreError
from ..store.base import GraphStore
from .results import Serialized, serialize_result

log = logging.getLogger("bibkg.server")


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
    N-Triples), for callers in the server that parse it back (:class:`bibkg.routed_store.RoutedStore`):
    about 3x faster than the capped writer; ``max_rows`` does not apply, a result above
    ``max_bytes`` is refused (``truncated="max_bytes"``, no payload)."""
    snapshot: str | None = None
    """The snapshot directory to evaluate on (the one the request is pinned to); ``None``: the
    worker's newest.  A worker keeps the snapshots it was asked for open while they are used
    (:class:`~bibkg.server.worker_snapshots.Snapshots`), so a request in flight during a switch is
    answered from its own."""
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
    except Exception as exc:  # reported, never crashes the worker
        # the traceback goes to the server's log (a worker's stderr), never to the client
        log.error("internal error evaluating a query", exc_info=exc)
        return Outcome(error=(500, f"internal error: {type(exc).__name__}: {exc}"))
