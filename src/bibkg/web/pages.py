"""HTML pages for papers, volumes, venues, events, SIGs and any other IRI (server-rendered, no
script, no external asset); the person page is :mod:`bibkg.web.person`, the shared parts are
:mod:`bibkg.web.page_parts`.

The pages read the graph through the named queries ``read/queries/ld-*.rq`` (and the BibTeX records
of :mod:`bibkg.read.citations`), run by the :class:`~bibkg.read.runner.QueryRunner` they are given."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from .. import vocab as V
from ..export.bibtex import to_bibtex
from ..read.citations import BibRecord, fetch_records, volume_papers
from ..read.listings import paper_listings
from ..read.records import PaperCard
from ..read.runner import QueryRunner, term_text
from ..read.threads import query_threads
from .page_parts import e, external, html_table, link, local_path, page, paper_item


def _authors_html(rec: BibRecord) -> str:
    return ", ".join(
        link(c.person, f"{c.first} {c.last}".strip() if c.first else c.last) if c.person else e(c.last)
        for c in rec.authors
    )


# --- paper ------------------------------------------------------------------------------------------------


def _links(runner: QueryRunner, iri: str) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in runner.solutions_sync("ld-links", entity=iri):
        x = row["x"]
        text = term_text(row["label"]) or x.value
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
    parts.append(html_table(rows))
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
    for row in runner.solutions_sync("ld-volume", volume=iri):
        props.setdefault(row["k"].value, row["v"].value)
    if not props:
        return None
    members = volume_papers(runner.store, iri, runner.catalog)
    links_f = query_threads().submit(_links, runner, iri)  # concurrent with the listing
    listed = paper_listings(runner).cards(members)
    links = links_f.result()
    cards = [card for card in listed if card is not None]
    # the front matter, which has no card, read in full
    unlisted = [member for member, card in zip(members, listed, strict=True) if card is None]
    front = [r for r in fetch_records(runner.query_sync, unlisted, runner.catalog) if r.frontmatter]
    items = [_card_item(card) for card in cards]
    first_paper = cards[0].iri if cards else None
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
    parts = [f'<h1 class="volume">{e(title)}</h1>', html_table(rows)]
    parts.append(
        f'<h2>Papers <span class="count">{len(items)}</span> <a class="badge bib" href="{e(bib_url)}">all as BibTeX</a></h2><ul class="papers">'
    )
    parts.extend(items)
    parts.append("</ul>")
    if front:
        parts.append(f'<h2>BibTeX of the volume</h2><pre class="bibtex">{e(to_bibtex(front[0]))}</pre>')
    return page(title, "".join(parts), iri=iri, kind="volume", bib=bib_url)


def _card_item(card: PaperCard) -> str:
    return paper_item(card.iri, card.title or card.iri, card.pdf, ", ".join(link(p, n) for p, n in card.authors))


# --- venue, event, SIG --------------------------------------------------------------------------------------
_KIND = {V.Venue: ("venue", V.venue), V.Event: ("event", V.event), V.SIG: ("SIG", V.sig)}


def group_page(runner: QueryRunner, iri: str, cls: str) -> str | None:
    props: dict[str, list[Any]] = defaultdict(list)
    for row in runner.solutions_sync("ld-group-facts", group=iri):
        props[row["k"].value].append(row["v"])
    if not props:
        return None
    kind, predicate = _KIND[cls]
    label = term_text((props.get(V.LABEL) or [None])[0]) or iri
    name = term_text((props.get(V.name) or [None])[0])
    rows = [
        ("Name", e(name or "")),
        ("Acronym", e(term_text((props.get(V.acronym) or [None])[0]) or "")),
        ("Year", e(term_text((props.get(V.year) or [None])[0]) or "")),
        ("Location", e(term_text((props.get(V.location) or [None])[0]) or "")),
        ("Dates", e(term_text((props.get(V.dates) or [None])[0]) or "")),
        ("Venue", ", ".join(link(t.value, t.value.rstrip("/").rsplit("/", 1)[-1]) for t in props.get(V.venue, []))),
        ("Homepage", ", ".join(external(t.value) for t in props.get(V.homepage, []))),
    ]
    parts = [f"<h1>{e(label)}</h1>", html_table(rows)]
    # The three listing queries are independent: over an external store (no paper cards: HTTP
    # round trips to a server) they run concurrently; the embedded store runs them in turn.
    concurrent = getattr(runner.store, "paper_cards", None) is None

    def later(name: str, **bound: str) -> Any:
        if concurrent:
            future = query_threads().submit(lambda: list(runner.solutions_sync(name, **bound)))
            return future.result
        rows_ = list(runner.solutions_sync(name, **bound))
        return lambda: rows_

    events_f = later("ld-venue-events", venue=iri) if cls == V.Venue else (list)
    vols_f = later("ld-group-volumes", group=iri, predicate=predicate)
    colocated_f = later("ld-event-colocated", event=iri) if cls == V.Event else (list)
    if cls == V.Venue:
        events: list[Any] = events_f()
        if events:
            parts.append(f'<h2>Events <span class="count">{len(events)}</span></h2><p class="events">')
            parts.append(" · ".join(link(r["ev"].value, term_text(r["label"]) or r["ev"].value) for r in events))
            parts.append("</p>")
    vols = vols_f()
    colocated = {r["vol"].value for r in colocated_f()}
    parts.append(f'<h2>Volumes <span class="count">{len(vols)}</span></h2>')
    current = None
    for r in vols:
        year = term_text(r["year"]) or "Undated"
        if year != current:
            if current is not None:
                parts.append("</ul>")
            parts.append(f"<h3>{e(year)}</h3><ul class='volumes'>")
            current = year
        tag = ' <span class="badge">colocated</span>' if r["vol"].value in colocated else ""
        n = int(r["papers"].value) if r["papers"] is not None else 0
        parts.append(
            f"<li>{link(r['vol'].value, term_text(r['title']) or term_text(r['id']))}{tag}"
            f' <span class="muted">{e(term_text(r["id"]) or "")} · {n} papers</span></li>'
        )
    if current is not None:
        parts.append("</ul>")
    return page(label, "".join(parts), iri=iri, kind=kind)


# --- anything else ------------------------------------------------------------------------------------------
def generic_page(iri: str, triples: list[ox.Triple]) -> str:
    labels = {
        t.subject.value: t.object.value  # type: ignore[union-attr]  # subject: stubs wrong; object: a triple term has no .value
        for t in triples
        if t.predicate.value in (V.LABEL, V.title, V.booktitle)
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
