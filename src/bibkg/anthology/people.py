"""People metadata in both formats the Anthology has used.

* legacy: ``yaml/name_variants.yaml`` — a list of entries with ``canonical``, ``variants``, ``id``,
  ``comment`` and ``similar``.  One entry of the 2024 data writes ``variant:`` (a single mapping)
  instead of ``variants:`` (a list); it is read as a one-element list, not dropped.
* current: ``yaml/people.yaml`` or ``json/people.json`` — a mapping of person id to ``names``,
  ``orcid``, ``comment``, ``degree``, ``similar`` and ``disable_name_matching``.
"""

from __future__ import annotations

import hashlib
import pickle
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..safeparse import load_data
from .names import Name, slug_of
from .records import PersonEntry


class PeopleFormat(str, Enum):
    LEGACY = "legacy"
    """``yaml/name_variants.yaml``: a name registered to one person resolves to it, else the slug."""
    CURRENT = "current"
    """``people.yaml``: a name whose slug matches one verified person resolves to it, else unverified."""


@dataclass(slots=True)
class PeopleMetadata:
    """Declared persons plus the indexes person resolution needs."""

    format: PeopleFormat
    source: Path | None
    persons: dict[str, PersonEntry]
    by_name: dict[Name, list[str]] = field(default_factory=dict)
    by_slug: dict[str, list[str]] = field(default_factory=dict)
    variant_owners: dict[Name, tuple[str, tuple[int, int]]] = field(default_factory=dict)
    """Legacy format only: a name written as a ``<variant>`` (another script) of an author
    element belongs to that author's person, so a paper printing it as the name itself resolves
    to that person from the position (file index, entry index) where it was registered.  Filled
    by :func:`bibkg.anthology.resolve.register_variants`."""

    def __post_init__(self) -> None:
        for entry in self.persons.values():
            for name in entry.names:
                ids = self.by_name.setdefault(name, [])
                if entry.id not in ids:
                    ids.append(entry.id)
                slug_ids = self.by_slug.setdefault(name.slug, [])
                if entry.id not in slug_ids:
                    slug_ids.append(entry.id)


def load_people(datadir: Path) -> PeopleMetadata:
    """Read whichever people metadata ``datadir`` has (current format preferred).

    A data directory with none of the files yields an empty legacy index: every author then
    resolves by slug.
    """
    for candidate in (datadir / "yaml" / "people.yaml", datadir / "json" / "people.json"):
        if candidate.is_file():
            return _parsed_once(candidate, read_current)
    legacy = datadir / "yaml" / "name_variants.yaml"
    if legacy.is_file():
        return _parsed_once(legacy, read_legacy)
    return PeopleMetadata(PeopleFormat.LEGACY, None, {})


_PARSED: dict[str, tuple[bytes, bytes]] = {}
"""Path → (digest of the file, its metadata pickled): :func:`_parsed_once`."""


def _parsed_once(path: Path, read: Callable[[Path], PeopleMetadata]) -> PeopleMetadata:
    """``read(path)``, parsed once per content of the file in this process (a running server
    publishes a snapshot per correction; the YAML parser takes most of a second on the full
    corpus, a copy from the pickle a tenth of that).  Keyed by the file's bytes, not its
    modification time; every call gets its own copy (the caller registers variants into it)."""
    digest = hashlib.sha256(path.read_bytes()).digest()
    known = _PARSED.get(str(path))
    if known is not None and known[0] == digest:
        return pickle.loads(known[1])
    people = read(path)
    if hashlib.sha256(path.read_bytes()).digest() == digest:  # not changed while it was parsed
        _PARSED.clear()
        _PARSED[str(path)] = (digest, pickle.dumps(people, protocol=pickle.HIGHEST_PROTOCOL))
    return people


def _name(value: Any, path: Path, where: str) -> Name:
    if not isinstance(value, dict) or not value.get("last"):
        raise SourceError(path, None, f"{where}: a name needs at least 'last', got {reprlib.repr(value)}")
    first = value.get("first")
    return Name(str(first) if first is not None else None, str(value["last"]), value.get("script"))


def read_legacy(path: Path) -> PeopleMetadata:
    """Read ``name_variants.yaml``.

    An entry without ``id`` gets the slug of its canonical name; two such entries with the same
    slug are an error in the data (as in the Anthology).
    """
    data = load_data(path)  # safely: size limit, UTF-8, no YAML aliases
    if not isinstance(data, list):
        raise SourceError(path, 1, "expected a list of entries")
    persons: dict[str, PersonEntry] = {}
    for index, entry in enumerate(data):
        where = f"entry {index + 1}"
        if not isinstance(entry, dict) or "canonical" not in entry:
            raise SourceError(path, None, f"{where}: every entry needs a 'canonical' name")
        canonical = _name(entry["canonical"], path, where)
        variants = entry.get("variants", [])
        if "variant" in entry:  # quirk of the 2024 data: a single mapping under 'variant'
            single = entry["variant"]
            variants = list(variants) + (single if isinstance(single, list) else [single])
        pid = entry.get("id") or canonical.slug
        if pid in persons:
            raise SourceError(path, None, f"{where}: person id '{pid}' ({canonical.full}) is defined twice")
        names = [canonical]
        for variant in variants:
            name = _name(variant, path, where)
            if name not in names:
                names.append(name)
        persons[pid] = PersonEntry(
            id=str(pid),
            names=tuple(names),
            comment=entry.get("comment"),
            similar=tuple(str(s) for s in entry.get("similar", []) or ()),
        )
    return PeopleMetadata(PeopleFormat.LEGACY, path, persons)


def read_current(path: Path) -> PeopleMetadata:
    """Read ``people.yaml`` / ``people.json`` (person id → attributes)."""
    data = load_data(path)  # safely: size limit, UTF-8, no YAML aliases
    if not isinstance(data, dict):
        raise SourceError(path, 1, "expected a mapping of person id to attributes")
    persons: dict[str, PersonEntry] = {}
    for pid, entry in data.items():
        where = f"person '{pid}'"
        if not isinstance(entry, dict) or not entry.get("names"):
            raise SourceError(path, None, f"{where}: needs a non-empty 'names' list")
        names: list[Name] = []
        for value in entry["names"]:
            name = _name(value, path, where)
            if name not in names:
                names.append(name)
        orcid = entry.get("orcid")
        persons[str(pid)] = PersonEntry(
            id=str(pid),
            names=tuple(names),
            orcid=str(orcid) if orcid else None,
            comment=entry.get("comment"),
            degree=entry.get("degree"),
            similar=tuple(str(s) for s in entry.get("similar", []) or ()),
            disable_name_matching=bool(entry.get("disable_name_matching", False)),
        )
    return PeopleMetadata(PeopleFormat.CURRENT, path, persons)


__all__ = ["PeopleFormat", "PeopleMetadata", "load_people", "read_current", "read_legacy", "slug_of"]
