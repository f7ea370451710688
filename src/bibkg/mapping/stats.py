"""The statistics graph: numbers precomputed at ingest so that no query has to scan the graph.

A whole-graph ``GROUP BY`` takes seconds on the full corpus; the same numbers cost nothing to
count while the corpus streams through the ingest.  The graph
``https://w3id.org/bibkg/graph/stats`` holds:

* the VoID description of the dataset (``https://w3id.org/bibkg/dataset``): statements, entities,
  one class partition per class with its entity count, the source directory, the licence and
  the ingest date — served at ``/.well-known/void``;
* per person: ``bibkg:paperCount``, ``bibkg:firstYear``, ``bibkg:lastYear``;
* per venue: the same three numbers, and one ``bibkg:VenueYear`` per year it published
  (``bibkg:venueYear``) with ``bibkg:paperCount``, ``bibkg:authorCount`` and its most prolific
  authors (``bibkg:topAuthor`` → ``bibkg:AuthorRank`` with ``bibkg:rank``,
  ``bibkg:rankedPerson``, ``bibkg:paperCount``): the top 10 by papers, equal counts sharing a
  rank, ties at the 10th place broken by person id (small venue-years, where every author has
  one paper, would otherwise list all their authors).

The dataset node also links (``bibkg:topAuthor``) to the 100 most prolific authors of the whole
Anthology, ranked the same way but with ties at the 100th place broken by person IRI: the
``top-authors`` query reads them instead of sorting 88,000 persons (8-10 s on the full corpus).

Papers are counted once (front matter excluded); a paper of a volume with two venues counts for
both venues.
"""

from __future__ import annotations

import datetime as _dt
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import iris
from .. import vocab as V
from .blocks import Block, BlockIndex, SplicedText, join
from .collection import VolumeFacts
from .terms import GraphText, QuadWriter, date_lit, int_lit

DATASET_IRI = iris.BIBKG_ID + "dataset"
STATS_IRI = iris.BIBKG_ID + "stats/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TOP_AUTHORS = 10
TOP_AUTHORS_OVERALL = 100


def venue_year_iri(venue_id: str, year: int) -> str:
    return f"{STATS_IRI}venue-year/{venue_id}-{year}"


@dataclass(slots=True)
class StatsFacts:
    """What the statistics graph needs, gathered while collections stream by."""

    authors: dict[str, list[str]] = field(default_factory=dict)
    """paper id → person ids of its authors (each once)."""
    collections: int = 0
    papers: int = 0
    frontmatter: int = 0
    authorships: int = 0
    editorships: int = 0

    def absorb(self, facts: Any) -> None:
        """Count one collection: its mapping's facts (:class:`bibkg.ingest.state.CollectionFacts`:
        counts, and ``authors``, paper id → person ids)."""
        self.collections += 1
        self.papers += facts.papers
        self.frontmatter += facts.frontmatter
        self.authorships += facts.authorships
        self.editorships += facts.editorships
        for item_id, people in facts.authors.items():
            known = self.authors.setdefault(item_id, [])
            for pid in people:
                if pid not in known:
                    known.append(pid)


@dataclass(slots=True)
class StatsCounts:
    """The numbers of the statistics graph, counted from the facts of every collection."""

    person_years: dict[str, Counter[int]]
    """person id → year → their papers of that year."""
    venue_years: dict[tuple[str, int], Counter[str]]
    """(venue id, year) → person id → their papers at that venue in that year."""
    venue_year_papers: Counter[tuple[str, int]]
    volumes: int


def count(facts: StatsFacts, volumes: Iterable[VolumeFacts]) -> StatsCounts:
    """Count papers per person, per venue-year and per author of a venue-year."""
    paper_year: dict[str, int] = {}
    paper_venues: dict[str, set[str]] = defaultdict(set)
    volume_count = 0
    for v in volumes:
        volume_count += 1
        for pid in v.paper_ids:
            paper_year[pid] = v.year
            paper_venues[pid].update(v.venue_ids)
    person_years: dict[str, Counter[int]] = defaultdict(Counter)
    vy_papers: Counter[tuple[str, int]] = Counter()
    vy_authors: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for paper_id, year in paper_year.items():
        people = facts.authors.get(paper_id, ())
        for pid in people:
            person_years[pid][year] += 1
        for venue_id in paper_venues[paper_id]:
            vy_papers[(venue_id, year)] += 1
            counter = vy_authors[(venue_id, year)]
            for pid in people:
                counter[pid] += 1
    return StatsCounts(dict(person_years), {vy: vy_authors[vy] for vy in vy_papers}, vy_papers, volume_count)


@dataclass(slots=True)
class DatasetFacts:
    """What the dataset's VoID description counts."""

    papers: int
    frontmatter: int
    volumes: int
    collections: int
    persons: int
    events: int
    venues: int
    sigs: int
    venue_years: int
    authorships: int
    editorships: int


PERSONS, VENUES, VENUE_YEARS, DATASET = 0, 1, 2, 3
"""The sections of the statistics graph, in text order; a block's key is (section, …)."""


def person_counts_block(pid: str, years: Counter[int]) -> QuadWriter:
    """A person's paper count and first and last year."""
    out = QuadWriter(iris.STATS_GRAPH)
    s = iris.person_iri(pid)
    out.add(s, V.paperCount, int_lit(sum(years.values())))
    out.add(s, V.firstYear, int_lit(min(years)))
    out.add(s, V.lastYear, int_lit(max(years)))
    return out


def venues_block(vy_papers: Counter[tuple[str, int]]) -> QuadWriter:
    """Every venue's paper count and first and last year."""
    out = QuadWriter(iris.STATS_GRAPH)
    venue_papers: Counter[str] = Counter()
    venue_years: dict[str, list[int]] = {}
    for (venue_id, year), papers in vy_papers.items():
        venue_papers[venue_id] += papers
        span = venue_years.setdefault(venue_id, [year, year])
        span[0], span[1] = min(span[0], year), max(span[1], year)
    for venue_id in sorted(venue_papers):
        s = iris.venue_iri(venue_id)
        out.add(s, V.paperCount, int_lit(venue_papers[venue_id]))
        first, last = venue_years[venue_id]
        out.add(s, V.firstYear, int_lit(first))
        out.add(s, V.lastYear, int_lit(last))
    return out


def venue_year_block(venue_id: str, year: int, papers: int, authors: Counter[str]) -> QuadWriter:
    """A venue-year: its papers, its authors and the most prolific of them (the venue's link to
    it comes last, so that the block starts and ends with a subject of its own)."""
    out = QuadWriter(iris.STATS_GRAPH)
    s = venue_year_iri(venue_id, year)
    venue = iris.venue_iri(venue_id)
    out.add_iri(s, V.TYPE, V.VenueYear)
    out.add_iri(s, V.venue, venue)
    out.add(s, V.year, int_lit(year))
    out.add_iri(s, V.event, iris.event_iri(f"{venue_id}-{year}"))
    out.add(s, V.paperCount, int_lit(papers))
    out.add(s, V.authorCount, int_lit(len(authors)))
    _add_ranking(out, s, sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_AUTHORS])
    out.add_iri(venue, V.venueYear, s)
    return out


def top_authors(person_papers: dict[str, int]) -> list[tuple[str, int]]:
    """The :data:`TOP_AUTHORS_OVERALL` most prolific authors, ties broken by person IRI."""
    if len(person_papers) > TOP_AUTHORS_OVERALL:  # only those with at least the 100th count can be in it
        least = heapq.nlargest(TOP_AUTHORS_OVERALL, person_papers.values())[-1]
        person_papers = {pid: n for pid, n in person_papers.items() if n >= least}
    return sorted(person_papers.items(), key=lambda kv: (-kv[1], iris.person_iri(kv[0])))[:TOP_AUTHORS_OVERALL]


def dataset_block(
    counts: DatasetFacts,
    top: list[tuple[str, int]],
    *,
    quads: int,
    source: Path | str | None = None,
    today: _dt.date | None = None,
) -> QuadWriter:
    """The VoID description of the dataset; ``quads``: the statements written before it (its
    last statement, alone, is the dataset's ``void:triples``)."""
    out = QuadWriter(iris.STATS_GRAPH)
    d = DATASET_IRI
    classes = {
        V.Paper: counts.papers,
        V.FrontMatter: counts.frontmatter,
        V.Volume: counts.volumes,
        V.Collection: counts.collections,
        V.Person: counts.persons,
        V.Event: counts.events,
        V.Venue: counts.venues,
        V.SIG: counts.sigs,
        V.VenueYear: counts.venue_years,
    }
    out.add_iri(d, V.TYPE, V.VOID + "Dataset")
    out.add_text(d, V.DCTERMS + "title", "bibkg: the ACL Anthology as a knowledge graph")
    out.add_text(
        d,
        V.DCTERMS + "description",
        "Papers, volumes, venues, events and persons of the ACL Anthology, with ordered authorship "
        "and editorship, resolved persons and their name variants.",
    )
    out.add_iri(d, V.DCTERMS + "license", LICENSE)
    out.add_iri(d, V.DCTERMS + "source", iris.ANTHOLOGY)
    if source is not None:
        out.add_text(d, V.sourceSnapshot, _snapshot_name(source))
    out.add(d, V.DCTERMS + "created", date_lit((today or _dt.date.today()).isoformat()))
    out.add_iri(d, V.VOID + "vocabulary", V.BIBKG)
    out.add_iri(d, V.VOID + "uriSpace", iris.ANTHOLOGY)
    out.add(d, V.VOID + "entities", int_lit(sum(classes.values())))
    out.add(d, V.authorshipCount, int_lit(counts.authorships))
    _add_ranking(out, d, top)
    out.add(d, V.editorshipCount, int_lit(counts.editorships))
    for cls, number in classes.items():
        node = f"{d}#class-{cls.rsplit('#', 1)[-1]}"
        out.add_iri(d, V.VOID + "classPartition", node)
        out.add_iri(node, V.VOID + "class", cls)
        out.add(node, V.VOID + "entities", int_lit(number))
    out.add(d, V.VOID + "triples", int_lit(quads + len(out) + 1))
    return out


def stats_graph(
    facts: StatsFacts,
    volumes: Iterable[VolumeFacts],
    *,
    persons: int,
    events: int,
    venues: int,
    sigs: int,
    quads: int,
    source: Path | str | None = None,
    today: _dt.date | None = None,
) -> tuple[GraphText, BlockIndex, StatsCounts, DatasetFacts]:
    """Build the statistics graph, a block per person and venue-year (:mod:`bibkg.mapping.blocks`),
    with the counts it was made from and the dataset's; ``quads`` is the number of statements
    written before it."""
    counts = count(facts, volumes)
    blocks: list[tuple[tuple, Block]] = []
    for pid in sorted(counts.person_years):
        blocks.append(((PERSONS, pid), Block.of(person_counts_block(pid, counts.person_years[pid]))))
    blocks.append(((VENUES,), Block.of(venues_block(counts.venue_year_papers))))
    for venue_id, year in sorted(counts.venue_year_papers):
        vy = (venue_id, year)
        block = venue_year_block(venue_id, year, counts.venue_year_papers[vy], counts.venue_years[vy])
        blocks.append(((VENUE_YEARS, venue_id, year), Block.of(block)))
    before = quads + sum(block.quads for _key, block in blocks)
    person_papers = {pid: sum(years.values()) for pid, years in counts.person_years.items()}
    dataset = DatasetFacts(facts.papers, facts.frontmatter, counts.volumes, facts.collections, persons, events, venues,
                           sigs, len(counts.venue_year_papers), facts.authorships, facts.editorships)  # fmt: skip
    top = top_authors(person_papers)
    blocks.append(((DATASET,), Block.of(dataset_block(dataset, top, quads=before, source=source, today=today))))
    text, index = join(iris.STATS_GRAPH, blocks)
    return text, index, counts, dataset


def _add_ranking(out: QuadWriter, subject: str, ranked: list[tuple[str, int]]) -> None:
    """``subject bibkg:topAuthor`` one AuthorRank per (person id, papers) of ``ranked`` (most
    papers first); equal counts share a rank (the position of the first of them)."""
    rank = 0
    previous = None
    for position, (pid, count) in enumerate(ranked, start=1):
        if count != previous:
            rank, previous = position, count
        node = f"{subject}#rank-{position}"
        out.add_iri(subject, V.topAuthor, node)
        out.add_iri(node, V.TYPE, V.AuthorRank)
        out.add(node, V.rank, int_lit(rank))
        out.add_iri(node, V.rankedPerson, iris.person_iri(pid))
        out.add(node, V.paperCount, int_lit(count))


def _snapshot_name(source: Path | str) -> str:
    """``…/acl-anthology-2024-08/data`` → ``acl-anthology-2024-08/data``: the corpus snapshot."""
    path = Path(source).resolve()
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def recount(context: Any) -> dict[str, GraphText]:
    """Derivation run after every update (:mod:`bibkg.store.delta`): the dataset's
    ``void:triples`` is the number of quads of the whole graph, whatever graph the update
    changed; the statistics graph is given the new number if it changed (one quad)."""
    graph = context.graph(iris.STATS_GRAPH)
    if graph is None:
        return {}
    fixed = with_triples(graph, context.total)
    return {} if fixed is graph else {iris.STATS_GRAPH: fixed}


def with_triples(graph: GraphText, total: int) -> GraphText:
    """The statistics graph ``graph`` saying ``void:triples total``: its last statement, as
    :func:`stats_graph` writes it (the dataset's statement count comes last, alone)."""
    # the last lines, read without the rest of the graph's text (tens of MB on the full corpus)
    nq_cut, nq_last = _last_line(graph, "nquads")
    ttl_cut, ttl_last = _last_line(graph, "turtle")
    nq_prefix = f'<{DATASET_IRI}> <{V.VOID}triples> "'.encode()
    nq_suffix = f'"^^<{V.XSD_INTEGER}> <{iris.STATS_GRAPH}> .'.encode()
    ttl_prefix = f"<{DATASET_IRI}> ".encode()
    if not (nq_last.startswith(nq_prefix) and nq_last.endswith(nq_suffix) and ttl_last.startswith(ttl_prefix)
            and ttl_last.endswith(b" .")):  # fmt: skip
        raise ValueError("the statistics graph does not end with the dataset's void:triples statement")
    old = nq_last[len(nq_prefix) : -len(nq_suffix)]
    new = str(total).encode()
    if old == new:
        return graph
    ttl_words = ttl_last[:-2].rsplit(b" ", 1)
    if ttl_words[-1] != old:
        raise ValueError("the statistics graph's N-Quads and Turtle disagree on void:triples")
    nq_end, ttl_end = b"".join((nq_prefix, new, nq_suffix, b"\n")), b"".join((ttl_words[0], b" ", new, b" .\n"))
    if isinstance(graph, SplicedText):
        return graph.with_tail(nq_cut, nq_end, ttl_cut, ttl_end)
    nquads = b"".join((memoryview(graph.nquads)[:nq_cut], nq_end))
    turtle = b"".join((memoryview(graph.turtle)[:ttl_cut], ttl_end))
    return GraphText(graph.iri, nquads, turtle, graph.quads)


def _last_line(graph: GraphText, kind: str) -> tuple[int, bytes]:
    """Where the last line of a text starts, and that line without its newline."""
    size, window = graph.size(kind), 512
    while True:
        start = max(0, size - window)
        tail = graph.span(start, size, kind)
        newline = tail.rfind(b"\n", 0, len(tail) - 1)
        if newline >= 0 or start == 0:
            return start + newline + 1, tail[newline + 1 : -1]
        window *= 8
