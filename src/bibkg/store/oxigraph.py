"""The local backend: SPARQL over the current snapshot of a :class:`~bibkg.store.local.LocalStore`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from ..cards import PaperCards
from ..errors import QueryError
from ..sparql import schema
from .base import QueryResult, Term
from .local import LocalStore


class OxigraphStore:
    """Read-only Oxigraph over a snapshot; the default graph is the union of all named graphs."""

    immutable = True
    """A published snapshot is never written (an ingest publishes a new one)."""

    def __init__(self, store: ox.Store, paper_cards: PaperCards | None = None, files_dir: Path | None = None) -> None:
        self._store = store
        self.paper_cards = paper_cards
        """The snapshot's paper cards (:mod:`bibkg.cards`), if it has them."""
        self._schema = schema.StatsSource(store, files_dir)
        """Counts answering the schema queries (:mod:`bibkg.sparql.schema`), kept in ``files_dir``."""

    @classmethod
    def open(cls, local: LocalStore) -> OxigraphStore:
        """The current snapshot of ``local``, with its paper cards."""
        snapshot = local.current_snapshot()
        store = local.open_read(snapshot)  # raises StoreError when there is none
        files = local.files_dir(snapshot) if snapshot else None
        return cls(store, PaperCards.find(files), files)

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
        """See :meth:`GraphStore.query`.

        The default graph is the union of all graphs unless the protocol (``default_graphs`` /
        ``named_graphs``) or the query itself (``FROM`` / ``FROM NAMED``) names a dataset; with
        a protocol dataset the unnamed part is empty (SPARQL 1.1 Protocol §2.1.4).  Bindings
        fill ``VALUES ?name { UNDEF }`` placeholders where the query has them, else they are
        substituted.  ``prefixes`` are declared for the query's convenience (the command line
        declares the project's prefixes this way).
        """
        from ..sparql.catalog import apply_bindings
        from ..sparql.protocol import has_dataset_clause

        kwargs: dict[str, object] = {}
        if default_graphs is not None or named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        elif not has_dataset_clause(sparql):
            kwargs["use_default_graph_as_union"] = True
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        sparql, rest = apply_bindings(sparql, bindings)  # type: ignore[arg-type]
        if rest:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in rest.items()}
        if kwargs.get("use_default_graph_as_union") and not rest:
            shape = schema.recognize(sparql, prefixes, base_iri)  # the schema queries, from counts kept
            if shape is not None and _accepted(sparql, prefixes, base_iri):
                answered = schema.answer(shape, self._schema.get())
                if answered is not None:
                    return answered
        try:
            return self._store.query(sparql, base_iri=base_iri, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QueryError(str(exc)) from None

    def close(self) -> None:
        del self._store


_EMPTY = ox.Store()


def _accepted(sparql: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> bool:
    """Whether Oxigraph parses ``sparql`` (on an empty store): a query it would refuse is
    refused, never answered from the schema counts."""
    try:
        _EMPTY.query(sparql, prefixes=dict(prefixes or {}), base_iri=base_iri)
    except SyntaxError:
        return False
    return True
