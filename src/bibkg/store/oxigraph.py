"""The local backend: SPARQL over the current snapshot of a :class:`~bibkg.store.local.LocalStore`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from ..errors import QueryError
from .base import QueryResult, Term
from .local import LocalStore


class OxigraphStore:
    """Read-only Oxigraph over a snapshot; the default graph is the union of all named graphs."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def open(cls, local: LocalStore) -> OxigraphStore:
        return cls(local.open_read())

    @property
    def native(self) -> ox.Store:
        """The underlying pyoxigraph store (for dumps and statistics)."""
        return self._store

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        """See :meth:`GraphStore.query`; ``prefixes`` are declared for the query's convenience
        (the command line declares the project's prefixes this way)."""
        kwargs: dict[str, object] = {}
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        try:
            return self._store.query(sparql, base_iri=base_iri, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QueryError(str(exc)) from None

    def close(self) -> None:
        del self._store
