"""BibTeX and CSL-JSON for papers, following the ACL Anthology's own conventions.

The entries are what ``acl_anthology``'s ``Paper.to_bibtex()`` writes (the tests compare them on
the bundled sample): the entry type by volume type (``inproceedings``/``article``, front matter
``proceedings``/``book``); fields in the Anthology's order ``title, author, editor, booktitle |
journal/volume/number, month, year, address, publisher, note, url, doi, pages, language, ISBN``;
names as ``Last, First`` joined by ``and``; titles and booktitles from the source markup
(``<fixed-case>`` → ``{…}``, ``<i>`` → ``\\textit{…}``, ``<tex-math>`` → ``$…$``), Unicode
LaTeX-encoded with the same pylatexenc rules; months as macros (``jul``); page ranges with
``--``; the DOI without its resolver; the URL of the paper's landing page.

Records are read from the graph by :mod:`bibkg.read.citations`; the LaTeX is
:mod:`bibkg.export.latex`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..read.citations import BibRecord, Contributor, fetch_records
from ..sparql.catalog import QueryCatalog
from .latex import balanced, bibtex_month, latex_encode, markup_latex

_RE_RANGE = re.compile(r"(?<=[0-9])(-|–|—)(?=[0-9])")


# --- BibTeX ------------------------------------------------------------------------------------------
def _names(contributors: Sequence[Contributor]) -> str:
    return "  and\n      ".join(latex_encode(c.last_first()) for c in contributors)


def to_bibtex(rec: BibRecord, *, with_abstract: bool = False) -> str:
    """One BibTeX entry, as the Anthology writes it."""
    title = markup_latex(rec.title_markup, rec.title)
    fields: list[tuple[str, str | None]] = [
        ("title", title),
        ("author", _names(rec.authors) if rec.authors else None),
        ("editor", _names(rec.editors) if rec.editors else None),
    ]
    if not rec.frontmatter:
        if rec.journal:
            fields += [
                ("journal", latex_encode(rec.journal_title or rec.booktitle)),
                ("volume", rec.journal_volume),
                ("number", rec.journal_issue),
            ]
        else:
            fields.append(("booktitle", markup_latex(rec.booktitle_markup, rec.booktitle) if rec.booktitle else None))
    fields += [
        ("month", bibtex_month(rec.month) if rec.month else None),
        ("year", rec.year),
        ("address", latex_encode(rec.address) if rec.address else None),
        ("publisher", latex_encode(rec.publisher) if rec.publisher else None),
        ("note", latex_encode(rec.note) if rec.note else None),
        ("url", rec.url),
        ("doi", rec.doi_name),
        ("pages", _RE_RANGE.sub("--", rec.pages) if rec.pages else None),
        ("language", rec.language),
        ("ISBN", rec.isbn),
    ]
    if with_abstract and rec.abstract:
        fields.append(("abstract", latex_encode(rec.abstract)))
    lines = [f"@{rec.bibtype}{{{rec.bibkey or rec.anthology_id},"]
    for key, value in fields:
        if not value:
            continue
        if not balanced(value):  # never emit an entry that breaks the file
            value = value.replace("{", "").replace("}", "")
        quoted = value if key == "month" else (f'"{value}"' if '"' not in value else f"{{{value}}}")
        lines.append(f"    {key} = {quoted},")
    lines[-1] = lines[-1][:-1]
    lines.append("}")
    return "\n".join(lines)


def bibtex_document(records: Iterable[BibRecord], *, with_abstract: bool = False) -> str:
    entries = [to_bibtex(r, with_abstract=with_abstract) for r in records]
    return "\n\n".join(entries) + ("\n" if entries else "")


# --- CSL-JSON -----------------------------------------------------------------------------------------
def to_csl(rec: BibRecord) -> dict[str, Any]:
    """The CSL-JSON item, as ``acl_anthology``'s ``Paper.citeproc_dict``."""
    data: dict[str, Any] = {
        "id": rec.bibkey or rec.anthology_id,
        "title": rec.title,
        "type": rec.csltype,
        "author": [c.csl() for c in (rec.editors if rec.frontmatter else rec.authors)],
        "editor": [c.csl() for c in rec.editors],
        "publisher": rec.publisher,
        "publisher-place": rec.address,
        "issued": {"date-parts": [[rec.year]]} if rec.year else None,  # a string, as the Anthology writes it
        "URL": rec.url,
        "DOI": rec.doi_name,
        "ISBN": rec.isbn,
        "page": rec.pages,
    }
    if rec.journal:
        data["container-title"] = rec.journal_title or rec.booktitle
        data["volume"] = rec.journal_volume
        data["issue"] = rec.journal_issue
    else:  # also for front matter, as the Anthology does
        data["container-title"] = rec.booktitle
    return {k: v for k, v in data.items() if v is not None}


def csl_document(records: Iterable[BibRecord]) -> str:
    return json.dumps([to_csl(r) for r in records], ensure_ascii=False, indent=2) + "\n"


def paper_bibtex(store: Any, iri: str, catalog: QueryCatalog | None = None) -> str:
    """The BibTeX entry of one paper (empty if ``iri`` is no paper of the graph)."""
    return bibtex_document(fetch_records(lambda text: store.query(text), [iri], catalog))
