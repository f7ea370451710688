"""Batched named queries for GraphQL's DataLoaders, and a cross-request cache of their rows.

pyoxigraph's substitutions bind one value per variable, so a batch of keys goes into the
``VALUES ?key { UNDEF }`` placeholder of a named query (``read/queries/gql-*.rq``), filled by
:meth:`bibkg.sparql.catalog.NamedQuery.with_values`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from ..read.runner import QueryRunner, Row, rows
from ..services import Generation
from ..store.base import Term
from ..vocab import XSD_INTEGER
from .lru import LRU


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD_INTEGER))


async def run_batch(
    runner: QueryRunner,
    name: str,
    var: str,
    keys: Sequence[ox.NamedNode | ox.Literal],
    bindings: Mapping[str, Term] | None = None,
) -> list[Row]:
    """Run the named query ``name`` once for all ``keys`` (off the event loop)."""
    text = runner.catalog[name].with_values(var, keys)

    def work() -> list[Row]:
        return rows(runner.query_sync(text, bindings or None))

    return await run_in_threadpool(work)


ResultCache = LRU[Any]
"""What a key of a batched query came to — its rows, or the read record made of them — per
(query, key, parameters), shared by the requests on one store (read and filled by
:class:`~bibkg.graphql.loaders.ValueCache`, the DataLoaders' ``cache_map``)."""


_ROW_BYTES = 300
"""Estimated bytes of a row (its dict and terms) beyond the characters of its values."""
_OBJECT_BYTES = 60
"""Estimated bytes of a record, tuple or string beyond its contents."""


def value_bytes(value: Any) -> int:
    """Estimated bytes of a cached value in memory — rows (a list of dicts of terms), records
    (frozen dataclasses), tuples, strings: a cache is bounded by this, not only by its number of
    keys (the papers of a venue are thousands of rows under one key)."""
    if isinstance(value, list):
        return 100 + sum(value_bytes(v) for v in value)
    if isinstance(value, dict):  # a row
        return _ROW_BYTES + sum(len(term.value) for term in value.values())
    if isinstance(value, str):
        return _OBJECT_BYTES + len(value)
    if isinstance(value, tuple):
        return _OBJECT_BYTES + sum(value_bytes(v) for v in value)
    if is_dataclass(value):
        return _OBJECT_BYTES + sum(value_bytes(getattr(value, f.name)) for f in fields(value))
    return 16  # None, bool, int


def result_cache_for(generation: Generation, max_entries: int, max_bytes: int | None = None) -> ResultCache | None:
    """The row cache shared by the requests on the snapshot ``generation`` serves, kept with it (at
    most ``max_entries`` keys and ``max_bytes`` estimated bytes), or ``None`` when rows must not
    outlive a request: caching is off (``max_entries`` or ``max_bytes`` 0) or the store's answers
    can change (:attr:`~bibkg.store.base.GraphStore.immutable`)."""
    if not max_entries or max_bytes == 0 or not getattr(generation.store, "immutable", False):
        return None
    if max_bytes is None:
        return generation.cache("graphql-rows", lambda: LRU(max_entries))
    return generation.cache("graphql-rows", lambda: LRU(max_bytes, weigh=value_bytes, max_entries=max_entries))


class BatchFunction:
    """The batch function of a DataLoader over a named query.

    Keys are tuples ``(iri, p1, p2, …)``: the IRI goes into the ``VALUES ?var`` block, the other
    members are the values of ``params`` (``None`` = unbound). Keys sharing the same parameter
    values are answered by one query, so a request issues one query per distinct combination of
    field arguments, whatever the number of keys. Each key gets the rows whose ``?var`` is its IRI.
    Keys known already never get here: the DataLoader's cache (:class:`~bibkg.graphql.loaders.ValueCache`)
    answers them.
    """

    def __init__(self, runner: QueryRunner, name: str, var: str, params: Sequence[tuple[str, str]] = ()) -> None:
        self.runner = runner
        self.name = name
        self.var = var
        self.params = tuple(params)  # (variable, kind) with kind "iri" | "integer" | "string"

    def _term(self, kind: str, value: Any) -> Term:
        if kind == "iri":
            return ox.NamedNode(value)
        if kind == "integer":
            return integer(value)
        return ox.Literal(str(value))

    async def __call__(self, keys: list[tuple[Hashable, ...]]) -> list[list[Row]]:
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        found: dict[tuple[Any, ...], list[Row]] = {}
        for key in keys:
            iri, *rest = key
            group = groups[tuple(rest)]
            if iri not in group:
                group.append(iri)  # type: ignore[arg-type]
        for params, iris in groups.items():
            bindings = {
                var: self._term(kind, value)
                for (var, kind), value in zip(self.params, params, strict=True)
                if value is not None
            }
            result = await run_batch(self.runner, self.name, self.var, [ox.NamedNode(i) for i in iris], bindings)
            by_key: dict[str, list[Row]] = defaultdict(list)
            for row in result:
                by_key[row[self.var].value].append(row)
            for iri in iris:
                found[(iri, *params)] = by_key.get(iri, [])
        return [found[tuple(key)] for key in keys]
