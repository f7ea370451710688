"""Running the read layer's queries: :class:`QueryRunner` is the only way the shells (web pages,
GraphQL, BibTeX, the Daily Papers linker) reach the store.  It runs SPARQL text or a named query
of the catalog, off the event loop when asked, and returns plain rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from ..sparql.catalog import QueryCatalog
from ..store.base import GraphStore, QueryResult, Term

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

    def named_sync(self, name: str, **iris: str) -> QueryResult:
        """The result of the named query ``name`` with IRIs bound to its parameters."""
        return self.query_sync(self.catalog[name].text, {k: ox.NamedNode(v) for k, v in iris.items()})

    def solutions_sync(self, name: str, **iris: str) -> ox.QuerySolutions:
        """Solutions of the named ``SELECT`` query ``name`` with IRIs bound to its parameters."""
        return _solutions(self.named_sync(name, **iris))

    def batched_sync(self, name: str, variable: str, iris: Sequence[str], batch: int = 400) -> list[ox.QuerySolution]:
        """Solutions of the named ``SELECT`` query ``name`` with ``iris`` in its ``VALUES ?variable``
        block, ``batch`` IRIs per store query (a long VALUES block is one slow query)."""
        query = self.catalog[name]
        out: list[ox.QuerySolution] = []
        for start in range(0, len(iris), batch):
            values = [ox.NamedNode(i) for i in iris[start : start + batch]]
            out.extend(_solutions(self.query_sync(query.with_values(variable, values))))
        return out

    def named_rows_sync(self, name: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        result = self.query_sync(self.catalog[name].text, bindings)
        return rows(result)

    async def named_rows(self, name: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        """Run the named query ``name`` with typed ``bindings``; rows as dicts."""
        return await run_in_threadpool(self.named_rows_sync, name, bindings)

    async def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, **kwargs: Any) -> QueryResult:
        return await run_in_threadpool(lambda: self.query_sync(sparql, bindings, **kwargs))


def term_text(term: Term | None) -> str | None:
    """The lexical value of ``term`` (an IRI's text, a literal's value), ``None`` if unbound."""
    return None if term is None else term.value


def str_of(row: Row | None, key: str) -> str | None:
    """The lexical value of ``?key`` in ``row``, if bound."""
    if row is None or key not in row:
        return None
    return row[key].value


def int_of(row: Row | None, key: str) -> int | None:
    """``?key`` in ``row`` as an integer, if bound and one."""
    value = str_of(row, key)
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def bool_of(row: Row | None, key: str) -> bool | None:
    """``?key`` in ``row`` as a boolean, if bound (Virtuoso answers booleans as 1/0)."""
    value = str_of(row, key)
    return None if value is None else value in ("true", "1")


def _solutions(result: QueryResult) -> ox.QuerySolutions:
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT result")
    return result


def rows(result: QueryResult) -> list[Row]:
    solutions = _solutions(result)
    names = [v.value for v in solutions.variables]
    out = []
    for solution in solutions:
        row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = value
        out.append(row)
    return out
