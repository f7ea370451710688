"""Records of persons and of the names printed on papers, made from the rows of the read layer's
queries (``read/queries/gql-persons.rq``, ``gql-person-details.rq``, ``gql-contributions.rq``,
``gql-coauthors*.rq``):
pure functions of one key's rows, so a batch of keys is read with one query and each key's rows
become its record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .records import CoauthorLink, Contribution, PersonFacts, PersonNames
from .runner import Row, bool_of, int_of, str_of


def person_facts(rows: Sequence[Row]) -> PersonFacts | None:
    """The facts of a person's ``gql-persons`` rows, ``None`` if there are none (no such person)."""
    if not rows:
        return None
    row = rows[0]
    return PersonFacts(
        iri=row["person"].value,
        label=str_of(row, "label") or "",
        verified=bool(bool_of(row, "verified")),
        orcid=str_of(row, "orcid"),
        comment=str_of(row, "comment"),
    )


def person_names(rows: Sequence[Row]) -> PersonNames:
    """The names of a person's ``gql-person-details`` rows."""
    names = {(not bool_of(r, "canonical"), r["fullName"].value) for r in rows if "fullName" in r}
    variants = {r["variant"].value: getattr(r["variant"], "language", None) for r in rows if "variant" in r}
    return PersonNames(
        names=tuple(n for _c, n in sorted(names)),
        script_variants=tuple(sorted(variants.items())),
        similar=tuple(sorted({r["similar"].value for r in rows if "similar" in r})),
    )


def contributions(rows: Sequence[Row]) -> tuple[Contribution, ...]:
    """The authors and editors of an item's ``gql-contributions`` rows, by role and position (a
    name with several script variants has one row per variant)."""
    found: dict[tuple[str, int], Contribution] = {}
    variants: dict[tuple[str, int], list[str]] = {}
    for r in rows:
        role = str_of(r, "role") or ""
        position = int_of(r, "position") or 0
        key = (role, position)
        if key not in found:
            given, family = str_of(r, "givenName"), str_of(r, "familyName")
            found[key] = Contribution(
                role=role,
                position=position,
                printed_name=str_of(r, "fullName") or " ".join(p for p in (given, family) if p),
                given_name=given,
                family_name=family,
                affiliation=str_of(r, "affiliation"),
                script_variants=(),
                person=r["person"].value,
            )
            variants[key] = []
        variant = str_of(r, "variant")
        if variant and variant not in variants[key]:
            variants[key].append(variant)
    return tuple(replace(found[key], script_variants=tuple(variants[key])) for key in sorted(found))


def coauthor_links(rows: Sequence[Row]) -> tuple[CoauthorLink, ...]:
    """The papers a person shares with each coauthor, from the person's ``gql-coauthors*`` rows."""
    return tuple(dict.fromkeys(CoauthorLink(r["coauthor"].value, r["name"].value, r["paper"].value) for r in rows))
