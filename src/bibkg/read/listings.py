"""Listings of papers: what a person page or a volume page lists of each paper, as :class:`PaperCard`.

One contract (:class:`PaperListings`), two sources:

* :class:`CardListings` — the paper cards the ingest publishes with a snapshot (:mod:`bibkg.cards`):
  one indexed lookup for all the papers of a person, however many;
* :class:`GraphListings` — the graph, through the read layer's queries, on any store (a snapshot
  without cards, ``bibkg load``'s; an external SPARQL server).  Its queries are shaped for the
  largest pages (~400 papers, ~1,600 authorships), where every index lookup counts: each paper
  is looked up once (fields and venues together), each authorship once (its printed name; the
  paper and position are in the IRI bibkg mints for it), the names of the person and co-authors
  come in one query, booktitles once per distinct volume; independent queries run in parallel.

:func:`paper_listings` picks the cards when the store has them.  Both give equal answers; one
conformance suite (``tests/read/test_listings.py``) holds them to it, on the sample and on the full
corpus.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Protocol, cast

import pyoxigraph as ox

from .. import iris
from ..store.base import PaperCardFile
from ..vocab import XSD_INTEGER
from .records import PaperCard
from .runner import QueryRunner, term_text
from .threads import query_threads


class PaperListings(Protocol):
    """Where the cards of listed papers come from.

    A card's ``venues`` are sorted; its ``authors`` are by position, each with the name printed on
    the paper (the person's IRI when the graph has none)."""

    def of_author(self, person: str) -> list[PaperCard]:
        """The cards of the papers ``person`` (an IRI) is an author of, in no particular order."""
        ...

    def cards(self, papers: Sequence[str]) -> list[PaperCard | None]:
        """The card of each of ``papers`` (IRIs), aligned to them: ``None`` where an IRI is not a
        paper (front matter has no card)."""
        ...

    def published(self, years: range) -> list[PaperCard]:
        """The cards of the papers with a title published in ``years``, in no particular order."""
        ...


def paper_listings(runner: QueryRunner) -> PaperListings:
    """The listings of ``runner``'s store: its snapshot's cards if it has them, else its graph."""
    cards = getattr(runner.store, "paper_cards", None)
    return GraphListings(runner) if cards is None else CardListings(cards)


class CardListings:
    """:class:`PaperListings` from a snapshot's cards file."""

    def __init__(self, cards: PaperCardFile) -> None:
        self._cards = cards

    def of_author(self, person: str) -> list[PaperCard]:
        return self._cards.of_author(person)

    def cards(self, papers: Sequence[str]) -> list[PaperCard | None]:
        found = self._cards.of_papers(papers)
        return [found.get(paper) for paper in papers]

    def published(self, years: range) -> list[PaperCard]:
        return [card for card in self._cards.of_years(years) if card.title]


class GraphListings:
    """:class:`PaperListings` from the graph (named queries ``read/queries/ld-*.rq``)."""

    BATCH = 100
    """Papers per query of :meth:`cards`: one query for the whole of a volume of 772 papers (4,555
    authorships) takes ~0.5 s in the engine, embedded or on a server; in concurrent batches the
    cores share it."""

    def __init__(self, runner: QueryRunner) -> None:
        self._runner = runner

    # -- one person's papers ----------------------------------------------------------------------
    def of_author(self, person: str) -> list[PaperCard]:
        pool = query_threads()
        authorships_f = pool.submit(self._authorships, person)
        owners_f = pool.submit(self._names_of_coauthors, person)
        fields, venues = self._person_papers(person)
        volumes = sorted({volume for _, _, volume, _ in fields.values() if volume})
        booktitles = {
            row["vol"].value: row["title"].value for row in self._runner.batched_sync("ld-booktitles", "vol", volumes)
        }
        authors = self._place_authors(authorships_f.result(), owners_f.result())
        return [
            PaperCard(
                paper,
                title,
                year,
                volume,
                booktitles.get(volume or ""),
                pdf,
                tuple(sorted(venues[paper])),
                tuple(authors.get(paper, ())),
            )
            for paper, (title, year, volume, pdf) in fields.items()
        ]

    def _person_papers(
        self, person: str
    ) -> tuple[dict[str, tuple[str | None, str | None, str | None, str | None]], dict[str, set[str]]]:
        """paper -> (title, year, volume, PDF) from each paper's first row, and its venues."""
        fields: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}
        venues: dict[str, set[str]] = defaultdict(set)
        for row in self._runner.solutions_sync("ld-person-papers", person=person):
            paper = row["paper"].value
            if paper not in fields:
                fields[paper] = (
                    term_text(row["title"]),
                    term_text(row["year"]),
                    term_text(row["vol"]),
                    term_text(row["pdf"]),
                )
            if row["venue"] is not None:
                venues[paper].add(row["venue"].value)
        return fields, venues

    def _authorships(self, person: str) -> list[tuple[str, str | None]]:
        """(authorship IRI, printed-name node or ``None``) of the authorships of the person's papers."""
        out: list[tuple[str, str | None]] = []
        for row in self._runner.solutions_sync("ld-person-authors", person=person):
            node = term_text(row["n"])
            out.extend((a, node) for a in row["authorships"].value.split(" ") if a)
        return out

    def _names_of_coauthors(self, person: str) -> dict[str, tuple[str, str]]:
        """name node -> (the person it belongs to, its full name, else the person's IRI), for the
        person and their co-authors."""
        owners: dict[str, tuple[str, str]] = {}
        for row in self._runner.solutions_sync("ld-person-coauthor-names", person=person):
            author = row["author"].value
            owners.setdefault(row["n"].value, (author, term_text(row["name"]) or author))
        return owners

    def _place_authors(
        self, authorships: list[tuple[str, str | None]], owners: dict[str, tuple[str, str]]
    ) -> dict[str, list[tuple[str, str]]]:
        """paper -> its authors by position; authorships the IRIs and names do not explain are
        read from the graph (``ld-authorships``)."""
        places: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
        unexplained: list[str] = []
        for a, node in authorships:
            place = _minted_place(a)
            owner = owners.get(node) if node else None
            if place is None or owner is None:
                unexplained.append(a)
            else:
                places[place[0]].setdefault(place[1], owner)
        for row in self._runner.batched_sync("ld-authorships", "a", sorted(set(unexplained))):
            author = row["author"].value
            places[row["paper"].value].setdefault(int(row["pos"].value), (author, term_text(row["name"]) or author))
        return {paper: [by_pos[pos] for pos in sorted(by_pos)] for paper, by_pos in places.items()}

    # -- any papers -------------------------------------------------------------------------------
    def cards(self, papers: Sequence[str]) -> list[PaperCard | None]:
        query = self._runner.catalog["ld-paper-cards"]

        def rows(batch: Sequence[str]) -> list[tuple[str | None, ...]]:
            # plain values: nothing of the engine's leaves its thread
            result = cast(
                ox.QuerySolutions, self._runner.query_sync(query.with_values("paper", [ox.NamedNode(p) for p in batch]))
            )
            return [tuple(term_text(row[k]) for k in _CARD_COLUMNS) for row in result]

        batches: list[Future[list[tuple[str | None, ...]]]] = [
            query_threads().submit(rows, papers[start : start + self.BATCH])
            for start in range(0, len(papers), self.BATCH)
        ]
        fields: dict[str, tuple[str | None, ...]] = {}
        venues: dict[str, set[str]] = defaultdict(set)
        authors: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
        for future in batches:
            for paper, title, year, volume, booktitle, pdf, venue, pos, person, name in future.result():
                assert paper is not None  # the VALUES block binds it
                fields.setdefault(paper, (title, year, volume, booktitle, pdf))
                if venue is not None:
                    venues[paper].add(venue)
                if pos is not None and person is not None:
                    authors[paper].setdefault(int(pos), (person, name or person))
        out: list[PaperCard | None] = []
        for paper in papers:
            found = fields.get(paper)
            if found is None:
                out.append(None)
                continue
            title, year, volume, booktitle, pdf = found
            by_pos = authors.get(paper, {})
            out.append(PaperCard(paper, title, year, volume, booktitle, pdf, tuple(sorted(venues.get(paper, ()))),
                                 tuple(by_pos[pos] for pos in sorted(by_pos))))  # fmt: skip
        return out

    def published(self, years: range) -> list[PaperCard]:
        integer = ox.NamedNode(XSD_INTEGER)
        bounds = {"from": ox.Literal(str(years.start), datatype=integer),
                  "to": ox.Literal(str(years.stop - 1), datatype=integer)}  # fmt: skip
        papers = sorted({row["paper"].value for row in self._runner.named_rows_sync("ld-published-papers", bounds)})
        return [card for card in self.cards(papers) if card is not None and card.title]


_CARD_COLUMNS = ("paper", "title", "year", "vol", "booktitle", "pdf", "venue", "pos", "person", "name")


def _minted_place(authorship: str) -> tuple[str, int] | None:
    """(paper, position) of an authorship IRI bibkg minted (:func:`bibkg.iris.contribution_iri`),
    else ``None``."""
    paper, _, fragment = authorship.rpartition("#")
    number = fragment.removeprefix("author-")
    if not number.isdigit() or iris.contribution_iri(paper, "author", int(number)) != authorship:
        return None
    return paper, int(number)


__all__ = ["CardListings", "GraphListings", "PaperListings", "paper_listings"]
