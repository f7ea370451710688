"""Title search: every paper title in memory, searched at C speed.

``papers(title: "…")`` finds the papers whose title contains a text, case-insensitively — what
the named query ``gql-search-papers`` does with ``FILTER(CONTAINS(LCASE(?t), LCASE(?title)))``.
That query reads every title of the store for each search (3 s on the full corpus when the
server is idle, 8–17 s under load, a worker thread busy all along). This index reads them once
per store: the lower-cased titles joined by a separator no title contains, searched with
``str.find`` (some milliseconds for the 97,000 titles of the full corpus), and the matches
mapped back to their papers with a binary search over the titles' offsets. Its rows have the
query's ``?paper``, ``?id`` and ``?year``, so the resolver treats them alike.
"""

from __future__ import annotations

import threading
import weakref
from array import array
from bisect import bisect_right

import pyoxigraph as ox

from ..services import QueryRunner, Row
from .batch import integer

_SEP = "\x00"
_QUERY = """PREFIX bibkg: <https://w3id.org/bibkg/ns#>
SELECT ?paper ?id ?year ?t
WHERE {
  ?paper a bibkg:Paper ;
         bibkg:anthologyId ?id ;
         bibkg:year ?year ;
         bibkg:title ?t .
}"""


class TitleIndex:
    """See module docs. Thread-safe, built lazily by :meth:`ensure_built`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.built = False
        self._text = ""
        self._starts = array("q")
        self._papers: list[tuple[str, str, int | None]] = []

    def ensure_built(self, runner: QueryRunner) -> TitleIndex:
        if self.built:
            return self
        with self._lock:
            if not self.built:
                self._build(runner.query_sync(_QUERY))
                self.built = True
        return self

    def _build(self, solutions) -> None:  # noqa: ANN001 - pyoxigraph QuerySolutions
        parts: list[str] = []
        offset = 0
        for solution in solutions:
            title = solution["t"].value.lower().replace(_SEP, " ")
            try:
                year: int | None = int(solution["year"].value)
            except ValueError:
                year = None
            self._papers.append((solution["paper"].value, solution["id"].value, year))
            self._starts.append(offset)
            parts.append(title)
            offset += len(title) + 1
        self._text = _SEP.join(parts) + _SEP

    def search(self, text: str, year: int | None = None) -> list[Row]:
        """Rows (``paper``, ``id``, ``year``) of the papers whose title contains ``text``
        (case-insensitive), of ``year`` if given; a paper once per matching title."""
        needle = text.lower()
        if not needle or _SEP in needle:
            return []
        found: list[Row] = []
        haystack, starts, papers = self._text, self._starts, self._papers
        position = haystack.find(needle)
        while position != -1:
            index = bisect_right(starts, position) - 1
            iri, ident, paper_year = papers[index]
            if year is None or paper_year == year:
                found.append({"paper": ox.NamedNode(iri), "id": ox.Literal(ident),
                              "year": integer(paper_year if paper_year is not None else 0)})
            following = index + 1
            if following >= len(starts):
                break
            position = haystack.find(needle, starts[following])
        return found


_INDEXES: weakref.WeakKeyDictionary[object, TitleIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def title_index_for(store: object) -> TitleIndex:
    """The (lazily built) title index of ``store``; one per store object."""
    with _LOCK:
        index = _INDEXES.get(store)
        if index is None:
            index = _INDEXES[store] = TitleIndex()
        return index
