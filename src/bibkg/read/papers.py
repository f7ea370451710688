"""Lists of papers made from the rows of the read layer's ``gql-*-papers`` queries (``?paper``,
``?id``, ``?year``), and their one order: by year, then by Anthology id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..anthology.ids import sort_key
from .records import DatedPaper
from .runner import Row, int_of


def dated_papers(rows: Sequence[Row]) -> tuple[DatedPaper, ...]:
    """The papers of ``rows``, each once (its first row), in the rows' order."""
    seen: dict[str, DatedPaper] = {}
    for row in rows:
        iri = row["paper"].value
        if iri not in seen:
            seen[iri] = DatedPaper(iri, row["id"].value, int_of(row, "year") or 0)
    return tuple(seen.values())


def in_order(papers: Iterable[DatedPaper], *, newest_first: bool) -> list[DatedPaper]:
    """``papers`` by year (newest or oldest first), then by Anthology id."""
    sign = -1 if newest_first else 1
    return sorted(papers, key=lambda p: (sign * p.year, sort_key(p.anthology_id)))
