"""One collection file → the quads of its named graph, plus what the global graphs need.

Pure: no I/O, no store.  The result carries, besides the N-Quads text, the facts the people,
event and statistics graphs are built from (names each person was printed under, script
variants, volume membership), so collections can be mapped independently.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass, field

from .. import iris
from .. import vocab as V
from ..anthology.names import Name
from ..anthology.people import PeopleMetadata
from ..anthology.records import Collection, EventDecl, NameSpec, Paper, Volume
from ..anthology.resolve import Warning, resolve
from ..read.records import PaperCard
from .terms import GraphText, QuadWriter, bool_lit, date_lit, int_lit, lang_lit, script_language_tag

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(slots=True)
class VolumeFacts:
    """What the event graph needs to know about a volume."""

    full_id: str
    collection_id: str
    year: int
    venue_ids: tuple[str, ...]
    paper_ids: tuple[str, ...]

    def __reduce__(self) -> tuple[type[VolumeFacts], tuple[str, str, int, tuple[str, ...], tuple[str, ...]]]:
        # pickled by its fields (as bibkg.anthology.names.Name)
        return VolumeFacts, (self.full_id, self.collection_id, self.year, self.venue_ids, self.paper_ids)


@dataclass(slots=True)
class CollectionResult:
    collection_id: str
    graph: GraphText | None = None
    """The collection's graph; ``None`` when only some items were rendered (:attr:`units`)."""
    units: dict[str, GraphText] = field(default_factory=dict)
    """item id → the text of that item's quads, for the items rendered alone (``render``)."""
    items: list[tuple[str, str]] = field(default_factory=list)
    """(item id, subject IRI) of every volume and paper in document order, when not all were
    rendered: where each item's quads begin in the whole graph."""
    papers: int = 0
    frontmatter: int = 0
    authorships: int = 0
    editorships: int = 0
    warnings: list[Warning] = field(default_factory=list)
    names: dict[str, list[Name]] = field(default_factory=dict)
    """person id → printed names, in order of first use, each once."""
    scripts: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    """person id → (name text, language tag) of script variants."""
    volumes: list[VolumeFacts] = field(default_factory=list)
    event: EventDecl | None = None
    contributions: list[tuple[str, str, int, str]] = field(default_factory=list)
    """(item id, role, position, person id) for every author and editor entry."""
    cards: list[PaperCard] = field(default_factory=list)
    """The card of each paper (not front matter) rendered, as listings show it (:mod:`bibkg.cards`)."""


def map_collection(
    collection: Collection, people: PeopleMetadata, file_index: int = 0, *, render: Set[str] | None = None
) -> CollectionResult:
    """Map ``collection`` into quads of the graph ``iris.collection_graph(collection.id)``.

    ``file_index`` is the collection's place among the corpus' files in id order (it matters
    only for names registered as ``<variant>``s in legacy data, see ``resolve``).

    With ``render`` (volume and paper ids), only those items' quads are written, each item's
    apart (:attr:`CollectionResult.units`); every fact is still gathered from the whole
    collection.  An item's quads are its own triples and those of its author and editor nodes
    (a volume's without its papers'); the whole graph is the collection's two triples followed
    by every item's quads in document order, so an update can replace some items' quads in
    the previous text (:mod:`bibkg.ingest.units`).
    """
    mapper = _CollectionMapper(collection, people, file_index, render)
    return mapper.run()


class _Discard:
    """A writer for the items not rendered: it keeps nothing."""

    __slots__ = ()

    def add(self, subject: str, predicate: str, obj: str) -> None:
        pass

    def add_text(self, subject: str, predicate: str, value: str | None) -> None:
        pass

    def add_iri(self, subject: str, predicate: str, value: str | None) -> None:
        pass


class _CollectionMapper:
    def __init__(
        self, collection: Collection, people: PeopleMetadata, file_index: int, render: Set[str] | None = None
    ) -> None:
        self.collection = collection
        self.people = people
        self.file_index = file_index
        self.render = render
        self.seq = 0
        """Entries seen so far; the mapper visits them in ``name_specs_in_order`` order."""
        self.graph = QuadWriter(iris.collection_graph(collection.id))
        self.out: QuadWriter | _Discard = self.graph if render is None else _Discard()
        self.item = ""
        """The item whose quads are being written (when not all are rendered)."""
        self.result = CollectionResult(collection.id, event=collection.event)

    def run(self) -> CollectionResult:
        out, c = self.out, self.collection
        subject = iris.collection_iri(c.id)
        out.add_iri(subject, V.TYPE, V.Collection)
        out.add_text(subject, V.anthologyId, c.id)
        for volume in c.volumes:
            self._volume(volume, subject)
        if self.render is None:
            self.result.graph = self.graph.finish()
        return self.result

    def _item(self, item_id: str, subject: str) -> None:
        """Start the quads of the item ``item_id``: the writer it goes to, when not all are rendered."""
        if self.render is None:
            return
        self.item = item_id
        self.result.items.append((item_id, subject))
        self.out = QuadWriter(self.graph.graph) if item_id in self.render else _Discard()

    def _item_done(self) -> None:
        if self.render is not None and isinstance(self.out, QuadWriter):
            self.result.units[self.item] = self.out.finish()
            self.out = _Discard()

    # -- helpers ---------------------------------------------------------------------------------
    def _contributions(self, item_id: str, item: str, *groups: tuple[tuple[NameSpec, ...], str, str]) -> None:
        """The author/editor entries of an item: ``groups`` of (entries, role, shortcut).

        The item's triples (links to the nodes, shortcuts to the persons) are written first,
        then each node's, so that every subject's triples are consecutive (one Turtle statement).
        """
        out, result = self.out, self.result
        nodes: list[tuple[str, str, NameSpec, int]] = []
        for specs, role, shortcut in groups:
            link = V.authorship if role == "author" else V.editorship
            seen: set[str] = set()
            for position, spec in enumerate(specs, start=1):
                pid, warning = resolve(spec, self.people, (self.file_index, self.seq))
                self.seq += 1
                if warning is not None:
                    self._warn(warning, item_id, spec.line)
                node = iris.contribution_iri(item, role, position)
                out.add_iri(item, link, node)
                if pid not in seen:
                    seen.add(pid)
                    out.add_iri(item, shortcut, iris.person_iri(pid))
                elif role == "editor":
                    self._warn(
                        Warning(
                            "duplicate-editor",
                            item_id,
                            f"'{spec.name.full}' is listed twice as editor; both entries kept, one editor link",
                        ),
                        item_id,
                        spec.line,
                    )
                nodes.append((node, pid, spec, position))
                result.contributions.append((item_id, role, position, pid))
            if role == "author":
                result.authorships += len(specs)
            else:
                result.editorships += len(specs)
        for node, pid, spec, position in nodes:
            person = iris.person_iri(pid)
            name = spec.name
            out.add(node, V.position, int_lit(position))
            out.add_iri(node, V.person, person)
            out.add_iri(node, V.printedName, iris.name_iri(person, name.first, name.last))
            out.add_text(node, V.affiliation, spec.affiliation)
            for variant in spec.variants:
                tag = script_language_tag(variant.script)
                out.add(node, V.scriptVariant, lang_lit(variant.full, tag))
                result.scripts.setdefault(pid, set()).add((variant.full, tag))
            names = result.names.setdefault(pid, [])
            if name not in names:
                names.append(name)

    def _warn(self, warning: Warning, item_id: str, line: int | None) -> None:
        self.result.warnings.append(Warning(warning.kind, item_id, warning.message, self.collection.path, line))

    # -- volumes and papers -----------------------------------------------------------------------
    def _volume(self, v: Volume, collection: str) -> None:
        s = iris.volume_iri(v.full_id)
        self._item(v.full_id, s)
        out = self.out
        out.add_iri(s, V.TYPE, V.Volume)
        out.add_iri(s, V.TYPE, V.JournalIssue if v.volume_type == "journal" else V.Proceedings)
        out.add_text(s, V.anthologyId, v.full_id)
        out.add_iri(s, V.inCollection, collection)
        out.add_text(s, V.volumeType, v.volume_type)
        out.add_text(s, V.booktitle, v.booktitle)
        if v.booktitle_markup != v.booktitle:
            out.add_text(s, V.booktitleMarkup, v.booktitle_markup)
        out.add_text(s, V.shortBooktitle, v.short_booktitle)
        out.add_text(s, V.publisher, v.publisher)
        out.add_text(s, V.address, v.address)
        out.add_text(s, V.month, v.month)
        out.add(s, V.year, int_lit(v.year))
        out.add_text(s, V.isbn, v.isbn)
        if v.doi:
            out.add_iri(s, V.doi, iris.doi_iri(v.doi))
        if v.url:
            out.add_iri(s, V.pdf, iris.pdf_iri(v.url))
        out.add_text(s, V.journalTitle, v.journal_title)
        out.add_text(s, V.journalVolume, v.journal_volume)
        out.add_text(s, V.journalIssue, v.journal_issue)
        if v.ingest_date and _ISO_DATE.match(v.ingest_date):
            out.add(s, V.ingestDate, date_lit(v.ingest_date))
        for venue_id in v.venue_ids:
            out.add_iri(s, V.venue, iris.venue_iri(venue_id))
        for paper in v.papers:
            if paper.is_frontmatter:
                out.add_iri(s, V.hasFrontMatter, iris.paper_iri(paper.full_id))
        self._contributions(v.full_id, s, (v.editors, "editor", V.editor))
        self._item_done()
        paper_ids = []
        for paper in v.papers:
            self._item(paper.full_id, iris.paper_iri(paper.full_id))
            self._paper(paper, v, s)
            self._item_done()
            if not paper.is_frontmatter:
                paper_ids.append(paper.full_id)
        self.result.volumes.append(VolumeFacts(v.full_id, v.collection_id, v.year, v.venue_ids, tuple(paper_ids)))

    def _paper(self, p: Paper, v: Volume, volume: str) -> None:
        out = self.out
        s = iris.paper_iri(p.full_id)
        if p.is_frontmatter:
            out.add_iri(s, V.TYPE, V.FrontMatter)
            self.result.frontmatter += 1
        else:
            out.add_iri(s, V.TYPE, V.Paper)
            self.result.papers += 1
        out.add_text(s, V.anthologyId, p.full_id)
        out.add_iri(s, V.inVolume, volume)
        title = p.title if p.title is not None else v.booktitle
        out.add_text(s, V.title, title)
        if p.title_markup and p.title_markup != p.title:
            out.add_text(s, V.titleMarkup, p.title_markup)
        out.add_text(s, V.abstract, p.abstract)
        out.add(s, V.year, int_lit(v.year))
        out.add_text(s, V.pages, p.pages)
        if p.doi:
            out.add_iri(s, V.doi, iris.doi_iri(p.doi))
        if p.url and "://" in p.url:
            out.add_iri(s, V.url, iris.external_iri(p.url))
        pdf = iris.pdf_iri(p.url) if p.url else None
        out.add_iri(s, V.pdf, pdf)
        out.add_text(s, V.bibkey, p.bibkey)
        out.add_text(s, V.language, p.language)
        for award in p.awards:
            out.add_text(s, V.award, award)
        out.add_text(s, V.note, p.note)
        venues = tuple(iris.venue_iri(venue_id) for venue_id in v.venue_ids)
        for venue in venues:
            out.add_iri(s, V.venue, venue)
        if not p.is_frontmatter:
            first = len(self.result.contributions)
            self._contributions(p.full_id, s, (p.authors, "author", V.author), (p.editors, "editor", V.editor))
            if self.render is not None and p.full_id not in self.render:
                return  # its card stays as it is
            authors = tuple(
                (iris.person_iri(pid), p.authors[position - 1].name.full)
                for _, role, position, pid in self.result.contributions[first:]
                if role == "author"
            )
            self.result.cards.append(
                PaperCard(s, title or None, str(v.year), volume, v.booktitle or None, pdf, venues, authors)
            )


__all__ = ["CollectionResult", "VolumeFacts", "bool_lit", "map_collection"]
