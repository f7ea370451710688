"""The HTML page of a person (:mod:`bibkg.web.pages` has the others, :mod:`bibkg.web.page_parts` the shared parts).

Fetching (``fetch_person``: the person's facts from a named query, their papers from the read
layer's listings, :mod:`bibkg.read.listings`) is separate from rendering (``render_person``: a
pure function of that data).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .. import iris
from .. import vocab as V
from ..anthology.ids import sort_key
from ..read.listings import paper_listings
from ..read.records import PaperCard
from ..read.runner import QueryRunner, term_text
from ..read.threads import query_threads
from .page_parts import e, external, html_table, link, local_path, page, paper_item


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
    papers: list[PaperCard] = field(default_factory=list)
    """Newest first, then by Anthology id."""
    coauthors: list[tuple[str, str, int]] = field(default_factory=list)
    """(IRI, name, shared papers), most shared first, then by name."""
    venues: list[tuple[str, str, int]] = field(default_factory=list)
    """(IRI, label, papers), most papers first, then by label."""
    preprints: list[Any] = field(default_factory=list)
    """The person's linked arXiv preprints (:class:`bibkg.web.preprints.PreprintItem`), newest first."""


def _person_facts(runner: QueryRunner, iri: str) -> PersonData | None:
    info = list(runner.solutions_sync("ld-person-info", person=iri))
    if not info:
        return None
    props: dict[str, list[Any]] = defaultdict(list)
    similar: dict[str, str] = {}
    for row in info:
        k = row["k"].value
        props[k].append(row["v"])
        if k == V.similar:
            similar[row["v"].value] = term_text(row["label"]) or row["v"].value
    label = term_text((props.get(V.LABEL) or [None])[0]) or iri
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


def _labels(runner: QueryRunner, entities: list[str]) -> dict[str, str]:
    """entity -> its label (``ld-labels``, the entities' IRIs in its VALUES block)."""
    return {row["entity"].value: row["label"].value for row in runner.batched_sync("ld-labels", "entity", entities)}


def fetch_person(runner: QueryRunner, iri: str) -> PersonData | None:
    """The data of ``iri``'s page, or ``None`` if the graph says nothing about ``iri``.

    The person's facts and their papers are read concurrently; the venues' labels then."""
    facts_f = query_threads().submit(_person_facts, runner, iri)
    cards = paper_listings(runner).of_author(iri)
    data = facts_f.result()
    if data is None:
        return None
    venue_papers: dict[str, int] = Counter(venue for card in cards for venue in card.venues)
    labels = _labels(runner, sorted(venue_papers))
    records = sorted(
        cards,
        key=lambda r: (-(int(r.year) if r.year and r.year.isdigit() else 0), sort_key(iris.paper_id_from_iri(r.iri))),
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
    counted = [(v, labels.get(v) or v, n) for v, n in venue_papers.items()]
    data.venues = sorted(counted, key=lambda x: (-x[2], x[1].lower()))
    from .preprints import fetch_person_preprints

    data.preprints = fetch_person_preprints(runner, iri)
    return data


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

    by_year: dict[str, list[PaperCard]] = defaultdict(list)
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
            body.append(paper_item(rec.iri, rec.title or rec.iri, rec.pdf, authors, vol))
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
