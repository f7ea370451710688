"""The HTML page of a person (:mod:`bibkg.web.pages` has the others, :mod:`bibkg.web.page_parts` the shared parts).

Fetching (``fetch_person``: plain data from the snapshot's paper cards and two named queries, or
from named queries alone) is separate from rendering (``render_person``: a pure function of that
data).  Without cards, the queries are shaped for the largest pages (~400 papers, ~1,600
authorships), where every index lookup and every term decoded counts: each
paper is looked up once (fields and venues together), each authorship once (its printed name; the
paper and position are in the IRI bibkg mints for it), authorships come back grouped by printed
name, the names of the person and co-authors come in one query, booktitles and venue labels once
per distinct volume or venue; the independent queries run in parallel threads.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

import pyoxigraph as ox

from .. import iris
from .. import vocab as V
from ..anthology.ids import sort_key
from ..cards import PaperCards
from ..services import QueryRunner
from .page_parts import e, external, html_table, link, local_path, page, paper_item
from .page_queries import RDFS_LABEL, page_threads, run_named, value_text


@dataclass(slots=True)
class PersonPaper:
    """One paper of a person page."""

    iri: str
    title: str
    year: str | None = None
    volume: str | None = None
    booktitle: str | None = None
    pdf: str | None = None
    authors: list[tuple[str, str]] = field(default_factory=list)
    """(person IRI, printed name, or the IRI when the authorship has no name), by position."""

    @property
    def anthology_id(self) -> str:
        return self.iri.removeprefix(iris.ANTHOLOGY).rstrip("/")


@dataclass(slots=True)
class PersonData:
    """Everything a person page shows, as plain data."""

    iri: str
    label: str
    other_names: list[str] = field(default_factory=list)
    script_variants: list[tuple[str, str]] = field(default_factory=list)
    """(text, language tag), in the store's order."""
    orcids: list[str] = field(default_factory=list)
    degrees: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verified: bool = False
    similar: list[tuple[str, str]] = field(default_factory=list)
    """(IRI, label) of similar-name persons, by label."""
    papers: list[PersonPaper] = field(default_factory=list)
    """Newest first, then by Anthology id."""
    coauthors: list[tuple[str, str, int]] = field(default_factory=list)
    """(IRI, name, shared papers), most shared first, then by name."""
    venues: list[tuple[str, str, int]] = field(default_factory=list)
    """(IRI, label, papers), most papers first, then by label."""
    preprints: list[Any] = field(default_factory=list)
    """The person's linked arXiv preprints (:class:`bibkg.web.preprints.PreprintItem`), newest first."""


_BATCH = 400


def _batched(runner: QueryRunner, name: str, variable: str, iris_: list[str]) -> list[Any]:
    """Rows of the batch query ``name`` for ``iris_``, ``_BATCH`` IRIs per query."""
    query = runner.catalog[name]
    rows: list[Any] = []
    for start in range(0, len(iris_), _BATCH):
        batch = [ox.NamedNode(i) for i in iris_[start : start + _BATCH]]
        rows.extend(cast(ox.QuerySolutions, runner.query_sync(query.with_values(variable, batch))))  # a SELECT
    return rows


def _person_facts(runner: QueryRunner, iri: str) -> PersonData | None:
    info = list(run_named(runner, "ld-person-info", person=iri))
    if not info:
        return None
    props: dict[str, list[Any]] = defaultdict(list)
    similar: dict[str, str] = {}
    for row in info:
        k = row["k"].value
        props[k].append(row["v"])
        if k == V.similar:
            similar[row["v"].value] = value_text(row["label"]) or row["v"].value
    label = value_text((props.get(RDFS_LABEL) or [None])[0]) or iri
    canonical = {t.value for t in props.get(V.canonicalName, [])}
    return PersonData(
        iri=iri,
        label=label,
        other_names=sorted({t.value for t in props.get(V.personName, [])} - canonical - {label}),
        script_variants=[(t.value, t.language or "") for t in props.get(V.scriptVariant, [])],
        orcids=[t.value for t in props.get(V.orcid, [])],
        degrees=[t.value for t in props.get(V.degree, [])],
        notes=[t.value for t in props.get(V.COMMENT, [])],
        verified=any(t.value == "true" for t in props.get(V.verified, [])),
        similar=sorted(similar.items(), key=lambda x: x[1]),
    )


def _person_papers(runner: QueryRunner, iri: str) -> tuple[dict[str, PersonPaper], dict[str, set[str]]]:
    """The person's papers (fields from each paper's first row) and the papers of each venue."""
    papers: dict[str, PersonPaper] = {}
    venue_papers: dict[str, set[str]] = defaultdict(set)
    for row in run_named(runner, "ld-person-papers", person=iri):
        paper = row["paper"].value
        if paper not in papers:
            papers[paper] = PersonPaper(
                iri=paper, title=value_text(row["title"]) or paper, year=value_text(row["year"]), volume=value_text(row["vol"]), pdf=value_text(row["pdf"])
            )  # fmt: skip
        venue = row["venue"]
        if venue is not None:
            venue_papers[venue.value].add(paper)
    return papers, venue_papers


def _authorships(runner: QueryRunner, iri: str) -> list[tuple[str, str | None]]:
    """(authorship IRI, printed-name node or ``None``) of the authorships of the person's papers."""
    out: list[tuple[str, str | None]] = []
    for row in run_named(runner, "ld-person-authors", person=iri):
        node = value_text(row["n"])
        out.extend((a, node) for a in row["authorships"].value.split(" ") if a)
    return out


def _names_of_coauthors(runner: QueryRunner, iri: str) -> dict[str, tuple[str, str]]:
    """name node -> (the person it belongs to, its full name, else the person's IRI), for the
    person and their co-authors."""
    owners: dict[str, tuple[str, str]] = {}
    for row in run_named(runner, "ld-person-coauthor-names", person=iri):
        author = row["author"].value
        owners.setdefault(row["n"].value, (author, value_text(row["name"]) or author))
    return owners


def _minted_place(authorship: str) -> tuple[str, int] | None:
    """(paper, position) of an authorship IRI bibkg minted (:func:`bibkg.iris.contribution_iri`),
    else ``None``."""
    paper, _, fragment = authorship.rpartition("#")
    number = fragment.removeprefix("author-")
    if not number.isdigit() or iris.contribution_iri(paper, "author", int(number)) != authorship:
        return None
    return paper, int(number)


def _place_authors(
    runner: QueryRunner,
    papers: dict[str, PersonPaper],
    authorships: list[tuple[str, str | None]],
    owners: dict[str, tuple[str, str]],
) -> None:
    """Fill ``authors`` of ``papers`` by position; authorships the IRIs and names do not explain
    are read from the graph (``ld-authorships``)."""
    places: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    unexplained: list[str] = []
    for a, node in authorships:
        place = _minted_place(a)
        owner = owners.get(node) if node else None
        if place is None or owner is None:
            unexplained.append(a)
        else:
            places[place[0]].setdefault(place[1], owner)
    for row in _batched(runner, "ld-authorships", "a", sorted(set(unexplained))):
        author = row["author"].value
        places[row["paper"].value].setdefault(int(row["pos"].value), (author, value_text(row["name"]) or author))
    for paper, by_pos in places.items():
        rec = papers.get(paper)
        if rec is not None:
            rec.authors = [by_pos[pos] for pos in sorted(by_pos)]


def _values(runner: QueryRunner, name: str, variable: str, value: str, iris_: list[str]) -> dict[str, str]:
    """``variable`` -> ``value`` from the batch query ``name`` over ``iris_`` (the last row wins)."""
    return {row[variable].value: row[value].value for row in _batched(runner, name, variable, iris_)}


def fetch_person(runner: QueryRunner, iri: str) -> PersonData | None:
    """The data of ``iri``'s page, or ``None`` if the graph says nothing about ``iri``.

    The papers come from the snapshot's paper cards when it has them (:mod:`bibkg.cards`: one
    indexed lookup), else from the graph (:func:`_papers_from_graph`); the person's facts and
    the venues' labels from the graph.
    """
    cards = getattr(runner.store, "paper_cards", None)
    if cards is None:
        facts_f = page_threads().submit(_person_facts, runner, iri)
        papers, venue_papers = _papers_from_graph(runner, iri)
        data = facts_f.result()
    else:
        data = _person_facts(runner, iri)
        papers, venue_papers = _papers_from_cards(cards, iri) if data is not None else ({}, {})
    if data is None:
        return None
    labels = _values(runner, "ld-labels", "entity", "label", sorted(venue_papers))
    records = sorted(
        papers.values(), key=lambda r: (-(int(r.year) if r.year and r.year.isdigit() else 0), sort_key(r.anthology_id))
    )
    data.papers = records

    coauthors: Counter[str] = Counter()
    names: dict[str, str] = {}
    for rec in records:
        for person, name in {p: n for p, n in rec.authors if p != iri}.items():
            coauthors[person] += 1
            names.setdefault(person, name)
    data.coauthors = [
        (p, names[p], n) for p, n in sorted(coauthors.items(), key=lambda x: (-x[1], names[x[0]].lower()))
    ]
    counted = [(v, labels.get(v) or v, len(ps)) for v, ps in venue_papers.items()]
    data.venues = sorted(counted, key=lambda x: (-x[2], x[1].lower()))
    from .preprints import fetch_person_preprints

    data.preprints = fetch_person_preprints(runner, iri)
    return data


def _papers_from_cards(cards: PaperCards, iri: str) -> tuple[dict[str, PersonPaper], dict[str, set[str]]]:
    """As :func:`_papers_from_graph`, from the snapshot's paper cards."""
    papers: dict[str, PersonPaper] = {}
    venue_papers: dict[str, set[str]] = defaultdict(set)
    for card in cards.of_author(iri):
        papers[card.iri] = PersonPaper(iri=card.iri, title=card.title or card.iri, year=card.year, volume=card.volume,
                                       booktitle=card.booktitle, pdf=card.pdf, authors=list(card.authors))  # fmt: skip
        for venue in card.venues:
            venue_papers[venue].add(card.iri)
    return papers, venue_papers


def _papers_from_graph(runner: QueryRunner, iri: str) -> tuple[dict[str, PersonPaper], dict[str, set[str]]]:
    """The person's papers with their authors and booktitles, and the papers of each venue.

    Three queries run in parallel (papers with venues; authorships; names of the person and
    co-authors), then the booktitles as soon as the papers are known."""
    pool = page_threads()
    authorships_f = pool.submit(_authorships, runner, iri)
    owners_f = pool.submit(_names_of_coauthors, runner, iri)
    papers, venue_papers = _person_papers(runner, iri)
    volumes = sorted({p.volume for p in papers.values() if p.volume})
    titles = _values(runner, "ld-booktitles", "vol", "title", volumes)
    _place_authors(runner, papers, authorships_f.result(), owners_f.result())
    for rec in papers.values():
        rec.booktitle = titles.get(rec.volume or "")
    return papers, venue_papers


def render_person(data: PersonData) -> str:
    """The HTML page of a person (pure: no store access)."""
    iri = data.iri
    head = [f'<h1 class="person">{e(data.label)}</h1>']
    facts = []
    if data.other_names:
        facts.append(("Also published as", ", ".join(e(n) for n in data.other_names)))
    if data.script_variants:
        facts.append(
            (
                "Script variants",
                ", ".join(f'<span lang="{e(lang)}">{e(text)}</span>' for text, lang in data.script_variants),
            )
        )
    for orcid in data.orcids:
        facts.append(("ORCID", external(orcid, orcid.rsplit("/", 1)[-1], "orcid")))
    for degree in data.degrees:
        facts.append(("Degree", e(degree)))
    for note in data.notes:
        facts.append(("Note", e(note)))
    facts.append(("Status", "verified person" if data.verified else "unverified: inferred from the name on papers"))
    if data.similar:
        facts.append(("Similar names", ", ".join(link(p, n) for p, n in data.similar)))
    head.append(html_table(facts))

    bib_url = local_path(iri).rstrip("/") + ".bib"
    body = [(f'<section class="papers"><h2>Papers <span class="count">{len(data.papers)}</span>'
             f' <a class="badge bib" href="{e(bib_url)}">all as BibTeX</a></h2>')]  # fmt: skip
    links: dict[tuple[str, str], str] = {}  # the same co-author and volume links recur on many papers

    def cached_link(target: str, text: str) -> str:
        html = links.get((target, text))
        if html is None:
            html = links[(target, text)] = link(target, text)
        return html

    by_year: dict[str, list[PersonPaper]] = defaultdict(list)
    for rec in data.papers:
        by_year[rec.year or "Undated"].append(rec)
    for year, recs in by_year.items():
        body.append(f'<h3 id="y{e(year)}">{e(year)}</h3><ul class="papers">')
        for rec in recs:
            vol = (
                f'<div class="in">{cached_link(rec.volume, rec.booktitle)}</div>'
                if rec.volume and rec.booktitle
                else ""
            )
            authors = ", ".join([cached_link(p, n) for p, n in rec.authors])
            body.append(paper_item(rec.iri, rec.title, rec.pdf, authors, vol))
        body.append("</ul>")
    body.append("</section>")
    from .preprints import preprints_section

    body.append(preprints_section(data.preprints))

    side = ["<aside>"]
    side.append(f'<h2>Co-authors <span class="count">{len(data.coauthors)}</span></h2><ul class="counts">')
    side.extend(f'<li><span class="n">{n}</span>{cached_link(p, name)}</li>' for p, name, n in data.coauthors)
    side.append("</ul>")
    side.append(f'<h2>Venues <span class="count">{len(data.venues)}</span></h2><ul class="counts">')
    side.extend(f'<li><span class="n">{n}</span>{link(v, label)}</li>' for v, label, n in data.venues)
    side.append("</ul></aside>")
    html = "".join(head) + '<div class="cols">' + "".join(body) + "".join(side) + "</div>"
    return page(data.label, html, iri=iri, kind="person", bib=bib_url)


def person_page(runner: QueryRunner, iri: str) -> str | None:
    data = fetch_person(runner, iri)
    return None if data is None else render_person(data)
