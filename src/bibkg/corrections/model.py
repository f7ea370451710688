"""Corrections of paper assignments as data: pure, frozen records with a JSON form.

A correction says which authorships (or which person) it concerns and what they should become,
in the terms of the Anthology's own fixes (``bin/correct/*.py``):

* :class:`Reassign` — these authorships (paper id + author position, with the printed name the
  requester saw, so that a stale request cannot hit another author) are not person X: they are
  an existing person Y (:class:`ToPerson`), a new person (:class:`ToNewPerson`, minted as the
  Anthology mints ids) or unknown (:class:`ToUnknown`: back to the name's unverified page).
  ``verify_author.py ORCID PAPERID:NAMESLUG…`` / ``unlink_items.py``.
* :class:`Split` — the papers listed leave person X for a target: a :class:`Reassign` of X's
  authorships on those papers.
* :class:`Merge` — every authorship of person X becomes person Y, X's names become Y's names
  (``verify_author.py ORCID Y X``, ``merge_verified.py``).
* :class:`Verify` — an unverified page becomes a verified person with an explicit id on each of
  its authorships (``verify_author.py ORCID unverified-ID``).
* :class:`DisableNameMatching` — a verified person keeps its explicit authorships only
  (``disable_name_matching.py``).
* :class:`LinkDecision` — a reviewed decision on a Daily Papers link (:mod:`bibkg.hf.link`):
  this preprint is (``confirm``) or is not (``reject``) the preprint of that Anthology paper;
  this preprint author is or is not that Anthology person.  The linker honours it over its
  scores; the Anthology's data is not touched (the export leaves it out).

Each :class:`Correction` carries who proposed it, when, why (free text) and evidence links; its
status is not a field: it follows from the log (:mod:`bibkg.corrections.log`).  Their JSON form
is :mod:`bibkg.corrections.json_form`, the checks of its fields :mod:`bibkg.corrections.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import cast

from ..anthology.names import Name, slug_of


class Status(str, Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    APPLIED = "applied"
    REJECTED = "rejected"
    REVERTED = "reverted"


class Role(str, Enum):
    CONTRIBUTOR = "contributor"
    MAINTAINER = "maintainer"


@dataclass(frozen=True, slots=True)
class AuthorshipRef:
    """The ``position``-th (1-based) author of paper ``paper``, printed as ``name``."""

    paper: str
    position: int
    name: Name

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.paper, "author", self.position)


@dataclass(frozen=True, slots=True)
class ToPerson:
    id: str


@dataclass(frozen=True, slots=True)
class ToNewPerson:
    """A new verified person.  ``id`` is minted when absent: the name's slug, or
    ``{slug}-{disambiguator}`` when the slug is taken (``verify_author.py --suffix``), or
    ``{slug}-{last four characters of the ORCID}`` (the library's ``ingest_namespec``)."""

    name: Name
    orcid: str | None = None
    disambiguator: str | None = None
    id: str | None = None
    degree: str | None = None


@dataclass(frozen=True, slots=True)
class ToUnknown:
    """Not this person, and the requester does not know who: the name's unverified page."""


Target = ToPerson | ToNewPerson | ToUnknown


@dataclass(frozen=True, slots=True)
class Reassign:
    from_person: str
    authorships: tuple[AuthorshipRef, ...]
    to: Target
    kind = "reassign"


@dataclass(frozen=True, slots=True)
class Split:
    person: str
    papers: tuple[str, ...]
    to: Target
    kind = "split"


@dataclass(frozen=True, slots=True)
class Merge:
    source: str
    into: str
    kind = "merge"


@dataclass(frozen=True, slots=True)
class Verify:
    person: str
    """An unverified person id (``unverified/jane-doe``; in legacy data a slug without entry)."""
    orcid: str | None = None
    disambiguator: str | None = None
    id: str | None = None
    degree: str | None = None
    kind = "verify"


@dataclass(frozen=True, slots=True)
class DisableNameMatching:
    person: str
    kind = "disable-name-matching"


class Decision(str, Enum):
    CONFIRM = "confirm"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Preprint ``preprint`` (a versionless arXiv id) is, or is not, the preprint of Anthology
    paper ``paper``; or its author at ``position`` is, or is not, Anthology person ``person``
    (exactly one of the two)."""

    preprint: str
    decision: Decision
    paper: str | None = None
    position: int | None = None
    person: str | None = None
    kind = "link"

    @property
    def statement(self) -> str:
        """What is confirmed or rejected: ``2506.06636 is published as 2025.findings-acl.721``."""
        if self.paper:
            return f"{self.preprint} is published as {self.paper}"
        return f"{self.preprint} author {self.position} is {self.person}"


Change = Reassign | Split | Merge | Verify | DisableNameMatching | LinkDecision


@dataclass(frozen=True, slots=True)
class Correction:
    id: str
    change: Change
    proposer: str
    """Name of the token that proposed it."""
    created: str
    """ISO 8601 UTC time of the proposal."""
    reason: str
    evidence: tuple[str, ...] = field(default=())

    def persons(self) -> set[str]:
        """Person ids the correction names (for listing by person)."""
        c = self.change
        ids: set[str] = set()
        if isinstance(c, Reassign):
            ids.add(c.from_person)
        elif isinstance(c, Split):
            ids.add(c.person)
        elif isinstance(c, Merge):
            ids |= {c.source, c.into}
        elif isinstance(c, LinkDecision):
            if c.person:
                ids.add(c.person)
        else:
            ids.add(c.person)
        to = getattr(c, "to", None)
        if isinstance(to, ToPerson) or (isinstance(to, ToNewPerson) and to.id):
            ids.add(cast(str, to.id))  # a ToPerson's id is a str; a ToNewPerson's was tested just above
        return ids

    def papers(self) -> set[str]:
        c = self.change
        if isinstance(c, Reassign):
            return {a.paper for a in c.authorships}
        if isinstance(c, Split):
            return set(c.papers)
        if isinstance(c, LinkDecision) and c.paper:
            return {c.paper}
        return set()

    def preprints(self) -> set[str]:
        """arXiv ids the correction names."""
        return {self.change.preprint} if isinstance(self.change, LinkDecision) else set()


def new_person_id(name: Name, disambiguator: str | None) -> str:
    """The id the Anthology mints for a new verified person (``verify_author.py``)."""
    base = name.slug
    return f"{base}-{slug_of(disambiguator)}" if disambiguator else base
