"""The graphs built from the whole corpus: people, events, and venues with SIGs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .. import iris
from .. import vocab as V
from ..anthology.names import Name
from ..anthology.people import PeopleMetadata
from ..anthology.records import EventDecl, PersonEntry, SigEntry, VenueEntry
from ..anthology.resolve import Warning
from .blocks import Block, BlockIndex, join
from .collection import VolumeFacts
from .terms import GraphText, QuadWriter, bool_lit, int_lit, lang_lit


class PersonNames(Protocol):
    """What :meth:`PeopleFacts.absorb` reads of one collection: a
    :class:`~bibkg.mapping.collection.CollectionResult`, or the
    :class:`~bibkg.ingest.state.CollectionFacts` kept of it."""

    @property
    def names(self) -> Mapping[str, Iterable[Name]]: ...

    @property
    def scripts(self) -> Mapping[str, Iterable[tuple[str, str]]]: ...


@dataclass(slots=True)
class PeopleFacts:
    """Everything known about persons after all collections were mapped, in corpus order."""

    names: dict[str, list[Name]] = field(default_factory=dict)
    scripts: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def absorb(self, result: PersonNames) -> None:
        for pid, names in result.names.items():
            known = self.names.setdefault(pid, [])
            for name in names:
                if name not in known:
                    known.append(name)
        for pid, scripts in result.scripts.items():
            self.scripts.setdefault(pid, set()).update(scripts)


def canonical_name(names: list[Name]) -> Name:
    """The display name of a person known only from papers: the best-scoring spelling, the
    first seen among equals."""
    best = names[0]
    for name in names[1:]:
        if name.score() > best.score():
            best = name
    return best


def similar_persons(people: PeopleMetadata) -> dict[str, tuple[str, ...]]:
    """Person id → the persons it is declared similar to, or shares a declared name with
    (sorted): the ``bibkg:similar`` links."""
    similar: dict[str, set[str]] = {}
    for entry in people.persons.values():
        for other in entry.similar:
            similar.setdefault(entry.id, set()).add(other)
            similar.setdefault(other, set()).add(entry.id)
    for ids in people.by_name.values():
        if len(ids) > 1:
            for a in ids:
                for b in ids:
                    if a != b:
                        similar.setdefault(a, set()).add(b)
    return {pid: tuple(sorted(others)) for pid, others in similar.items()}


def person_block(
    pid: str,
    entry: PersonEntry | None,
    used: list[Name],
    scripts: Iterable[tuple[str, str]],
    similar: Iterable[str],
) -> QuadWriter:
    """One person's statements in the people graph: the person with their names (``used``: as
    printed on papers, in corpus order), verification status, ORCID and similar persons."""
    out = QuadWriter(iris.PEOPLE_GRAPH)
    s = iris.person_iri(pid)
    if entry is not None:
        declared = list(entry.names)
        canonical = declared[0]
        names = declared + [n for n in used if n not in declared]
    else:
        declared = []
        canonical = canonical_name(used)
        names = list(used)
    out.add_iri(s, V.TYPE, V.Person)
    out.add_text(s, V.LABEL, canonical.full)
    out.add(s, V.verified, bool_lit(entry is not None))
    nodes = [(name, iris.name_iri(s, name.first, name.last)) for name in names]
    out.add_iri(s, V.canonicalName, iris.name_iri(s, canonical.first, canonical.last))
    for _name, node in nodes:
        out.add_iri(s, V.personName, node)
    for text, tag in sorted(scripts):
        out.add(s, V.scriptVariant, lang_lit(text, tag))
    if entry is not None:
        if entry.orcid:
            out.add_iri(s, V.orcid, iris.orcid_iri(entry.orcid))
        out.add_text(s, V.COMMENT, entry.comment)
        out.add_text(s, V.degree, entry.degree)
        if entry.disable_name_matching:
            out.add(s, V.disableNameMatching, bool_lit(True))
    for other in similar:
        out.add_iri(s, V.similar, iris.person_iri(other))
    for name, node in nodes:  # after the person's own triples: one Turtle statement each
        out.add_text(node, V.givenName, name.first)
        out.add_text(node, V.familyName, name.last)
        out.add_text(node, V.fullName, name.full)
        if name in declared:
            out.add(node, V.declared, bool_lit(True))
    return out


def people_graph(people: PeopleMetadata, facts: PeopleFacts) -> tuple[GraphText, BlockIndex]:
    """Persons with their names, verification status, ORCID and similar persons: a block per
    person (:func:`person_block`), in person id order."""
    similar = similar_persons(people)
    all_ids = sorted(set(people.persons) | set(facts.names))

    def block(pid: str) -> Block:
        used, scripts = facts.names.get(pid, []), facts.scripts.get(pid, ())
        return Block.of(person_block(pid, people.persons.get(pid), used, scripts, similar.get(pid, ())))

    return join(iris.PEOPLE_GRAPH, ((pid, block(pid)) for pid in all_ids))


def events_graph(
    volumes: Iterable[VolumeFacts],
    declared: Iterable[EventDecl],
    venues: dict[str, VenueEntry],
) -> tuple[QuadWriter, list[Warning], int]:
    """Explicit and implicit events and the volumes and papers they hold.

    An explicit ``<event>`` holds every volume of its own collection plus its ``<colocated>``
    volumes; every volume also belongs to the implicit event ``{venue}-{year}`` of each of its
    venues.  An explicit event with the id of an implicit one is the same event.  Returns the
    quads, the warnings and the number of events.
    """
    out = QuadWriter(iris.EVENTS_GRAPH)
    warnings: list[Warning] = []
    by_id = {v.full_id: v for v in volumes}
    members: dict[str, dict[str, None]] = {}
    explicit: dict[str, EventDecl] = {}
    colocated: dict[str, list[str]] = {}
    decl: EventDecl | None  # declared in the first loop; absent for an implicit event in the second
    for decl in declared:
        explicit[decl.id] = decl
        box = members.setdefault(decl.id, {})
        for v in by_id.values():
            if v.collection_id == decl.collection_id:
                box[v.full_id] = None
        for vid in decl.colocated:
            if vid in by_id:
                box[vid] = None
                colocated.setdefault(decl.id, []).append(vid)
            else:
                warnings.append(
                    Warning(
                        "dangling-colocated",
                        decl.id,
                        f"colocated volume '{vid}' does not exist; link skipped",
                        path=decl.path,
                        line=decl.line,
                    )
                )
    for v in by_id.values():
        for venue_id in v.venue_ids:
            members.setdefault(f"{venue_id}-{v.year}", {})[v.full_id] = None
    for event_id in sorted(members):
        s = iris.event_iri(event_id)
        decl = explicit.get(event_id)
        volume_ids = list(members[event_id])
        venue_id, _, year = event_id.rpartition("-")
        out.add_iri(s, V.TYPE, V.Event)
        out.add_text(s, V.anthologyId, event_id)
        out.add(s, V.explicit, bool_lit(decl is not None))
        if year.isdigit():
            out.add(s, V.year, int_lit(int(year)))
        if venue_id in venues:
            out.add_iri(s, V.venue, iris.venue_iri(venue_id))
        venue = venues.get(venue_id)
        title = decl.title if decl is not None and decl.title else None
        if title is None:
            title = f"{venue.name} ({year})" if venue is not None else event_id
        out.add_text(s, V.name, title)
        out.add_text(s, V.LABEL, f"{venue.acronym} {year}" if venue is not None else event_id)
        if decl is not None:
            out.add_text(s, V.location, decl.location)
            out.add_text(s, V.dates, decl.dates)
        for vid in colocated.get(event_id, ()):
            out.add_iri(s, V.colocated, iris.volume_iri(vid))
        for vid in volume_ids:
            volume = iris.volume_iri(vid)
            out.add_iri(volume, V.event, s)
            for paper_id in by_id[vid].paper_ids:
                out.add_iri(iris.paper_iri(paper_id), V.event, s)
    return out, warnings, len(members)


def venues_graph(venues: dict[str, VenueEntry], sigs: dict[str, SigEntry], volume_ids: set[str]) -> QuadWriter:
    """Venues and SIGs; a SIG is linked to the volumes its meetings list (when they exist)."""
    out = QuadWriter(iris.VENUES_GRAPH)
    for venue in venues.values():
        s = iris.venue_iri(venue.id)
        out.add_iri(s, V.TYPE, V.Venue)
        out.add_text(s, V.anthologyId, venue.id)
        out.add_text(s, V.acronym, venue.acronym)
        out.add_text(s, V.name, venue.name)
        out.add_text(s, V.LABEL, venue.acronym)
        out.add(s, V.isAcl, bool_lit(venue.is_acl))
        out.add(s, V.isToplevel, bool_lit(venue.is_toplevel))
        out.add_text(s, V.oldstyleLetter, venue.oldstyle_letter)
        if venue.url:
            out.add_iri(s, V.homepage, iris.external_iri(venue.url))
    for sig in sigs.values():
        s = iris.sig_iri(sig.id)
        out.add_iri(s, V.TYPE, V.SIG)
        out.add_text(s, V.anthologyId, sig.id)
        out.add_text(s, V.acronym, sig.acronym)
        out.add_text(s, V.name, sig.name)
        out.add_text(s, V.LABEL, sig.acronym)
        if sig.url:
            out.add_iri(s, V.homepage, iris.external_iri(sig.url))
        for _, vid in sig.meetings:
            if vid in volume_ids:
                out.add_iri(iris.volume_iri(vid), V.sig, s)
    return out
