"""Streaming reader of the Anthology's collection files (``xml/*.xml``).

Each file is read with :func:`bibkg.safeparse.iterparse_xml` (lxml ``iterparse`` with no DOCTYPE,
no entity, no DTD and no network, under a size limit); a volume element is turned into records
and cleared as soon as it ends, so memory stays bounded by the file's bytes (below the limit) and
one volume's elements, never a whole-corpus DOM.

Ids must be unambiguous, since the graph is keyed by them: the root's ``<collection id>`` must be
the file's name (else the same collection could come from two files and merge silently), and no
two volumes or papers of a collection may have the same full id.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs (lxml-stubs not a dependency)

from ..errors import SourceError
from ..safeparse import iterparse_xml
from .ids import build_id
from .names import Name
from .records import Collection, EventDecl, NameSpec, Paper, Volume
from .text import inner_markup, plain_text


def read_collection(path: Path) -> Collection:
    """Read one collection file.

    Raises:
        SourceError: the file is too large, has a DOCTYPE, is not well-formed XML, declares
            another collection id than its name, repeats a volume or paper id, or misses
            something required; the error names the file and line.
    """
    path = Path(path)
    collection_id = path.stem
    volumes: list[Volume] = []
    event: EventDecl | None = None
    seen: dict[str, int | None] = {}
    """Full id of every volume and paper read so far → its line (duplicates are errors)."""
    for kind, element in iterparse_xml(path, events=("start", "end"), tag=("collection", "volume", "event")):
        if kind == "start":
            if element.tag == "collection":
                _check_collection_id(element, collection_id, path)
            continue
        if element.tag == "volume":
            volume = _volume(element, collection_id, path)
            _check_unique(volume.full_id, volume.line, seen, path)
            for paper in volume.papers:
                _check_unique(paper.full_id, paper.line, seen, path)
            volumes.append(volume)
        elif element.tag == "event":
            event = _event(element, collection_id, path)
        else:
            continue
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return Collection(collection_id, str(path), tuple(volumes), event)


def _check_collection_id(element: etree._Element, collection_id: str, path: Path) -> None:
    """The root's ``id`` must be the file's name: the ids of the graph are built from the name, so
    a copy of ``2025.acl.xml`` under another name would otherwise be a second, silent collection."""
    declared = element.get("id")
    if declared is not None and declared != collection_id:
        sibling = path.with_name(f"{declared}.xml")
        if sibling.is_file():
            problem = f"declares collection id '{declared}', the collection of {sibling}"
        else:
            problem = f"declares collection id '{declared}' but is named for '{collection_id}'"
        raise SourceError(path, element.sourceline, f"{problem} (a collection file is named after its id)")


def _check_unique(full_id: str, line: int | None, seen: dict[str, int | None], path: Path) -> None:
    if full_id in seen:
        first = seen[full_id]
        where = f" (first at line {first})" if first else ""
        raise SourceError(path, line, f"id {full_id} occurs twice in the collection{where}")
    seen[full_id] = line


def _text(element: etree._Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None:
        return None
    text = "".join(child.itertext()).strip()
    return text or None


def _name(element: etree._Element) -> Name:
    first = last = None
    for child in element:
        if child.tag == "first":
            first = child.text
        elif child.tag == "last":
            last = child.text
    return Name(first.strip() if first else None, (last or "").strip(), element.get("script"))


def _name_spec(element: etree._Element, path: Path) -> NameSpec:
    first = last = affiliation = None
    variants: list[Name] = []
    for child in element:
        tag = child.tag
        if tag == "first":
            first = child.text
        elif tag == "last":
            last = child.text
        elif tag == "affiliation":
            affiliation = _simple(child)
        elif tag == "variant":
            variants.append(_name(child))
    if not last or not last.strip():
        raise SourceError(path, element.sourceline, f"<{element.tag}> without a <last> name")
    name = Name(first.strip() if first else None, last.strip())
    attrib = element.attrib
    return NameSpec(
        name,
        attrib.get("id"),
        attrib.get("orcid"),
        affiliation,
        tuple(variants),
        element.sourceline,
    )


def _volume(element: etree._Element, collection_id: str, path: Path) -> Volume:
    volume_id = element.get("id")
    if volume_id is None:
        raise SourceError(path, element.sourceline, "<volume> without an id attribute")
    try:
        full_id = build_id(collection_id, volume_id)
    except ValueError:
        raise SourceError(
            path, element.sourceline, f"volume id '{volume_id}' is not valid in {collection_id}"
        ) from None
    meta = element.find("meta")
    if meta is None:
        raise SourceError(path, element.sourceline, f"volume {full_id} has no <meta>")
    booktitle_el = meta.find("booktitle")
    year = _text(meta, "year")
    if booktitle_el is None or year is None or not year.isdigit():
        raise SourceError(path, meta.sourceline, f"volume {full_id} needs a <booktitle> and a numeric <year>")
    papers = []
    for child in element:
        if child.tag == "paper":
            papers.append(_paper(child, collection_id, volume_id, full_id, path))
        elif child.tag == "frontmatter":
            papers.append(_paper(child, collection_id, volume_id, full_id, path, frontmatter=True))
    return Volume(
        full_id=full_id,
        collection_id=collection_id,
        volume_type=element.get("type", "proceedings"),
        booktitle=plain_text(booktitle_el),
        booktitle_markup=inner_markup(booktitle_el),
        short_booktitle=_text(meta, "shortbooktitle"),
        editors=tuple(_name_spec(e, path) for e in meta.iterfind("editor")),
        publisher=_text(meta, "publisher"),
        address=_text(meta, "address"),
        month=_text(meta, "month"),
        year=int(year),
        isbn=_text(meta, "isbn"),
        doi=_text(meta, "doi"),
        url=_text(meta, "url"),
        venue_ids=tuple(v.text.strip() for v in meta.iterfind("venue") if v.text),
        journal_title=_text(meta, "journal-title"),
        journal_volume=_text(meta, "journal-volume"),
        journal_issue=_text(meta, "journal-issue"),
        ingest_date=element.get("ingest-date"),
        papers=tuple(papers),
        line=element.sourceline,
    )


def _paper(
    element: etree._Element,
    collection_id: str,
    volume_local_id: str,
    volume_id: str,
    path: Path,
    frontmatter: bool = False,
) -> Paper:
    if frontmatter:
        local_id = "0"
    else:
        local_id = element.get("id")
        if local_id is None:
            raise SourceError(path, element.sourceline, f"<paper> in {volume_id} without an id")
    try:
        full_id = build_id(collection_id, volume_local_id, local_id)
    except ValueError:
        raise SourceError(path, element.sourceline, f"paper id '{local_id}' is not valid in {volume_id}") from None
    title = title_markup = abstract = None
    pages = doi = url = bibkey = language = note = None
    authors: list[NameSpec] = []
    editors: list[NameSpec] = []
    awards: list[str] = []
    for child in element:
        tag = child.tag
        if tag == "author":
            authors.append(_name_spec(child, path))
        elif tag == "title":
            title, title_markup = plain_text(child), inner_markup(child)
        elif tag == "abstract":
            abstract = plain_text(child) or None
        elif tag == "pages":
            pages = _simple(child)
        elif tag == "url":
            url = _simple(child)
        elif tag == "doi":
            doi = _simple(child)
        elif tag == "bibkey":
            bibkey = _simple(child)
        elif tag == "editor":
            editors.append(_name_spec(child, path))
        elif tag == "language":
            language = _simple(child)
        elif tag == "award":
            if award := _simple(child):
                awards.append(award)
        elif tag == "note":
            note = _simple(child)
    if title is None and not frontmatter:
        raise SourceError(path, element.sourceline, f"paper {full_id} has no <title>")
    return Paper(
        full_id=full_id,
        volume_id=volume_id,
        is_frontmatter=frontmatter,
        title=title,
        title_markup=title_markup,
        abstract=abstract,
        authors=tuple(authors),
        editors=tuple(editors),
        pages=pages,
        doi=doi,
        url=url,
        bibkey=bibkey,
        language=language,
        awards=tuple(awards),
        note=note,
        line=element.sourceline,
    )


def _simple(element: etree._Element) -> str | None:
    """Text of a leaf element (or of all its descendants), stripped; ``None`` when empty."""
    text = element.text if len(element) == 0 else "".join(element.itertext())
    if text is None:
        return None
    return text.strip() or None


def _event(element: etree._Element, collection_id: str, path: Path) -> EventDecl:
    meta = element.find("meta")
    colocated = element.find("colocated")
    return EventDecl(
        id=element.get("id", ""),
        collection_id=collection_id,
        title=_text(meta, "title") if meta is not None else None,
        location=_text(meta, "location") if meta is not None else None,
        dates=_text(meta, "dates") if meta is not None else None,
        colocated=tuple(v.text.strip() for v in colocated.iterfind("volume-id") if v.text)
        if colocated is not None
        else (),
        line=element.sourceline,
        path=str(path),
    )
