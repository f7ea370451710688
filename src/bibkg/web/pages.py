"""HTML pages for people, papers, volumes, venues, events and SIGs (server-rendered, no script,
no external asset; one small stylesheet served by bibkg).

The pages read the graph through the named queries ``queries/ld-*.rq`` (and the BibTeX records
of :mod:`bibkg.export.bibtex`), run by the :class:`~bibkg.services.QueryRunner` they are given."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from typing import Any, cast
from urllib.parse import quote

import pyoxigraph as ox

from .. import iris
from .. import vocab as V
from ..cards import PaperCard, PaperCards
from ..export.bibtex import BibRecord, fetch_records, to_bibtex, volume_papers
from ..services import QueryRunner

RDFS_LABEL = V.LABEL


_NEEDS_ESCAPE = re.compile("[&<>\"']").search


def e(text: object) -> str:
    s = "" if text is None else str(text)
    return escape(s, quote=True) if _NEEDS_ESCAPE(s) else s  # most texts need none (large pages)


def _v(term: Any) -> str | None:
    return None if term is None else term.value


def run_named(runner: QueryRunner, name: str, **iris: str) -> Any:
    """Solutions of the named query ``name`` (``queries/ld-*.rq``) with IRIs bound to its parameters."""
    return runner.query_sync(runner.catalog[name].text, {k: ox.NamedNode(v) for k, v in iris.items()})


def local_path(iri: str) -> str:
    """The path on this server where ``iri`` is dereferenced."""
    if iri.startswith(iris.ANTHOLOGY) and "#" not in iri:
        return "/" + iri[len(iris.ANTHOLOGY) :]
    return "/resource?iri=" + quote(iri, safe="")


def link(iri: str, text: str | None, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{e(local_path(iri))}"{c}>{e(text or iri)}</a>'


def external(url: str, text: str | None = None, cls: str = "") -> str:
    """A link to ``url`` off this server, only when it is http(s): the data comes from a public
    repository, and a ``javascript:`` or ``data:`` URL there must not become a clickable link."""
    shown = e(text if text is not None else url)
    if not url.lower().startswith(("http://", "https://")):
        return shown
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{e(url)}"{c}>{shown}</a>'


CSS_PATH = "/assets/bibkg-web.css"


def page(title: str, body: str, *, iri: str | None = None, kind: str = "", bib: str | None = None) -> str:
    alts = ""
    formats = ""
    if iri:
        base = local_path(iri)
        sep = "&" if "?" in base else "?"
        pairs = [("Turtle", "ttl", "text/turtle"), ("JSON-LD", "jsonld", "application/ld+json"),
                 ("N-Triples", "nt", "application/n-triples"), ("RDF/XML", "rdf", "application/rdf+xml")]  # fmt: skip
        alts = "".join(f'<link rel="alternate" type="{m}" href="{e(base + sep + "format=" + f)}">' for _, f, m in pairs)
        formats = " · ".join(f'<a href="{e(base + sep + "format=" + f)}">{n}</a>' for n, f, _ in pairs)
        if bib:
            formats = f'<a href="{e(bib)}">BibTeX</a> · ' + formats
        formats = (
            f'<p class="formats">This {e(kind or "entity")} as data: {formats}<br><span class="iri">{e(iri)}</span></p>'
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} - bibkg</title>"
        f'<link rel="stylesheet" href="{CSS_PATH}">{alts}</head><body>'
        '<header class="top"><a class="brand" href="/">bibkg</a>'
        '<span class="tag">ACL Anthology knowledge graph</span>'
        '<nav><a href="/queries">Queries</a><a href="/sparql">SPARQL</a><a href="/dumps">Dumps</a></nav></header>'
        f"<main>{body}{formats}</main></body></html>"
    )


def not_found_page(message: str) -> str:
    return page("Not found", f"<h1>Not found</h1><p>{e(message)}</p>")


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in rows if v)
    return f'<table class="meta">{body}</table>'


def _authors_html(rec: BibRecord) -> str:
    return ", ".join(
        link(c.person, f"{c.first} {c.last}".strip() if c.first else c.last) if c.person else e(c.last)
        for c in rec.authors
    )


def paper_item(iri: str, title: str | None, pdf: str | None, authors: str, volume: str = "") -> str:
    """One paper of a listing: PDF and BibTeX badges, linked title, ``authors`` and ``volume``
    (HTML, the latter possibly empty)."""
    path = local_path(iri)
    badges = external(pdf, "pdf", "badge pdf") if pdf else ""
    return (
        f'<li class="paper"><span class="badges">{badges}'
        f'<a class="badge bib" href="{e(path.rstrip("/"))}.bib">bib</a></span>'
        f'<span class="title"><a href="{e(path)}">{e(title or iri)}</a></span>'
        f'<div class="authors">{authors}</div>{volume}</li>'
    )


# --- person ---------------------------------------------------------------------------------------------
#
# Fetching (``fetch_person``: plain data from the snapshot's paper cards and two named queries, or
# from named queries alone) is separate from rendering (``render_person``: a pure function of that
# data).  Without cards, the queries are shaped for the largest pages (~400 papers, ~1,600
# authorships), where every index lookup and every term decoded counts: each
# paper is looked up once (fields and venues together), each authorship once (its printed name; the
# paper and position are in the IRI bibkg mints for it), authorships come back grouped by printed
# name, the names of the person and co-authors come in one query, booktitles and venue labels once
# per distinct volume or venue; the independent queries run in parallel threads.


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
_POOL: tuple[int, ThreadPoolExecutor] | None = None


def _pool() -> ThreadPoolExecutor:
    """Threads for the independent queries of a page (pyoxigraph evaluates without the GIL); one
    pool per process (a forked worker makes its own)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="bibkg-page"))
    return _POOL[1]


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
            similar[row["v"].value] = _v(row["label"]) or row["v"].value
    label = _v((props.get(RDFS_LABEL) or [None])[0]) or iri
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
                iri=paper, title=_v(row["title"]) or paper, year=_v(row["year"]), volume=_v(row["vol"]), pdf=_v(row["pdf"])
            )  # fmt: skip
        venue = row["venue"]
        if venue is not None:
            venue_papers[venue.value].add(paper)
    return papers, venue_papers


def _authorships(runner: QueryRunner, iri: str) -> list[tuple[str, str | None]]:
    """(authorship IRI, printed-name node or ``None``) of the authorships of the person's papers."""
    out: list[tuple[str, str | None]] = []
    for row in run_named(runner, "ld-person-authors", person=iri):
        node = _v(row["n"])
        out.extend((a, node) for a in row["authorships"].value.split(" ") if a)
    return out


def _names_of_coauthors(runner: QueryRunner, iri: str) -> dict[str, tuple[str, str]]:
    """name node -> (the person it belongs to, its full name, else the person's IRI), for the
    person and their co-authors."""
    owners: dict[str, tuple[str, str]] = {}
    for row in run_named(runner, "ld-person-coauthor-names", person=iri):
        author = row["author"].value
        owners.setdefault(row["n"].value, (author, _v(row["name"]) or author))
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
        places[row["paper"].value].setdefault(int(row["pos"].value), (author, _v(row["name"]) or author))
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
        facts_f = _pool().submit(_person_facts, runner, iri)
        papers, venue_papers = _papers_from_graph(runner, iri)
        data = facts_f.result()
    else:
        data = _person_facts(runner, iri)
        papers, venue_papers = _papers_from_cards(cards, iri) if data is not None else ({}, {})
    if data is None:
        return None
    labels = _values(runner, "ld-labels", "entity", "label", sorted(venue_papers))
    records = sorted(
        papers.values(), key=lambda r: (-(int(r.year) if r.year and r.year.isdigit() else 0), r.anthology_id)
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
    pool = _pool()
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
    head.append(_table(facts))

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


# --- paper ------------------------------------------------------------------------------------------------


def _links(runner: QueryRunner, iri: str) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in run_named(runner, "ld-links", entity=iri):
        x = row["x"]
        text = _v(row["label"]) or x.value
        out[row["k"].value].append((x.value, text) if isinstance(x, ox.NamedNode) else ("", text))
    for v in out.values():
        v.sort(key=lambda p: p[1])
    return out


def _linked(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(link(i, t) if i else e(t) for i, t in pairs)


def paper_page(runner: QueryRunner, iri: str) -> str | None:
    recs = fetch_records(runner.query_sync, [iri], runner.catalog)
    if not recs:
        return None
    rec = recs[0]
    links = _links(runner, iri)
    parts = [f'<h1 class="paper">{e(rec.title)}</h1>', f'<p class="authors lead">{_authors_html(rec)}</p>']
    if rec.abstract:
        parts.append(f'<div class="abstract"><h2>Abstract</h2><p>{e(rec.abstract)}</p></div>')
    editors = ", ".join(link(c.person, f"{c.first} {c.last}".strip()) if c.person else e(c.last) for c in rec.editors)
    rows = [
        ("Anthology ID", e(rec.anthology_id)),
        ("Volume", link(rec.volume, rec.booktitle) if rec.volume else ""),
        ("Month", e(rec.month or "")),
        ("Year", e(rec.year or "")),
        ("Address", e(rec.address or "")),
        ("Venues", _linked(links.get(V.venue, []))),
        ("Events", _linked(links.get(V.event, []))),
        ("SIG", _linked(links.get(V.sig, []))),
        ("Editors", editors),
        ("Publisher", e(rec.publisher or "")),
        ("Note", e(rec.note or "")),
        ("Awards", _linked(links.get(V.award, []))),
        ("Pages", e(rec.pages or "")),
        ("Language", e(rec.language or "")),
        ("URL", external(rec.iri)),
        ("DOI", external(rec.doi, rec.doi_name) if rec.doi else ""),
        ("PDF", external(rec.pdf) if rec.pdf else ""),
        ("Bibkey", f"<code>{e(rec.bibkey)}</code>"),
    ]
    parts.append(_table(rows))
    from .preprints import fetch_paper_preprints, preprints_section

    parts.append(preprints_section(fetch_paper_preprints(runner, iri)))
    bib_url = local_path(iri).rstrip("/") + ".bib"
    parts.append(
        f'<h2>BibTeX <a class="badge bib" href="{e(bib_url)}">.bib</a> '
        f'<a class="badge" href="{e(bib_url[:-4])}.json">CSL-JSON</a></h2><pre class="bibtex">{e(to_bibtex(rec))}</pre>'
    )
    return page(rec.title, "".join(parts), iri=iri, kind="paper", bib=bib_url)


# --- volume -------------------------------------------------------------------------------------------------


def volume_page(runner: QueryRunner, iri: str) -> str | None:
    props: dict[str, str] = {}
    for row in run_named(runner, "ld-volume", volume=iri):
        props.setdefault(row["k"].value, row["v"].value)
    if not props:
        return None
    cards = getattr(runner.store, "paper_cards", None)
    members = volume_papers(runner.store, iri, runner.catalog)
    listing_f = _listing_batches(runner, members) if cards is None else []  # concurrent with the links
    links = _links(runner, iri)
    if cards is not None:  # the papers from their cards; the front matter, which has none, read in full
        by_iri = {card.iri: card for card in cards.of_volume(iri)}
        front = [
            r
            for r in fetch_records(runner.query_sync, [m for m in members if m not in by_iri], runner.catalog)
            if r.frontmatter
        ]
        items = [_card_item(by_iri[m]) for m in members if m in by_iri]
        first_paper = next((m for m in members if m in by_iri), None)
    else:  # the listing in concurrent batches; the front matter read in full
        listing = _listing(future.result() for future in listing_f)
        front = [
            r
            for r in fetch_records(runner.query_sync, [m for m in members if m not in listing], runner.catalog)
            if r.frontmatter
        ]
        papers = [listing[m] for m in members if m in listing]
        items = [paper_item(r.iri, r.title, r.pdf, _authors_html(r)) for r in papers]
        first_paper = papers[0].iri if papers else None
    title = props.get(V.booktitle) or props.get(V.anthologyId) or iri
    editors = front[0].editors if front else []
    if not editors and first_paper:
        editors = fetch_records(runner.query_sync, [first_paper], runner.catalog)[0].editors
    rows = [
        ("Anthology ID", e(props.get(V.anthologyId, ""))),
        (
            "Editors",
            ", ".join(link(c.person, f"{c.first} {c.last}".strip()) if c.person else e(c.last) for c in editors),
        ),
        ("Venues", _linked(links.get(V.venue, []))),
        ("Events", _linked(links.get(V.event, []))),
        ("SIG", _linked(links.get(V.sig, []))),
        ("Month", e(props.get(V.month, ""))),
        ("Year", e(props.get(V.year, ""))),
        ("Address", e(props.get(V.address, ""))),
        ("Publisher", e(props.get(V.publisher, ""))),
        ("ISBN", e(props.get(V.isbn, ""))),
        ("URL", external(iri)),
        ("PDF", external(props[V.pdf]) if V.pdf in props else ""),
    ]
    bib_url = local_path(iri).rstrip("/") + ".bib"
    parts = [f'<h1 class="volume">{e(title)}</h1>', _table(rows)]
    parts.append(
        f'<h2>Papers <span class="count">{len(items)}</span> <a class="badge bib" href="{e(bib_url)}">all as BibTeX</a></h2><ul class="papers">'
    )
    parts.extend(items)
    parts.append("</ul>")
    if front:
        parts.append(f'<h2>BibTeX of the volume</h2><pre class="bibtex">{e(to_bibtex(front[0]))}</pre>')
    return page(title, "".join(parts), iri=iri, kind="volume", bib=bib_url)


_LISTING_BATCH = 100
_LISTING_COLUMNS = ("paper", "title", "pdf", "pos", "person", "first", "last")


def _listing_batches(runner: QueryRunner, papers: list[str]) -> list[Future[list[Any]]]:
    """The rows of ``ld-paper-listing`` for ``papers``, ``_LISTING_BATCH`` papers per query, the
    queries running concurrently: the store has no paper cards, and one query for the whole of a
    volume of 772 papers (4,555 authorships, each looked up several times) takes ~0.5 s in the
    engine, embedded or on a server; in batches the server's cores share it."""
    query = runner.catalog["ld-paper-listing"]

    def rows(
        batch: list[str],
    ) -> list[tuple[str | None, ...]]:  # plain values: nothing of the engine's leaves its thread
        result = cast(
            ox.QuerySolutions, runner.query_sync(query.with_values("paper", [ox.NamedNode(p) for p in batch]))
        )
        return [tuple(_v(row[k]) for k in _LISTING_COLUMNS) for row in result]

    return [
        _pool().submit(rows, papers[start : start + _LISTING_BATCH]) for start in range(0, len(papers), _LISTING_BATCH)
    ]


def _listing(batches: Iterable[list[tuple[str | None, ...]]]) -> dict[str, BibRecord]:
    """The papers (not front matter) of ``ld-paper-listing`` rows, with what a listing shows
    (title, PDF, authors by position); fields as :func:`fetch_records` reads them."""
    from ..export.bibtex import Contributor

    found: dict[str, BibRecord] = {}
    seen: set[tuple[str, int]] = set()
    for rows in batches:
        for paper, title, pdf, pos, person, first, last in rows:
            if paper is None:  # never: the VALUES block binds it
                continue
            rec = found.get(paper)
            if rec is None:
                rec = found[paper] = BibRecord(iri=paper, anthology_id=paper, bibkey="")
            rec.title = title or rec.title
            rec.pdf = rec.pdf or pdf
            if pos is not None and (paper, int(pos)) not in seen:
                seen.add((paper, int(pos)))
                rec.authors.append(Contributor(int(pos), first, last or "", person))
    for rec in found.values():
        rec.authors.sort(key=lambda c: c.position)
    return found


def _card_item(card: PaperCard) -> str:
    return paper_item(card.iri, card.title, card.pdf, ", ".join(link(p, n) for p, n in card.authors))


# --- venue, event, SIG --------------------------------------------------------------------------------------
_KIND = {V.Venue: ("venue", V.venue), V.Event: ("event", V.event), V.SIG: ("SIG", V.sig)}


def group_page(runner: QueryRunner, iri: str, cls: str) -> str | None:
    props: dict[str, list[Any]] = defaultdict(list)
    for row in run_named(runner, "ld-group-facts", group=iri):
        props[row["k"].value].append(row["v"])
    if not props:
        return None
    kind, predicate = _KIND[cls]
    label = _v((props.get(RDFS_LABEL) or [None])[0]) or iri
    name = _v((props.get(V.name) or [None])[0])
    rows = [
        ("Name", e(name or "")),
        ("Acronym", e(_v((props.get(V.acronym) or [None])[0]) or "")),
        ("Year", e(_v((props.get(V.year) or [None])[0]) or "")),
        ("Location", e(_v((props.get(V.location) or [None])[0]) or "")),
        ("Dates", e(_v((props.get(V.dates) or [None])[0]) or "")),
        ("Venue", ", ".join(link(t.value, t.value.rstrip("/").rsplit("/", 1)[-1]) for t in props.get(V.venue, []))),
        ("Homepage", ", ".join(external(t.value) for t in props.get(V.homepage, []))),
    ]
    parts = [f"<h1>{e(label)}</h1>", _table(rows)]
    # The three listing queries are independent: over an external store (no paper cards: HTTP
    # round trips to a server) they run concurrently; the embedded store runs them in turn.
    concurrent = getattr(runner.store, "paper_cards", None) is None

    def later(name: str, **bound: str) -> Any:
        if concurrent:
            future = _pool().submit(lambda: list(run_named(runner, name, **bound)))
            return future.result
        rows_ = list(run_named(runner, name, **bound))
        return lambda: rows_

    events_f = later("ld-venue-events", venue=iri) if cls == V.Venue else (list)
    vols_f = later("ld-group-volumes", group=iri, predicate=predicate)
    colocated_f = later("ld-event-colocated", event=iri) if cls == V.Event else (list)
    if cls == V.Venue:
        events: list[Any] = events_f()
        if events:
            parts.append(f'<h2>Events <span class="count">{len(events)}</span></h2><p class="events">')
            parts.append(" · ".join(link(r["ev"].value, _v(r["label"]) or r["ev"].value) for r in events))
            parts.append("</p>")
    vols = vols_f()
    colocated = {r["vol"].value for r in colocated_f()}
    parts.append(f'<h2>Volumes <span class="count">{len(vols)}</span></h2>')
    current = None
    for r in vols:
        year = _v(r["year"]) or "Undated"
        if year != current:
            if current is not None:
                parts.append("</ul>")
            parts.append(f"<h3>{e(year)}</h3><ul class='volumes'>")
            current = year
        tag = ' <span class="badge">colocated</span>' if r["vol"].value in colocated else ""
        n = int(r["papers"].value) if r["papers"] is not None else 0
        parts.append(
            f"<li>{link(r['vol'].value, _v(r['title']) or _v(r['id']))}{tag}"
            f' <span class="muted">{e(_v(r["id"]) or "")} · {n} papers</span></li>'
        )
    if current is not None:
        parts.append("</ul>")
    return page(label, "".join(parts), iri=iri, kind=kind)


# --- anything else ------------------------------------------------------------------------------------------
def generic_page(iri: str, triples: list[ox.Triple]) -> str:
    labels = {
        t.subject.value: t.object.value  # type: ignore[union-attr]  # subject: stubs wrong; object: a triple term has no .value
        for t in triples
        if t.predicate.value in (RDFS_LABEL, V.title, V.booktitle)
    }
    rows = []
    for t in triples:
        if t.subject.value != iri and not t.subject.value.startswith(iri + "#"):  # type: ignore[union-attr]  # stubs: a subject is never a Triple
            continue
        o = t.object
        if isinstance(o, ox.NamedNode):
            value = link(o.value, labels.get(o.value, o.value))
        else:
            value = e(o.value) + (  # type: ignore[union-attr]  # a triple term (RDF 1.2) has no .value
                f' <span class="muted">@{e(o.language)}</span>' if isinstance(o, ox.Literal) and o.language else ""
            )
        subj = "" if t.subject.value == iri else f'<span class="muted">#{e(t.subject.value.split("#", 1)[1])}</span> '  # type: ignore[union-attr]  # stubs: a subject is never a Triple
        rows.append(f"<tr><th>{subj}{e(_short(t.predicate.value))}</th><td>{value}</td></tr>")
    title = labels.get(iri, iri)
    body = f'<h1>{e(title)}</h1><table class="meta">{"".join(rows)}</table>'
    return page(title, body, iri=iri)


def _short(iri: str) -> str:
    for prefix, ns in V.PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri
