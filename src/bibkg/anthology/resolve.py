"""Person resolution: which person an ``<author>`` or ``<editor>`` element stands for.

The rules are the Anthology's own, for each metadata format:

1. An explicit ``id`` attribute wins.
2. Otherwise, legacy format: a name registered in ``name_variants.yaml`` to exactly one person
   resolves to that person.  Current format: a name whose slug matches the names of exactly one
   verified person (without ``disable_name_matching``) resolves to that person.
3. Otherwise the name's slug is the person: legacy ``{slug}``, current ``unverified/{slug}``;
   equal slugs mean the same person.

A name registered to several persons and used without an id is *ambiguous*: it resolves to the
unverified person ``unverified/{slug}`` and a :class:`Warning` names the item and the candidates.
Resolution is a pure function of the name specification and the metadata, so collections can be
resolved independently and in any order.  (One rule of the legacy index depends on the corpus:
names written as ``<variant>`` of an author element belong to that author's person; a cheap
pre-pass, :func:`register_variants`, adds them to the metadata before mapping starts.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..iris import UNVERIFIED_PREFIX
from .people import PeopleFormat, PeopleMetadata
from .records import Collection, NameSpec


@dataclass(frozen=True, slots=True)
class Warning:
    """Something in the data that was handled but deserves a human look."""

    kind: str
    """``ambiguous-name``, ``undefined-id``, ``dangling-colocated``, ``duplicate-editor``, …"""
    item: str
    """The Anthology id of the paper, volume or event concerned."""
    message: str
    path: str | None = None
    line: int | None = None

    def __reduce__(self) -> tuple[type[Warning], tuple[str, str, str, str | None, int | None]]:
        return Warning, (self.kind, self.item, self.message, self.path, self.line)  # pickled by its fields (as Name)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else ""
        return f"{where}{self.item}: {self.message}"


def resolve(spec: NameSpec, people: PeopleMetadata, at: Position | None = None) -> tuple[str, Warning | None]:
    """Return the person id for ``spec`` and a warning when the data needed a judgement.

    ``at`` is the specification's position in the corpus; a name registered as a ``<variant>``
    (legacy format) counts only after the position where it was registered.
    """
    if spec.id is not None:
        if spec.id not in people.persons:
            return spec.id, Warning(
                "undefined-id",
                "",
                f"id '{spec.id}' used with '{spec.name.full}' is not declared in the people metadata",
                line=spec.line,
            )
        return spec.id, None
    name = spec.name
    if people.format is PeopleFormat.LEGACY:
        candidates = people.by_name.get(name)
        if candidates:
            if len(candidates) == 1:
                return candidates[0], None
            return _ambiguous(spec, candidates)
        owner = people.variant_owners.get(name)
        if owner is not None and (at is None or at > owner[1]):
            return owner[0], None
        return name.slug, None
    slug = name.slug
    candidates = people.by_slug.get(slug)
    if candidates:
        if len(candidates) == 1:
            if not people.persons[candidates[0]].disable_name_matching:
                return candidates[0], None
        else:
            return _ambiguous(spec, candidates)
    return UNVERIFIED_PREFIX + slug, None


Position = tuple[int, int]
"""Where a name specification stands in the corpus: (index of its collection file in id order,
index of the specification within the file, counting volume editors first, then each paper's
authors and editors).  The Anthology's legacy index walks the corpus in this order."""


def name_specs_in_order(collection: Collection) -> Iterable[NameSpec]:
    """The collection's author and editor entries in corpus order (see :data:`Position`)."""
    for volume in collection.volumes:
        yield from volume.editors
        for paper in volume.papers:
            if not paper.is_frontmatter:
                yield from paper.authors
                yield from paper.editors


def register_variants(collections: Iterable[tuple[int, Collection]], people: PeopleMetadata) -> None:
    """Legacy format: register ``<variant>`` names to the person of their author element.

    The Anthology's legacy index does this while it walks the corpus: the first author element
    that lists a name as its variant makes it a name of its person, from that position on,
    unless the name was registered before (in the metadata, or printed as an author's name
    earlier in the corpus).  ``collections`` are ``(file index, collection)`` pairs; only the
    collections that contain ``<variant>`` elements need to be passed.
    """
    if people.format is not PeopleFormat.LEGACY:
        return
    printed_before: set = set()
    for file_index, collection in collections:
        for seq, spec in enumerate(name_specs_in_order(collection)):
            if spec.variants:
                pid, _ = resolve(spec, people)
                for variant in spec.variants:
                    if (
                        variant not in people.by_name
                        and variant not in people.variant_owners
                        and variant not in printed_before
                    ):
                        people.variant_owners[variant] = (pid, (file_index, seq))
            printed_before.add(spec.name)


def _ambiguous(spec: NameSpec, candidates: list[str]) -> tuple[str, Warning]:
    return UNVERIFIED_PREFIX + spec.name.slug, Warning(
        "ambiguous-name",
        "",
        f"name '{spec.name.full}' is registered to {len(candidates)} persons "
        f"({', '.join(sorted(candidates))}) and is used without an id; "
        "kept as an unverified person",
        line=spec.line,
    )
