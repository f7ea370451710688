"""What an applied correction changes, as the Anthology would change its files.

The Anthology fixes an author page with two kinds of edit (``bin/correct/*.py``): an explicit
``id="…"`` on ``<author>`` elements, and entries of the people metadata (new persons, names added
to a person, ``disable_name_matching``).  An explicit id overrides name matching.  bibkg does the
same, as an *input* of the mapping: an :class:`Effect` is the list of those edits, computed once
when a correction is applied (:func:`bibkg.corrections.planner.plan`) and kept in the log; :class:`Overrides` folds the
effects of every applied correction into the two transformations the ingest applies before
mapping — :meth:`Overrides.people` and :meth:`Overrides.collection` — so a cold or incremental
ingest gives every applied correction again, and :mod:`bibkg.corrections.export` writes the very
same edits as a patch of the data directory.

Side effects are settled the way ``verify_author.py`` does: a name added to a person, a new
person or a disabled name match must not move *other* authorships, so every other entry whose
resolution would change is pinned to its person with an explicit id (and a new person whose name
other entries use gets ``disable_name_matching``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..anthology.names import Name
from ..anthology.people import PeopleMetadata
from ..anthology.records import Collection, NameSpec, PersonEntry

Key = tuple[str, str, int]
"""(item id, ``author`` | ``editor``, 1-based position)."""


@dataclass(frozen=True, slots=True)
class Pin:
    """Set (``person``) or clear (``None``) the explicit id of one author/editor entry."""

    item: str
    role: str
    position: int
    name: Name
    """The printed name the entry had when the correction was applied; an entry that prints
    another name since is left alone (the data changed under the correction)."""
    person: str | None
    collection: str
    before: str
    """The person the entry resolved to before."""

    @property
    def key(self) -> Key:
        return (self.item, self.role, self.position)


@dataclass(frozen=True, slots=True)
class Effect:
    """The edits of one applied correction."""

    correction: str
    pins: tuple[Pin, ...]
    entries: tuple[tuple[str, PersonEntry | None], ...]
    """(person id, entry after) for each person entry added, changed or removed (``None``)."""
    entries_before: tuple[tuple[str, PersonEntry | None], ...]
    moved: tuple[tuple[Key, str, str, str], ...]
    """The reassignments the correction asked for: (entry, person before, person after, IRI of
    the entry's node)."""

    @property
    def files(self) -> frozenset[str]:
        return frozenset(p.collection for p in self.pins)

    @property
    def items(self) -> frozenset[str]:
        """The volumes and papers whose entries it pins: in its files, the only items it changes."""
        return frozenset(p.item for p in self.pins)

    def to_dict(self) -> dict[str, Any]:
        return {
            "correction": self.correction,
            "pins": [
                {
                    "item": p.item,
                    "role": p.role,
                    "position": p.position,
                    "name": _name_dict(p.name),
                    "person": p.person,
                    "collection": p.collection,
                    "before": p.before,
                }
                for p in self.pins
            ],
            "entries": [[pid, entry_to_dict(e)] for pid, e in self.entries],
            "entries_before": [[pid, entry_to_dict(e)] for pid, e in self.entries_before],
            "moved": [[list(k), a, b, n] for k, a, b, n in self.moved],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Effect:
        return cls(
            data["correction"],
            tuple(
                Pin(
                    p["item"],
                    p["role"],
                    int(p["position"]),
                    Name(p["name"]["first"], p["name"]["last"]),
                    p["person"],
                    p["collection"],
                    p["before"],
                )
                for p in data["pins"]
            ),
            tuple((pid, entry_from_dict(e)) for pid, e in data["entries"]),
            tuple((pid, entry_from_dict(e)) for pid, e in data["entries_before"]),
            tuple((tuple(k), a, b, n) for k, a, b, n in data["moved"]),
        )


def _name_dict(name: Name) -> dict[str, str | None]:
    return {"first": name.first, "last": name.last}


def entry_to_dict(entry: PersonEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "id": entry.id,
        "names": [_name_dict(n) for n in entry.names],
        "orcid": entry.orcid,
        "comment": entry.comment,
        "degree": entry.degree,
        "similar": list(entry.similar),
        "disable_name_matching": entry.disable_name_matching,
    }


def entry_from_dict(data: dict[str, Any] | None) -> PersonEntry | None:
    if data is None:
        return None
    return PersonEntry(
        id=data["id"],
        names=tuple(Name(n["first"], n["last"]) for n in data["names"]),
        orcid=data.get("orcid"),
        comment=data.get("comment"),
        degree=data.get("degree"),
        similar=tuple(data.get("similar", ())),
        disable_name_matching=bool(data.get("disable_name_matching")),
    )


# --- the fold of applied effects: what the ingest applies ------------------------------------------


@dataclass(frozen=True)
class Overrides:
    """Every applied (not reverted) correction's edits, later ones over earlier ones.

    Picklable and pure: the ingest hands it to its mapping workers.
    """

    pins: dict[Key, Pin] = field(default_factory=dict)
    entries: dict[str, PersonEntry | None] = field(default_factory=dict)
    set_by: dict[Key, str] = field(default_factory=dict)
    """Which correction set each pinned entry (for the corrections graph)."""

    @classmethod
    def fold(cls, effects: Iterable[Effect]) -> Overrides:
        pins: dict[Key, Pin] = {}
        entries: dict[str, PersonEntry | None] = {}
        set_by: dict[Key, str] = {}
        for effect in effects:
            for pin in effect.pins:
                pins[pin.key] = pin
                set_by[pin.key] = effect.correction
            entries.update(effect.entries)
        return cls(pins, entries, set_by)

    def __bool__(self) -> bool:
        return bool(self.pins or self.entries)

    def files(self) -> set[str]:
        return {p.collection for p in self.pins.values()}

    def fingerprint(self) -> str:
        """A hash of every pin and entry: what the mapping depends on besides the data."""
        digest = hashlib.sha256()
        for key in sorted(self.pins):
            pin = self.pins[key]
            digest.update(repr((key, pin.name.first, pin.name.last, pin.person)).encode())
        for pid in sorted(self.entries):
            digest.update(repr((pid, self.entries[pid])).encode())
        return digest.hexdigest()[:32]

    def people(self, people: PeopleMetadata) -> PeopleMetadata:
        """``people`` with the person entries the corrections add, change or remove."""
        if not self.entries:
            return people
        persons = dict(people.persons)
        for pid, entry in self.entries.items():
            if entry is None:
                persons.pop(pid, None)
            else:
                persons[pid] = entry
        return PeopleMetadata(people.format, people.source, persons, variant_owners=dict(people.variant_owners))

    def collection(self, collection: Collection) -> Collection:
        """``collection`` with the explicit ids the corrections set or clear on its entries.

        An entry whose printed name is no longer the one the correction saw keeps its own id.
        """
        if not self.pins:
            return collection
        volumes = []
        changed = False
        for volume in collection.volumes:
            editors = self._specs(volume.full_id, "editor", volume.editors)
            papers = []
            for paper in volume.papers:
                authors = self._specs(paper.full_id, "author", paper.authors)
                peditors = self._specs(paper.full_id, "editor", paper.editors)
                if authors is not paper.authors or peditors is not paper.editors:
                    paper = dataclasses.replace(paper, authors=authors, editors=peditors)
                    changed = True
                papers.append(paper)
            if editors is not volume.editors or changed:
                volume = dataclasses.replace(volume, editors=editors, papers=tuple(papers))
                changed = True
            volumes.append(volume)
        return dataclasses.replace(collection, volumes=tuple(volumes)) if changed else collection

    def _specs(self, item: str, role: str, specs: tuple[NameSpec, ...]) -> tuple[NameSpec, ...]:
        out = None
        for index, spec in enumerate(specs):
            pin = self.pins.get((item, role, index + 1))
            if pin is not None and pin.name == spec.name and spec.id != pin.person:
                if out is None:
                    out = list(specs)
                out[index] = dataclasses.replace(spec, id=pin.person)
        return tuple(out) if out is not None else specs

    def stale(self, collection: Collection) -> list[Pin]:
        """Pins of ``collection`` whose entry no longer exists or prints another name."""
        specs: dict[Key, NameSpec] = {}
        for volume in collection.volumes:
            for i, s in enumerate(volume.editors, 1):
                specs[(volume.full_id, "editor", i)] = s
            for paper in volume.papers:
                for i, s in enumerate(paper.authors, 1):
                    specs[(paper.full_id, "author", i)] = s
                for i, s in enumerate(paper.editors, 1):
                    specs[(paper.full_id, "editor", i)] = s
        return [
            p
            for p in self.pins.values()
            if p.collection == collection.id and (p.key not in specs or specs[p.key].name != p.name)
        ]
