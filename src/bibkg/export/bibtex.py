"""BibTeX and CSL-JSON for papers, following the ACL Anthology's own conventions.

The entries are what ``acl_anthology``'s ``Paper.to_bibtex()`` writes (the tests compare them on
the bundled sample): the entry type by volume type (``inproceedings``/``article``, front matter
``proceedings``/``book``); fields in the Anthology's order ``title, author, editor, booktitle |
journal/volume/number, month, year, address, publisher, note, url, doi, pages, language, ISBN``;
names as ``Last, First`` joined by ``and``; titles and booktitles from the source markup
(``<fixed-case>`` → ``{…}``, ``<i>`` → ``\\textit{…}``, ``<tex-math>`` → ``$…$``), Unicode
LaTeX-encoded with the same pylatexenc rules; months as macros (``jul``); page ranges with
``--``; the DOI without its resolver; the URL of the paper's landing page.

Records are read from the graph in two named queries per batch of papers
(``read/queries/bib-paper-fields.rq``, then ``bib-contributors.rq`` for the ordered
contributors), with the papers' IRIs in their ``VALUES`` block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs (lxml-stubs is not a dependency)
from pylatexenc.latexencode import (  # type: ignore[import-untyped]  # pylatexenc has no stubs or py.typed
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

from .. import vocab as V
from ..safeparse import xml_fragment
from ..sparql.catalog import NamedQuery, QueryCatalog, default_catalog

Query = Callable[[str], Any]
"""Runs a SPARQL SELECT and returns pyoxigraph ``QuerySolutions``."""

# --- LaTeX, as the Anthology does it ------------------------------------------------------------
_LATEXENC = UnicodeToLatexEncoder(
    conversion_rules=[
        UnicodeToLatexConversionRule(
            RULE_DICT,
            {
                ord("‘"): "`",
                ord("’"): "'",
                ord("“"): "``",
                ord("”"): "''",
                ord("–"): "--",
                ord("—"): "---",
                ord("í"): "\\'i",
                ord("ì"): "\\`i",
                ord("î"): "\\^i",
                ord("ï"): '\\"i',
            },
        ),
        "defaults",
    ],
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)
_MONTHS = {
    "january": "jan", "february": "feb", "march": "mar", "april": "apr", "may": "may",
    "june": "jun", "july": "jul", "august": "aug", "september": "sep", "october": "oct",
    "november": "nov", "december": "dec",
}  # fmt: skip
_ENCODED_FIELDS = {"journal", "address", "publisher", "note"}
_RE_OPEN2 = re.compile(r"(\A|(?<=\s))({``}|{''}|'')(?!}|\s)")
_RE_OPEN1 = re.compile(r"(\A|(?<=\s))({`}|{'}|')(?!'|}|\s)")
_RE_CLOSE2 = re.compile(r"(?<!\\){''}(?=\W|\Z)")
_RE_CLOSE1 = re.compile(r"(?<!\\){'}(?=\W|\Z)")
_RE_RANGE = re.compile(r"(?<=[0-9])(-|–|—)(?=[0-9])")
_MARKUP = {
    "fixed-case": "{{{text}}}",
    "b": "\\textbf{{{text}}}",
    "i": "\\textit{{{text}}}",
    "tex-math": "${text}$",
    "url": "\\url{{{text}}}",
}


@lru_cache(maxsize=65536)
def latex_encode(text: str | None) -> str:
    """Unicode text (no LaTeX commands in it) encoded for BibTeX."""
    return "" if not text else str(_LATEXENC.unicode_to_latex(text))


def _whitespace(text: str) -> str:
    text = text.replace("\n", "").strip()
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _quotes(text: str) -> str:
    text = _RE_OPEN2.sub("``", text)
    text = _RE_OPEN1.sub("`", text)
    text = _RE_CLOSE2.sub("''", text)
    return _RE_CLOSE1.sub("'", text)


def _element_latex(element: etree._Element) -> str:
    tag = str(element.tag)
    if tag in ("tex-math", "url"):
        return _MARKUP[tag].format(text=element.text or "")
    text = latex_encode(element.text)
    for child in element:
        text += _element_latex(child)
        if child.tail:
            text += latex_encode(child.tail)
    return _MARKUP.get(tag, "{text}").format(text=text)


def markup_latex(markup: str | None, plain: str | None) -> str:
    """LaTeX of a title: from its source XML markup when there is some, else from plain text."""
    if markup:
        try:
            root = xml_fragment(markup)  # the one safe XML parser (no entities, DTD, network)
        except etree.XMLSyntaxError:
            root = None
        if root is not None:
            return _whitespace(_quotes(_element_latex(root)))
    return _whitespace(_quotes(latex_encode(plain or "")))


def bibtex_month(spec: str) -> str:
    text = spec.lower()
    if text in _MONTHS:
        return _MONTHS[text]
    if text in _MONTHS.values():
        return text
    text = f'"{text}"'
    for month, macro in _MONTHS.items():
        if month in text:
            text = text.replace(month, f'" # {macro} # "')
            text = " # ".join(filter(lambda k: k != '""', text.split(" # ")))
    return text


def _balanced(value: str) -> bool:
    depth = 0
    for ch in value:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


# --- records ------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Contributor:
    position: int
    first: str | None
    last: str
    person: str | None = None

    def last_first(self) -> str:
        return f"{self.last}, {self.first}" if self.first else self.last

    def csl(self) -> dict[str, str]:
        return {"family": self.last, "given": self.first} if self.first else {"family": self.last}


@dataclass(slots=True)
class BibRecord:
    iri: str
    anthology_id: str
    bibkey: str
    frontmatter: bool = False
    journal: bool = False
    title: str = ""
    title_markup: str | None = None
    abstract: str | None = None
    year: str | None = None
    month: str | None = None
    pages: str | None = None
    doi: str | None = None
    pdf: str | None = None
    language: str | None = None
    note: str | None = None
    volume: str | None = None
    volume_id: str | None = None
    booktitle: str | None = None
    booktitle_markup: str | None = None
    publisher: str | None = None
    address: str | None = None
    isbn: str | None = None
    journal_title: str | None = None
    journal_volume: str | None = None
    journal_issue: str | None = None
    authors: list[Contributor] = field(default_factory=list)
    editors: list[Contributor] = field(default_factory=list)

    @property
    def bibtype(self) -> str:
        if self.frontmatter:
            return "book" if self.journal else "proceedings"
        return "article" if self.journal else "inproceedings"

    @property
    def csltype(self) -> str:
        if self.frontmatter:
            return "book"
        return "article-journal" if self.journal else "paper-conference"

    @property
    def url(self) -> str:
        return self.iri

    @property
    def doi_name(self) -> str | None:
        if not self.doi:
            return None
        return unquote(self.doi.removeprefix("https://doi.org/").removeprefix("http://dx.doi.org/"))


def _v(term: Any) -> str | None:
    return None if term is None else term.value


def _named(catalog: QueryCatalog | None, name: str) -> NamedQuery:
    return (default_catalog() if catalog is None else catalog)[name]


def _paper_terms(iris: Iterable[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(i) for i in iris]


BATCH = 400


def fetch_records(query: Query, iris: Iterable[str], catalog: QueryCatalog | None = None) -> list[BibRecord]:
    """Records of the papers (and front matters) among ``iris``, in the given order;
    IRIs that are no paper are skipped.  ``catalog`` defaults to the queries bibkg ships."""
    fields_query, contributors_query = _named(catalog, "bib-paper-fields"), _named(catalog, "bib-contributors")
    order: list[str] = list(dict.fromkeys(iris))
    found: dict[str, BibRecord] = {}
    for start in range(0, len(order), BATCH):
        batch = order[start : start + BATCH]
        for row in query(fields_query.with_values("paper", _paper_terms(batch))):
            iri = row["paper"].value
            rec = found.get(iri)
            if rec is None:
                rec = found[iri] = BibRecord(iri=iri, anthology_id=_v(row["id"]) or iri, bibkey=_v(row["bibkey"]) or "")
            if _v(row["type"]) == V.FrontMatter:
                rec.frontmatter = True
            rec.journal = rec.journal or _v(row["vtype"]) == "journal"
            rec.title = _v(row["title"]) or rec.title
            for attr, var in (
                ("title_markup", "titleMarkup"), ("abstract", "abstract"), ("pages", "pages"),
                ("doi", "doi"), ("pdf", "pdf"), ("language", "language"), ("note", "note"),
                ("volume", "vol"), ("volume_id", "volId"), ("booktitle", "booktitle"),
                ("booktitle_markup", "booktitleMarkup"), ("publisher", "publisher"),
                ("address", "address"), ("month", "month"), ("isbn", "isbn"),
                ("journal_title", "journalTitle"), ("journal_volume", "journalVolume"),
                ("journal_issue", "journalIssue"),
            ):  # fmt: skip
                value = _v(row[var])
                if value is not None and getattr(rec, attr) is None:
                    setattr(rec, attr, value)
            rec.year = rec.year or _v(row["year"]) or _v(row["vyear"])
        present = [i for i in batch if i in found]
        if not present:
            continue
        paper_editors: dict[str, list[Contributor]] = {}
        volume_editors: dict[str, list[Contributor]] = {}
        seen: set[tuple[str, str, int]] = set()
        for row in query(contributors_query.with_values("paper", _paper_terms(present))):
            iri, role = row["paper"].value, row["role"].value
            pos = int(row["pos"].value)
            if (iri, role, pos) in seen:
                continue
            seen.add((iri, role, pos))
            c = Contributor(pos, _v(row["first"]), _v(row["last"]) or "", _v(row["person"]))
            if role == "author":
                found[iri].authors.append(c)
            elif role == "editor":
                paper_editors.setdefault(iri, []).append(c)
            else:
                volume_editors.setdefault(iri, []).append(c)
        for iri in present:
            rec = found[iri]
            rec.authors.sort(key=lambda c: c.position)
            rec.editors = sorted(paper_editors.get(iri) or volume_editors.get(iri) or [], key=lambda c: c.position)
    return [found[i] for i in order if i in found]


# --- BibTeX ------------------------------------------------------------------------------------------
def _names(contributors: list[Contributor]) -> str:
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
        if not _balanced(value):  # never emit an entry that breaks the file
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


# --- which papers ---------------------------------------------------------------------------------------
def _id_key(anthology_id: str) -> tuple:
    head, _, tail = anthology_id.rpartition(".")
    return (head, int(tail)) if tail.isdigit() else (anthology_id, -1)


def person_papers(store: Any, person_iri: str, catalog: QueryCatalog | None = None) -> list[str]:
    """The papers ``/people/{id}.bib`` cites: newest first, then by Anthology id."""
    named = _named(catalog, "bib-cite-person")
    rows = store.query(named.text, bindings={"person": ox.NamedNode(person_iri)})
    return [r["paper"].value for r in rows]


def volume_papers(store: Any, volume_iri: str, catalog: QueryCatalog | None = None) -> list[str]:
    """The papers (and front matter) of a volume, in Anthology id order."""
    named = _named(catalog, "bib-cite-volume")
    result = store.query(named.text, bindings={"volume": ox.NamedNode(volume_iri)})
    rows = [(r["paper"].value, _v(r["id"]) or r["paper"].value) for r in result]
    rows.sort(key=lambda r: _id_key(r[1]))
    return [r[0] for r in rows]


def paper_bibtex(store: Any, iri: str, catalog: QueryCatalog | None = None) -> str:
    """The BibTeX entry of one paper (empty if ``iri`` is no paper of the graph)."""
    return bibtex_document(fetch_records(lambda text: store.query(text), [iri], catalog))


def papers_in_result(result: Any) -> list[str]:
    """Paper IRIs of a SELECT result: the ``?paper`` column, else every IRI of the first column."""
    variables = [v.value for v in result.variables]
    if not variables:
        return []
    column = "paper" if "paper" in variables else variables[0]
    out = []
    for row in result:
        term = row[column]
        if isinstance(term, ox.NamedNode):
            out.append(term.value)
    return out
