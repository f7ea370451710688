"""A snapshot's own files beside an external SPARQL store.

Why: over an external store every listing is read from the graph, and some answers cannot be
made fast that way: a volume page reads its 772 papers and 4,555 authorships (0.5-0.6 s in the
engine itself, embedded or not), and ``graph-sizes`` counts every quad (1-3 s on the full
corpus).  The embedded store answers both from files its ingest kept with the snapshot: the
paper cards (:mod:`bibkg.cards`) and the schema counts (:mod:`bibkg.sparql.schema`).

What: ``bibkg serve --sparql-endpoint URL --store STORE`` names the store whose current snapshot
the endpoint was loaded from (``bibkg export --store STORE --format nquads``).  The snapshot is
opened read-only and leased (so no ingest prunes its files while they are served); its cards and
kept counts answer what they answer in the embedded store, every other query goes to the
endpoint.  They are used only while the endpoint holds that snapshot's data: the literal values
of the dataset's VoID description (``void:triples``, ``void:entities``, the authorship and
editorship counts, ``dcterms:created``, the source) must be the snapshot's.  bibkg checks them
at most every :attr:`SnapshotCompanion.check_interval` seconds; while they differ (another dump
was loaded) or the check fails, listings and counts come from the endpoint, as without
``--store``, and ``/health`` says why.

Limits: the check compares the dataset description, not the data.  Two ingests of the same day
with the same numbers of triples, entities, authorships and editorships but different data
cannot be told apart: serve the store the loaded dump was exported from.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

import pyoxigraph as ox

from ..cards import PaperCards
from ..errors import QueryError, StoreError
from ..sparql.catalog import default_catalog
from .base import QueryResult
from .local import LocalStore
from .oxigraph import OxigraphStore

log = logging.getLogger("bibkg.server")

DESCRIPTION_QUERY = default_catalog()["void-dataset-literals"].text
"""The literal values of the dataset's VoID description (a few dozen rows;
``read/queries/void-dataset-literals.rq``)."""

Description = frozenset[tuple[str, str]]
"""(predicate IRI, lexical form) pairs: lexical forms only, so that a server writing
``xsd:int`` where Oxigraph writes ``xsd:integer`` still matches."""


def description(result: QueryResult) -> Description:
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT result")
    return frozenset(
        (p.value, o.value)
        for row in result
        if isinstance(p := row["p"], ox.NamedNode) and isinstance(o := row["o"], ox.Literal)
    )


class SnapshotCompanion:
    """The cards and kept counts of one local snapshot, for the external store loaded from it."""

    check_interval = 1.0
    """Seconds between two checks that the endpoint still holds the snapshot's data."""

    def __init__(self, snapshot: OxigraphStore, label: str) -> None:
        self.snapshot = snapshot
        self.label = label
        self.expected = description(snapshot.query(DESCRIPTION_QUERY))
        if not self.expected:
            snapshot.close()
            raise StoreError(f"{label}: its snapshot has no dataset description (statistics graph)")
        self._checked: tuple[float, str | None] | None = None
        self._lock = threading.Lock()
        # read the kept counts and warm the schema-query parser now, not in the first request
        # (~0.1 s; the embedded store's query workers do the same when they start)
        snapshot.kept_answer(default_catalog()["schema-triples"].text, None, None)

    @classmethod
    def open(cls, local: LocalStore) -> SnapshotCompanion:
        """The current snapshot of ``local`` (raises :class:`StoreError` when it has none)."""
        return cls(OxigraphStore.open(local), str(local.root))

    def problem(self, read_description: Callable[[], QueryResult]) -> str | None:
        """``None`` while the endpoint's dataset description (read with ``read_description``)
        is the snapshot's; else why the files are not used, in one line."""
        with self._lock:
            now = time.monotonic()
            if self._checked is not None and now - self._checked[0] < self.check_interval:
                return self._checked[1]
            try:
                found = description(read_description())
            except (StoreError, QueryError) as exc:
                problem: str | None = f"cannot read the endpoint's dataset description: {exc}"
            else:
                problem = None if found == self.expected else self._difference(found)
            if self._checked is None or problem != self._checked[1]:
                if problem is None:
                    log.info("using the paper cards and counts of %s: the endpoint holds its data", self.label)
                else:
                    log.warning("not using the snapshot files of %s: %s", self.label, problem)
            self._checked = (time.monotonic(), problem)
            return problem

    def _difference(self, found: Description) -> str:
        expected, got = dict(self.expected), dict(found)
        for key in sorted(expected.keys() | got.keys()):
            if expected.get(key) != got.get(key):
                name = key.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                return (
                    f"the endpoint's data is not the snapshot of {self.label} "
                    f"({name}: {got.get(key, 'none')} there, {expected.get(key, 'none')} in the snapshot)"
                )
        return f"the endpoint's data is not the snapshot of {self.label}"  # pragma: no cover - sets differ

    @property
    def paper_cards(self) -> PaperCards | None:
        return self.snapshot.paper_cards

    def kept_answer(self, text: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> QueryResult | None:
        return self.snapshot.kept_answer(text, prefixes, base_iri)

    def close(self) -> None:
        self.snapshot.close()
