"""The Anthology side of the linker: papers (title, year, authors in order) and persons' names,
read from a store.

A snapshot the ingest made has paper cards (:mod:`bibkg.cards`): each paper with its title,
year and authors in one row, so the papers of the years that matter are read in one pass
(~0.3 s for the full corpus).  Without cards (a snapshot made by ``bibkg load``, an external
SPARQL store) the same records come from the named queries ``link-papers`` and
``link-paper-authors``.  Persons' names come from ``link-person-names``, for the persons of
candidate papers only.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from ..services import rows
from ..sparql.catalog import QueryCatalog, default_catalog
from ..store.base import GraphStore
from ..vocab import XSD_INTEGER
from .link import AnthologyPaper

BATCH = 400
"""Keys per VALUES block of a batched query."""


def _year(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


class AnthologySource:
    """Papers and names of the Anthology in ``store`` (see module docs)."""

    def __init__(self, store: GraphStore, catalog: QueryCatalog | None = None) -> None:
        self.store = store
        self.catalog = catalog or default_catalog()

    def _rows(
        self, name: str, bindings: dict | None = None, var: str | None = None, keys: Iterable[str] = ()
    ) -> list[dict]:
        text = self.catalog[name].text
        if var is not None:
            text = self.catalog[name].with_values(var, [ox.NamedNode(k) for k in keys])
        return rows(self.store.query(text, bindings=bindings))

    def papers(self, years: range) -> list[AnthologyPaper]:
        """The papers published in ``years``."""
        cards = getattr(self.store, "paper_cards", None)
        if cards is not None:
            return _papers_from_cards(Path(cards.path), years)
        integer = ox.NamedNode(XSD_INTEGER)
        return self._records(
            self._rows(
                "link-papers",
                {
                    "from": ox.Literal(str(years.start), datatype=integer),
                    "to": ox.Literal(str(years.stop - 1), datatype=integer),
                },
            )
        )

    def _records(self, found: list[dict]) -> list[AnthologyPaper]:
        """Papers (rows of ``link-papers``) with their authors (``link-paper-authors``)."""
        titles = {row["paper"].value: (_year(row["year"].value), row["title"].value) for row in found}
        authors: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        keys = sorted(titles)
        for start in range(0, len(keys), BATCH):
            for row in self._rows("link-paper-authors", var="paper", keys=keys[start : start + BATCH]):
                authors[row["paper"].value].append((_year(row["pos"].value), row["person"].value, row["name"].value))
        return [
            AnthologyPaper(iri, year, title, tuple((person, name) for _, person, name in sorted(authors[iri])))
            for iri, (year, title) in sorted(titles.items())
        ]

    def papers_by_iri(self, papers: Iterable[str]) -> dict[str, AnthologyPaper]:
        """The records of ``papers`` (IRIs), whatever their year: papers a reviewed decision
        links, which the title index may not hold."""
        keys = sorted(set(papers))
        if not keys:
            return {}
        cards = getattr(self.store, "paper_cards", None)
        if cards is not None:
            return {p.iri: p for p in _papers_from_cards(Path(cards.path), None, keys)}
        integer = ox.NamedNode(XSD_INTEGER)
        bounds = {"from": ox.Literal("0", datatype=integer), "to": ox.Literal("9999", datatype=integer)}
        return {p.iri: p for p in self._records(self._rows("link-papers", bounds, var="paper", keys=keys))}

    def person_names(self, persons: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Every name each of ``persons`` (IRIs) published under."""
        keys = sorted(set(persons))
        names: dict[str, list[str]] = defaultdict(list)
        for start in range(0, len(keys), BATCH):
            for row in self._rows("link-person-names", var="person", keys=keys[start : start + BATCH]):
                names[row["person"].value].append(row["fullName"].value)
        return {person: tuple(sorted(found)) for person, found in names.items()}


def _papers_from_cards(path: Path, years: range | None, keys: Sequence[str] = ()) -> list[AnthologyPaper]:
    """The papers of ``years``, or (``years`` ``None``) the papers ``keys``."""
    import json

    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    db = sqlite3.connect(uri, uri=True)
    try:
        if years is not None:
            found = db.execute(
                "SELECT paper, card FROM card WHERE CAST(json_extract(card, '$[1]') AS INTEGER) BETWEEN ? AND ?",
                (years.start, years.stop - 1),
            ).fetchall()
        else:
            found = [
                row
                for start in range(0, len(keys), BATCH)
                for row in db.execute(
                    f"SELECT paper, card FROM card WHERE paper IN ({','.join('?' * len(keys[start : start + BATCH]))})",
                    keys[start : start + BATCH],
                ).fetchall()
            ]
    finally:
        db.close()
    papers = []
    for iri, text in found:
        title, year, _volume, _booktitle, _pdf, _venues, authors = json.loads(text)
        if title:
            papers.append(AnthologyPaper(iri, _year(year), title, tuple((p, n) for p, n in authors)))
    return papers
