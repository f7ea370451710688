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
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import iris
from .. import vocab as V
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
) -> QuadWriter:
    """Build the statistics graph; ``quads`` is the number of statements written before it."""
    out = QuadWriter(iris.STATS_GRAPH)
    volumes = list(volumes)
    paper_year: dict[str, int] = {}
    paper_venues: dict[str, set[str]] = defaultdict(set)
    volume_types = Counter()
    for v in volumes:
        volume_types["volume"] += 1
        for pid in v.paper_ids:
            paper_year[pid] = v.year
            paper_venues[pid].update(v.venue_ids)

    # persons
    person_papers: Counter[str] = Counter()
    person_years: dict[str, list[int]] = {}
    venue_papers: Counter[str] = Counter()
    venue_years: dict[str, list[int]] = {}
    vy_papers: Counter[tuple[str, int]] = Counter()
    vy_authors: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for paper_id, year in paper_year.items():
        people = facts.authors.get(paper_id, ())
        for pid in people:
            person_papers[pid] += 1
            span = person_years.setdefault(pid, [year, year])
            span[0], span[1] = min(span[0], year), max(span[1], year)
        for venue_id in paper_venues[paper_id]:
            venue_papers[venue_id] += 1
            span = venue_years.setdefault(venue_id, [year, year])
            span[0], span[1] = min(span[0], year), max(span[1], year)
            vy_papers[(venue_id, year)] += 1
            counter = vy_authors[(venue_id, year)]
            for pid in people:
                counter[pid] += 1
    for pid in sorted(person_papers):
        s = iris.person_iri(pid)
        out.add(s, V.paperCount, int_lit(person_papers[pid]))
        first, last = person_years[pid]
        out.add(s, V.firstYear, int_lit(first))
        out.add(s, V.lastYear, int_lit(last))
    for venue_id in sorted(venue_papers):
        s = iris.venue_iri(venue_id)
        out.add(s, V.paperCount, int_lit(venue_papers[venue_id]))
        first, last = venue_years[venue_id]
        out.add(s, V.firstYear, int_lit(first))
        out.add(s, V.lastYear, int_lit(last))
    for (venue_id, year) in sorted(vy_papers):
        s = venue_year_iri(venue_id, year)
        venue = iris.venue_iri(venue_id)
        out.add_iri(venue, V.venueYear, s)
        out.add_iri(s, V.TYPE, V.VenueYear)
        out.add_iri(s, V.venue, venue)
        out.add(s, V.year, int_lit(year))
        out.add_iri(s, V.event, iris.event_iri(f"{venue_id}-{year}"))
        out.add(s, V.paperCount, int_lit(vy_papers[(venue_id, year)]))
        authors = vy_authors[(venue_id, year)]
        out.add(s, V.authorCount, int_lit(len(authors)))
        _add_ranking(out, s, sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_AUTHORS])

    # VoID description of the dataset
    d = DATASET_IRI
    classes = {
        V.Paper: facts.papers,
        V.FrontMatter: facts.frontmatter,
        V.Volume: volume_types["volume"],
        V.Collection: facts.collections,
        V.Person: persons,
        V.Event: events,
        V.Venue: venues,
        V.SIG: sigs,
        V.VenueYear: len(vy_papers),
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
    out.add(d, V.authorshipCount, int_lit(facts.authorships))
    overall = sorted(person_papers.items(), key=lambda kv: (-kv[1], iris.person_iri(kv[0])))
    _add_ranking(out, d, overall[:TOP_AUTHORS_OVERALL])
    out.add(d, V.editorshipCount, int_lit(facts.editorships))
    for cls, count in classes.items():
        node = f"{d}#class-{cls.rsplit('#', 1)[-1]}"
        out.add_iri(d, V.VOID + "classPartition", node)
        out.add_iri(node, V.VOID + "class", cls)
        out.add(node, V.VOID + "entities", int_lit(count))
    total = quads + len(out) + 1
    out.add(d, V.VOID + "triples", int_lit(total))
    return out


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
    # the last lines, found without copying the graph's text (tens of MB on the full corpus)
    nq_cut = graph.nquads.rfind(b"\n", 0, len(graph.nquads) - 1) + 1
    ttl_cut = graph.turtle.rfind(b"\n", 0, len(graph.turtle) - 1) + 1
    nq_last, ttl_last = graph.nquads[nq_cut:-1], graph.turtle[ttl_cut:-1]
    nq_prefix = f"<{DATASET_IRI}> <{V.VOID}triples> \"".encode()
    nq_suffix = f"\"^^<{V.XSD_INTEGER}> <{iris.STATS_GRAPH}> .".encode()
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
    nquads = b"".join((memoryview(graph.nquads)[:nq_cut], nq_prefix, new, nq_suffix, b"\n"))
    turtle = b"".join((memoryview(graph.turtle)[:ttl_cut], ttl_words[0], b" ", new, b" .\n"))
    return GraphText(graph.iri, nquads, turtle, graph.quads)
