"""HTML pages for people, papers, volumes, venues, events and SIGs (server-rendered, no script,
no external asset; one small stylesheet served by bibkg).

The pages read the graph through the named queries ``queries/ld-*.rq`` (and the BibTeX records
of :mod:`bibkg.export.bibtex`), run by the :class:`~bibkg.services.QueryRunner` they are given."""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from .. import iris
from .. import vocab as V
from ..export.bibtex import BibRecord, Contributor, fetch_records, to_bibtex, volume_papers
from ..services import QueryRunner

RDFS_LABEL = V.LABEL


def e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


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
        formats = f'<p class="formats">This {e(kind or "entity")} as data: {formats}<br><span class="iri">{e(iri)}</span></p>'
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} - bibkg</title>"
        f'<link rel="stylesheet" href="{CSS_PATH}">{alts}</head><body>'
        '<header class="top"><a class="brand" href="/">bibkg</a>'
        '<span class="tag">ACL Anthology knowledge graph</span>'
        '<nav><a href="/queries">Queries</a><a href="/sparql">SPARQL</a><a href="/dumps">Dumps</a></nav></header>'
        f'<main>{body}{formats}</main></body></html>'
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


def _paper_item(rec: BibRecord, *, show_volume: bool = True) -> str:
    badges = ""
    if rec.pdf:
        badges += f'<a class="badge pdf" href="{e(rec.pdf)}">pdf</a>'
    badges += f'<a class="badge bib" href="{e(local_path(rec.iri).rstrip("/"))}.bib">bib</a>'
    vol = ""
    if show_volume and rec.volume and rec.booktitle:
        vol = f'<div class="in">{link(rec.volume, rec.booktitle)}</div>'
    authors = _authors_html(rec)
    return (
        f'<li class="paper"><span class="badges">{badges}</span>'
        f'<span class="title">{link(rec.iri, rec.title)}</span>'
        f'<div class="authors">{authors}</div>{vol}</li>'
    )


# --- person ---------------------------------------------------------------------------------------------

def _person_records(runner: QueryRunner, iri: str) -> list[BibRecord]:
    """The person's papers with authors and booktitle: three lean queries (no BibTeX fields)."""
    found: dict[str, BibRecord] = {}
    for row in run_named(runner, "ld-person-papers", person=iri):
        paper = row["paper"].value
        if paper in found:
            continue
        found[paper] = BibRecord(
            iri=paper, anthology_id=paper.removeprefix(iris.ANTHOLOGY).rstrip("/"), bibkey="",
            title=_v(row["title"]) or paper, year=_v(row["year"]), volume=_v(row["vol"]), pdf=_v(row["pdf"]),
        )  # fmt: skip
    seen: set[tuple[str, int]] = set()
    for row in run_named(runner, "ld-person-authors", person=iri):
        rec = found.get(row["paper"].value)
        pos = int(row["pos"].value)
        if rec is None or (rec.iri, pos) in seen:
            continue
        seen.add((rec.iri, pos))
        rec.authors.append(Contributor(pos, None, _v(row["name"]) or row["author"].value, row["author"].value))
    volumes = sorted({r.volume for r in found.values() if r.volume})
    titles: dict[str, str] = {}
    for start in range(0, len(volumes), 400):
        batch = [ox.NamedNode(v) for v in volumes[start : start + 400]]
        for row in runner.query_sync(runner.catalog["ld-booktitles"].with_values("vol", batch)):
            titles[row["vol"].value] = row["title"].value
    for rec in found.values():
        rec.authors.sort(key=lambda c: c.position)
        rec.booktitle = titles.get(rec.volume or "")
    return list(found.values())


def person_page(runner: QueryRunner, iri: str) -> str | None:
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
    other_names = sorted({t.value for t in props.get(V.personName, [])} - canonical - {label})
    variants = sorted({t.value for t in props.get(V.scriptVariant, [])})
    records = _person_records(runner, iri)
    records.sort(key=lambda r: (-(int(r.year) if r.year and r.year.isdigit() else 0), r.anthology_id))
    coauthors: Counter[str] = Counter()
    names: dict[str, str] = {}
    for rec in records:
        for c in {c.person: c for c in rec.authors if c.person and c.person != iri}.values():
            coauthors[c.person] += 1  # type: ignore[index]
            names.setdefault(c.person, f"{c.first} {c.last}".strip() if c.first else c.last)  # type: ignore[arg-type]
    venue_papers: dict[str, set[str]] = defaultdict(set)
    venue_names: dict[str, str] = {}
    for row in run_named(runner, "ld-person-venues", person=iri):
        venue_papers[row["venue"].value].add(row["paper"].value)
        venue_names[row["venue"].value] = _v(row["label"]) or row["venue"].value

    head = [f'<h1 class="person">{e(label)}</h1>']
    facts = []
    if other_names:
        facts.append(("Also published as", ", ".join(e(n) for n in other_names)))
    if variants:
        facts.append(("Script variants", ", ".join(f'<span lang="{e(t.language or "")}">{e(t.value)}</span>' for t in props[V.scriptVariant])))
    for t in props.get(V.orcid, []):
        orcid = t.value
        facts.append(("ORCID", f'<a class="orcid" href="{e(orcid)}">{e(orcid.rsplit("/", 1)[-1])}</a>'))
    for t in props.get(V.degree, []):
        facts.append(("Degree", e(t.value)))
    for t in props.get(V.COMMENT, []):
        facts.append(("Note", e(t.value)))
    verified = any(t.value == "true" for t in props.get(V.verified, []))
    facts.append(("Status", "verified person" if verified else "unverified: inferred from the name on papers"))
    if similar:
        facts.append(("Similar names", ", ".join(link(p, n) for p, n in sorted(similar.items(), key=lambda x: x[1]))))
    head.append(_table(facts))

    by_year: dict[str, list[BibRecord]] = defaultdict(list)
    for rec in records:
        by_year[rec.year or "Undated"].append(rec)
    bib_url = local_path(iri).rstrip("/") + ".bib"
    body = [f'<section class="papers"><h2>Papers <span class="count">{len(records)}</span>'
            f' <a class="badge bib" href="{e(bib_url)}">all as BibTeX</a></h2>']  # fmt: skip
    for year, recs in by_year.items():
        body.append(f'<h3 id="y{e(year)}">{e(year)}</h3><ul class="papers">')
        body.extend(_paper_item(r) for r in recs)
        body.append("</ul>")
    body.append("</section>")

    side = ['<aside>']
    side.append(f'<h2>Co-authors <span class="count">{len(coauthors)}</span></h2><ul class="counts">')
    for person, n in sorted(coauthors.items(), key=lambda x: (-x[1], names[x[0]].lower())):
        side.append(f'<li><span class="n">{n}</span>{link(person, names[person])}</li>')
    side.append("</ul>")
    side.append(f'<h2>Venues <span class="count">{len(venue_papers)}</span></h2><ul class="counts">')
    for venue, ps in sorted(venue_papers.items(), key=lambda x: (-len(x[1]), venue_names[x[0]].lower())):
        side.append(f'<li><span class="n">{len(ps)}</span>{link(venue, venue_names[venue])}</li>')
    side.append("</ul></aside>")
    html = "".join(head) + '<div class="cols">' + "".join(body) + "".join(side) + "</div>"
    return page(label, html, iri=iri, kind="person", bib=bib_url)


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
        ("URL", f'<a href="{e(rec.iri)}">{e(rec.iri)}</a>'),
        ("DOI", f'<a href="{e(rec.doi)}">{e(rec.doi_name)}</a>' if rec.doi else ""),
        ("PDF", f'<a href="{e(rec.pdf)}">{e(rec.pdf)}</a>' if rec.pdf else ""),
        ("Bibkey", f"<code>{e(rec.bibkey)}</code>"),
    ]
    parts.append(_table(rows))
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
    links = _links(runner, iri)
    records = fetch_records(runner.query_sync, volume_papers(runner.store, iri, runner.catalog), runner.catalog)
    front = [r for r in records if r.frontmatter]
    papers = [r for r in records if not r.frontmatter]
    title = props.get(V.booktitle) or props.get(V.anthologyId) or iri
    editors = front[0].editors if front else []
    if not editors:
        editors = fetch_records(runner.query_sync, [r.iri for r in papers[:1]], runner.catalog)[0].editors if papers else []
    rows = [
        ("Anthology ID", e(props.get(V.anthologyId, ""))),
        ("Editors", ", ".join(link(c.person, f"{c.first} {c.last}".strip()) if c.person else e(c.last) for c in editors)),
        ("Venues", _linked(links.get(V.venue, []))),
        ("Events", _linked(links.get(V.event, []))),
        ("SIG", _linked(links.get(V.sig, []))),
        ("Month", e(props.get(V.month, ""))),
        ("Year", e(props.get(V.year, ""))),
        ("Address", e(props.get(V.address, ""))),
        ("Publisher", e(props.get(V.publisher, ""))),
        ("ISBN", e(props.get(V.isbn, ""))),
        ("URL", f'<a href="{e(iri)}">{e(iri)}</a>'),
        ("PDF", f'<a href="{e(props[V.pdf])}">{e(props[V.pdf])}</a>' if V.pdf in props else ""),
    ]
    bib_url = local_path(iri).rstrip("/") + ".bib"
    parts = [f'<h1 class="volume">{e(title)}</h1>', _table(rows)]
    parts.append(f'<h2>Papers <span class="count">{len(papers)}</span> <a class="badge bib" href="{e(bib_url)}">all as BibTeX</a></h2><ul class="papers">')
    parts.extend(_paper_item(r, show_volume=False) for r in papers)
    parts.append("</ul>")
    if front:
        parts.append(f'<h2>BibTeX of the volume</h2><pre class="bibtex">{e(to_bibtex(front[0]))}</pre>')
    return page(title, "".join(parts), iri=iri, kind="volume", bib=bib_url)


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
        ("Homepage", ", ".join(f'<a href="{e(t.value)}">{e(t.value)}</a>' for t in props.get(V.homepage, []))),
    ]
    parts = [f'<h1>{e(label)}</h1>', _table(rows)]
    if cls == V.Venue:
        events = list(run_named(runner, "ld-venue-events", venue=iri))
        if events:
            parts.append(f'<h2>Events <span class="count">{len(events)}</span></h2><p class="events">')
            parts.append(" · ".join(link(r["ev"].value, _v(r["label"]) or r["ev"].value) for r in events))
            parts.append("</p>")
    vols = list(run_named(runner, "ld-group-volumes", group=iri, predicate=predicate))
    if cls == V.Event:
        colocated = {r["vol"].value for r in run_named(runner, "ld-event-colocated", event=iri)}
    else:
        colocated = set()
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
            f'<li>{link(r["vol"].value, _v(r["title"]) or _v(r["id"]))}{tag}'
            f' <span class="muted">{e(_v(r["id"]) or "")} · {n} papers</span></li>'
        )
    if current is not None:
        parts.append("</ul>")
    return page(label, "".join(parts), iri=iri, kind=kind)


# --- anything else ------------------------------------------------------------------------------------------
def generic_page(iri: str, triples: list[ox.Triple]) -> str:
    labels = {t.subject.value: t.object.value for t in triples if t.predicate.value in (RDFS_LABEL, V.title, V.booktitle)}
    rows = []
    for t in triples:
        if t.subject.value != iri and not t.subject.value.startswith(iri + "#"):
            continue
        o = t.object
        if isinstance(o, ox.NamedNode):
            value = link(o.value, labels.get(o.value, o.value))
        else:
            value = e(o.value) + (f' <span class="muted">@{e(o.language)}</span>' if getattr(o, "language", None) else "")
        subj = "" if t.subject.value == iri else f'<span class="muted">#{e(t.subject.value.split("#", 1)[1])}</span> '
        rows.append(f"<tr><th>{subj}{e(_short(t.predicate.value))}</th><td>{value}</td></tr>")
    title = labels.get(iri, iri)
    body = f'<h1>{e(title)}</h1><table class="meta">{"".join(rows)}</table>'
    return page(title, body, iri=iri)


def _short(iri: str) -> str:
    for prefix, ns in V.PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
