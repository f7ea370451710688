"""Title search: every paper title in memory, searched at C speed.

``papers(title: "…")`` finds the papers whose title contains a text, case-insensitively — what
the named query ``gql-search-papers`` does with ``FILTER(CONTAINS(LCASE(?t), LCASE(?title)))``.
That query reads every title of the store for each search (3 s on the full corpus when the
server is idle, 8–17 s under load, a worker thread busy all along). This index reads them once
per store, ordered as the resolver answers (newest first, then by Anthology id): each paper's
lower-cased titles, each followed by a separator no title contains, in one string searched with
``str.find``; a match is mapped back to its paper by a binary search over the papers' offsets,
and the search goes on from the next paper. A search costs a scan of that string in C plus a
little per matching paper (``benchmarks/bench_gql_hostile.py`` measures both).
"""

from __future__ import annotations

import threading
import time
from array import array
from bisect import bisect_right

from ..read.runner import QueryRunner
from ..services import Generation
from . import names
from .names import bulk_query

_SEP = "\x00"


def _year(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


class TitleIndex:
    """See module docs. Thread-safe, built lazily by :meth:`ensure_built`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.built = False
        self.created = time.monotonic()
        self.runner: QueryRunner | None = None  # over a mutable store: the runner, for a refresh
        self.refreshing = False
        self.fallback: TitleIndex | None = None
        """The previous snapshot's built index, searched until this one is built."""
        self._text = ""
        self._starts = array("q")
        self._papers: list[tuple[str, str]] = []
        self._years = array("q")

    def ensure_built(self, runner: QueryRunner) -> TitleIndex:
        if self.built:
            return self
        with self._lock:
            if not self.built:
                self._build(
                    bulk_query(runner, runner.catalog["gql-title-index"].text)
                )  # an external endpoint: not under a request timeout
                if not getattr(runner.store, "immutable", False):
                    self.runner = runner
                self.fallback = None
                self.created = time.monotonic()
                self.built = True
        return self

    def _build(self, solutions) -> None:  # noqa: ANN001 - pyoxigraph QuerySolutions
        from ..anthology.ids import sort_key

        papers: dict[str, tuple[str, int, list[str]]] = {}
        for solution in solutions:
            iri = solution["paper"].value
            entry = papers.get(iri)
            if entry is None:
                entry = papers[iri] = (solution["id"].value, _year(solution["year"].value), [])
            entry[2].append(solution["t"].value.lower().replace(_SEP, " "))
        # the resolver's order: newest first, then Anthology id in natural order
        ordered = sorted(papers.items(), key=lambda kv: (-kv[1][1], sort_key(kv[1][0])))
        parts: list[str] = []
        offset = 0
        for iri, (ident, year, titles) in ordered:
            segment = "".join(title + _SEP for title in titles)
            self._papers.append((iri, ident))
            self._years.append(year)
            self._starts.append(offset)
            parts.append(segment)
            offset += len(segment)
        self._text = "".join(parts)

    def search(self, text: str, year: int | None = None) -> list[tuple[str, str]]:
        """``(IRI, Anthology id)`` of the papers with a title containing ``text``
        (case-insensitive), of ``year`` if given, newest first then by Anthology id."""
        needle = text.lower()
        if not needle or _SEP in needle:
            return []
        found: list[tuple[str, str]] = []
        haystack, starts, papers, years = self._text, self._starts, self._papers, self._years
        count = len(starts)
        position = haystack.find(needle)
        while position != -1:
            index = bisect_right(starts, position) - 1
            if year is None or years[index] == year:
                found.append(papers[index])
            if index + 1 >= count:
                break
            position = haystack.find(needle, starts[index + 1])
        return found


def title_index_for(generation: Generation, *, own: bool = False) -> TitleIndex:
    """The title index of the snapshot ``generation`` serves (:func:`bibkg.graphql.names.search_index`:
    kept with the snapshot, the previous snapshot's searched until built, a mutable store's rebuilt
    once older than :data:`~bibkg.graphql.names.REMOTE_INDEX_SECONDS`)."""
    return names.search_index(generation, TitleIndex, own=own)
