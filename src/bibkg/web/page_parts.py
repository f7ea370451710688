"""The parts every HTML page shares: escaping, links on and off this server, the page frame
(one small stylesheet served by bibkg, links to the entity as data), tables and paper items."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from .. import iris
from ..formats import FORMAT, GRAPH

_NEEDS_ESCAPE = re.compile("[&<>\"']").search


def e(text: object) -> str:
    s = "" if text is None else str(text)
    return escape(s, quote=True) if _NEEDS_ESCAPE(s) else s  # most texts need none (large pages)


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
DATA_FORMATS = tuple(FORMAT[GRAPH, n] for n in ("turtle", "jsonld", "ntriples", "rdfxml"))
"""The RDF formats a page links to (``?format=`` its extension), in this order."""


def page(title: str, body: str, *, iri: str | None = None, kind: str = "", bib: str | None = None) -> str:
    alts = ""
    formats = ""
    if iri:
        base = local_path(iri)
        sep = "&" if "?" in base else "?"
        pairs = [(f.label, f.ext, f.media_type) for f in DATA_FORMATS]
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


def html_table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in rows if v)
    return f'<table class="meta">{body}</table>'


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
