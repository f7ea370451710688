"""What the HTTP and GraphQL layers are given: the store, the named queries and a query runner.

:class:`QueryRunner` is the only way web code reaches the store.  It runs SPARQL off the event
loop and returns plain Python rows, so routers and resolvers stay thin and never block.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from .sparql.catalog import QueryCatalog
from .store.base import GraphStore, QueryResult, Term

Row = dict[str, Any]
"""A solution: variable name → pyoxigraph term (``NamedNode``/``Literal``/``BlankNode``), unbound
variables absent."""


class QueryRunner:
    """Runs SPARQL text or named queries against a :class:`GraphStore` without blocking."""

    def __init__(self, store: GraphStore, catalog: QueryCatalog) -> None:
        self.store = store
        self.catalog = catalog
        self.calls = 0
        """Number of store queries issued (tests use it to check batching)."""

    def query_sync(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        self.calls += 1
        return self.store.query(
            sparql,
            bindings=bindings,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            base_iri=base_iri,
        )

    def named_rows_sync(self, name: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        result = self.query_sync(self.catalog[name].text, bindings)
        return rows(result)

    async def named_rows(self, name: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Run the named query ``name`` with typed ``bindings``; rows as dicts."""
        return await run_in_threadpool(self.named_rows_sync, name, bindings)

    async def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, **kwargs: Any) -> QueryResult:
        return await run_in_threadpool(lambda: self.query_sync(sparql, bindings, **kwargs))


def rows(result: QueryResult) -> list[Row]:
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT result")
    names = [v.value for v in result.variables]
    out = []
    for solution in result:
        row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = value
        out.append(row)
    return out


@dataclass(slots=True)
class Services:
    """Everything a router needs; built once per application by the app factory.

    ``runner`` evaluates in-process, in a thread pool; GraphQL bounds its own work (document
    limits and cost before execution, and the deadline ``settings.query_timeout`` around each
    request: past it, the request is cancelled and starts no further query — see
    :mod:`bibkg.graphql.router`); the SPARQL endpoint and ``/queries`` go through ``executor``, a pool of worker
    processes that enforces deadlines and result caps (:mod:`bibkg.server.executor`).
    ``executor`` and ``settings`` are ``None`` outside the HTTP server.
    """

    store: GraphStore
    catalog: QueryCatalog
    runner: QueryRunner
    executor: Any = None
    settings: Any = None
