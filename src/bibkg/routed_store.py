"""Store queries made under a request budget go to the deadline executor.

In the server, :attr:`bibkg.services.Services.store` is a :class:`RoutedStore`: outside a request
budget it queries in process; inside one (:data:`REQUEST_BUDGET`, set by
:meth:`~bibkg.services.Services.run_with_deadline` and :meth:`~bibkg.services.Services.deadline`)
each query is sent to the server's deadline executor — the worker processes that are killed at
the deadline (:mod:`bibkg.server.worker_pool`) — with the time the request has left, and its
result comes back as the same pyoxigraph objects.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import QueryError, StoreError
from .store.base import GraphStore, QueryResult, Term

REQUEST_BUDGET: contextvars.ContextVar[Any] = contextvars.ContextVar("bibkg_request_budget", default=None)
"""The :class:`bibkg.server.request_budget.Budget` of the request being served, if any."""

_JSON_RESULTS = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"


class RoutedStore:
    """A :class:`GraphStore` that sends queries made under a request budget to the deadline
    executor (see module docs) and evaluates the others on ``inner``; every other attribute
    (``paper_cards``, ``native``, ``close``…) is ``inner``'s."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        **kwargs: Any,
    ) -> QueryResult:
        budget = REQUEST_BUDGET.get()
        if budget is None or _on_event_loop():
            return self.inner.query(
                sparql, bindings=bindings, default_graphs=default_graphs, named_graphs=named_graphs,
                base_iri=base_iri, **kwargs,
            )  # fmt: skip
        from .server.job import Job

        prefixes = kwargs.get("prefixes")
        if prefixes:
            sparql = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + sparql
        job = Job(
            query=sparql,
            bindings=dict(bindings or {}),
            default_graphs=list(default_graphs) if default_graphs is not None else None,
            named_graphs=list(named_graphs) if named_graphs is not None else None,
            base_iri=base_iri,
            whole=True,  # the caller needs all of it; bytes and time bound it
            max_bytes=budget.max_bytes,
            federation_allow=tuple(kwargs.get("federation_allow", ())),
            snapshot=_snapshot_of(self.inner),  # the worker reads the snapshot this store reads
        )
        outcome = budget.run(job)
        if outcome.error is not None:
            status, message = outcome.error
            if status == 400:
                raise QueryError(message)
            raise StoreError(message)
        result = outcome.result
        assert result is not None
        if result.truncated:
            raise StoreError(
                f"a query of {budget.what} returned more than {budget.max_bytes:,} bytes (BIBKG_MAX_BYTES)"
            )
        from .store.remote import _parse

        graph = result.kind == "graph"
        return _parse(result.payload, _NTRIPLES if graph else _JSON_RESULTS, graph)


def _snapshot_of(store: object) -> str | None:
    snapshot = getattr(store, "snapshot", None)
    return str(snapshot) if snapshot is not None else None


def _on_event_loop() -> bool:
    """Whether this thread runs an event loop (a budget must never block it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
