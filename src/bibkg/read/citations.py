"""The records of papers that citations (BibTeX, CSL JSON, the paper and volume pages) are made
of, read from the graph: their fields and ordered contributors, and which papers a person's or a
volume's bibliography cites.

Records are read in two named queries per batch of papers (``read/queries/bib-paper-fields.rq``,
then ``bib-contributors.rq`` for the ordered contributors), with the papers' IRIs in their
``VALUES`` block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from .. import vocab as V
from ..anthology.ids import sort_key
from ..sparql.catalog import NamedQuery, QueryCatalog, default_catalog
from .runner import term_text

Query = Callable[[str], Any]
"""Runs a SPARQL SELECT and returns pyoxigraph ``QuerySolutions``."""


@dataclass(frozen=True, slots=True)
class Contributor:
    position: int
    first: str | None
    last: str
    person: str | None = None

    def last_first(self) -> str:
        return f"{self.last}, {self.first}" if self.first else self.last

    def csl(self) -> dict[str, str]:
        return {"family": self.last, "given": self.first} if self.first else {"family": self.last}


@dataclass(frozen=True, slots=True)
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
    authors: tuple[Contributor, ...] = ()
    editors: tuple[Contributor, ...] = ()

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


def _named(catalog: QueryCatalog | None, name: str) -> NamedQuery:
    return (default_catalog() if catalog is None else catalog)[name]


def _paper_terms(iris: Iterable[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(i) for i in iris]


BATCH = 400


_FIELDS = (
    ("title_markup", "titleMarkup"), ("abstract", "abstract"), ("pages", "pages"), ("doi", "doi"), ("pdf", "pdf"),
    ("language", "language"), ("note", "note"), ("volume", "vol"), ("volume_id", "volId"),
    ("booktitle", "booktitle"), ("booktitle_markup", "booktitleMarkup"), ("publisher", "publisher"),
    ("address", "address"), ("month", "month"), ("isbn", "isbn"), ("journal_title", "journalTitle"),
    ("journal_volume", "journalVolume"), ("journal_issue", "journalIssue"),
)  # fmt: skip
"""(record field, ``bib-paper-fields`` variable) of the optional text fields: the first value wins."""


def fetch_records(query: Query, iris: Iterable[str], catalog: QueryCatalog | None = None) -> list[BibRecord]:
    """Records of the papers (and front matters) among ``iris``, in the given order;
    IRIs that are no paper are skipped.  ``catalog`` defaults to the queries bibkg ships."""
    fields_query, contributors_query = _named(catalog, "bib-paper-fields"), _named(catalog, "bib-contributors")
    order: list[str] = list(dict.fromkeys(iris))
    found: dict[str, BibRecord] = {}
    for start in range(0, len(order), BATCH):
        batch = order[start : start + BATCH]
        fields: dict[str, dict[str, Any]] = {}
        for row in query(fields_query.with_values("paper", _paper_terms(batch))):
            iri = row["paper"].value
            rec = fields.get(iri)
            if rec is None:
                rec = fields[iri] = {"iri": iri, "anthology_id": term_text(row["id"]) or iri, "bibkey": term_text(row["bibkey"]) or "",
                                     "frontmatter": False, "journal": False, "title": "", "year": None}  # fmt: skip
            if term_text(row["type"]) == V.FrontMatter:
                rec["frontmatter"] = True
            rec["journal"] = rec["journal"] or term_text(row["vtype"]) == "journal"
            rec["title"] = term_text(row["title"]) or rec["title"]
            for attr, var in _FIELDS:
                value = term_text(row[var])
                if value is not None and rec.get(attr) is None:
                    rec[attr] = value
            rec["year"] = rec["year"] or term_text(row["year"]) or term_text(row["vyear"])
        present = [i for i in batch if i in fields]
        if not present:
            continue
        authors: dict[str, list[Contributor]] = {}
        paper_editors: dict[str, list[Contributor]] = {}
        volume_editors: dict[str, list[Contributor]] = {}
        seen: set[tuple[str, str, int]] = set()
        for row in query(contributors_query.with_values("paper", _paper_terms(present))):
            iri, role = row["paper"].value, row["role"].value
            pos = int(row["pos"].value)
            if (iri, role, pos) in seen:
                continue
            seen.add((iri, role, pos))
            c = Contributor(pos, term_text(row["first"]), term_text(row["last"]) or "", term_text(row["person"]))
            by_role = authors if role == "author" else paper_editors if role == "editor" else volume_editors
            by_role.setdefault(iri, []).append(c)
        for iri in present:
            editors = paper_editors.get(iri) or volume_editors.get(iri) or []
            found[iri] = BibRecord(
                **fields[iri],
                authors=tuple(sorted(authors.get(iri, []), key=_position)),
                editors=tuple(sorted(editors, key=_position)),
            )
    return [found[i] for i in order if i in found]


def _position(c: Contributor) -> int:
    return c.position


# --- which papers ---------------------------------------------------------------------------------------
def person_papers(store: Any, person_iri: str, catalog: QueryCatalog | None = None) -> list[str]:
    """The papers ``/people/{id}.bib`` cites: newest first, then by Anthology id."""
    named = _named(catalog, "bib-cite-person")
    rows = store.query(named.text, bindings={"person": ox.NamedNode(person_iri)})
    return [r["paper"].value for r in rows]


def volume_papers(store: Any, volume_iri: str, catalog: QueryCatalog | None = None) -> list[str]:
    """The papers (and front matter) of a volume, in Anthology id order."""
    named = _named(catalog, "bib-cite-volume")
    result = store.query(named.text, bindings={"volume": ox.NamedNode(volume_iri)})
    rows = [(r["paper"].value, term_text(r["id"]) or r["paper"].value) for r in result]
    rows.sort(key=lambda r: sort_key(r[1]))
    return [r[0] for r in rows]


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
