"""The local backend: SPARQL over the current snapshot of a :class:`~bibkg.store.local.LocalStore`."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from ..cards import PaperCards
from ..errors import QueryError, StoreError
from ..sparql import schema, schema_queries
from .base import QueryResult, Term
from .local import LocalStore


class OxigraphStore:
    """Read-only Oxigraph over a snapshot; the default graph is the union of all named graphs."""

    immutable = True
    """A published snapshot is never written (an ingest publishes a new one)."""

    def __init__(
        self,
        store: ox.Store,
        paper_cards: PaperCards | None = None,
        files_dir: Path | None = None,
        lease: object = None,
    ) -> None:
        self._store = store
        self.closed = False
        self._lease = lease
        """The :class:`~bibkg.store.leases.SnapshotLease` that keeps an ingest from deleting the
        snapshot while it is open (released with this object)."""
        self.paper_cards = paper_cards
        """The snapshot's paper cards (:mod:`bibkg.cards`), if it has them."""
        self._schema = schema.StatsSource(store, files_dir)
        """Counts answering the schema queries (:mod:`bibkg.sparql.schema`), kept in ``files_dir``."""

    @classmethod
    def open(cls, local: LocalStore) -> OxigraphStore:
        """The current snapshot of ``local``, with its paper cards."""
        store, lease = local.open_leased()  # raises StoreError when there is none
        files = local.files_dir(lease.snapshot)
        return cls(store, PaperCards.find(files), files, lease=lease)

    @property
    def snapshot(self) -> Path | None:
        """The snapshot directory this store reads (when opened by :meth:`open`)."""
        return getattr(self._lease, "snapshot", None)

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
        federation_allow: Collection[str] = (),
        row_limit: int | None = None,
        max_bytes: int | None = None,
    ) -> QueryResult:
        """See :meth:`GraphStore.query` (``row_limit`` and ``max_bytes`` are not needed here:
        solutions are evaluated as the caller reads them).

        The default graph is the union of all graphs unless the protocol (``default_graphs`` /
        ``named_graphs``) or the query itself (``FROM`` / ``FROM NAMED``) names a dataset; with
        a protocol dataset the unnamed part is empty (SPARQL 1.1 Protocol §2.1.4).  Bindings
        fill ``VALUES ?name { UNDEF }`` placeholders where the query has them, else they are
        substituted.  ``prefixes`` (default: the project's, :data:`bibkg.vocab.PREFIXES`) are
        predeclared: a query may use them without ``PREFIX`` lines, and its own declarations win.

        Every query passes here (``/sparql``, named queries, the CLI, the query workers), so this
        is where ``SERVICE`` is refused unless its endpoint is in ``federation_allow``
        (pyoxigraph would connect to any endpoint: :func:`bibkg.sparql.lexer.check_federation`),
        and where syntax errors become one readable line.
        """
        from ..sparql.catalog import apply_bindings
        from ..sparql.lexer import check_federation, syntax_error_message
        from ..sparql.query_text import has_dataset_clause
        from ..vocab import PREFIXES

        prefixes = PREFIXES if prefixes is None else prefixes
        check_federation(sparql, federation_allow, prefixes=prefixes, base_iri=base_iri)
        kwargs: dict[str, object] = {}
        if default_graphs is not None or named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        elif not has_dataset_clause(sparql):
            kwargs["use_default_graph_as_union"] = True
        if prefixes:
            kwargs["prefixes"] = dict(prefixes)
        text, rest = apply_bindings(sparql, bindings)
        if rest:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in rest.items()}
        if kwargs.get("use_default_graph_as_union") and not rest:
            answered = self.kept_answer(text, prefixes, base_iri)
            if answered is not None:
                return answered
        if self.closed:
            raise StoreError(f"snapshot {self.snapshot or ''} is closed: it is no longer served")
        try:
            return self._store.query(text, base_iri=base_iri, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QueryError(syntax_error_message(str(exc), text, prefixes)) from None

    def kept_answer(
        self, text: str, prefixes: Mapping[str, str] | None, base_iri: str | None
    ) -> ox.QuerySolutions | None:
        """The answer of a schema query (:mod:`bibkg.sparql.schema_queries`) over the union default
        graph, from the counts kept with the snapshot; ``None`` for any other query, or while
        the counts are not kept yet (then the engine answers, as before)."""
        shape = schema_queries.recognize(text, prefixes, base_iri)
        if shape is None or not _accepted(text, prefixes, base_iri):
            return None
        stats = self._schema.get()
        return schema_queries.answer(shape, stats) if stats is not None else None

    def close(self) -> None:
        """Stop serving: further queries raise :class:`StoreError`, and the lease is released.

        The pyoxigraph store itself is left to be freed with its last reference: a query still
        running in another thread (a warm-up that began before the close) keeps it alive and
        finishes instead of failing with ``AttributeError`` on a deleted handle, which
        ``del self._store`` used to cause."""
        self.closed = True
        release = getattr(self._lease, "release", None)
        if release is not None:
            release()


_EMPTY = ox.Store()


def _accepted(sparql: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> bool:
    """Whether Oxigraph parses ``sparql`` (on an empty store): a query it would refuse is
    refused, never answered from the schema counts."""
    try:
        _EMPTY.query(sparql, prefixes=dict(prefixes or {}), base_iri=base_iri)
    except SyntaxError:
        return False
    return True
