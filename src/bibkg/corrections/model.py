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
status is not a field: it follows from the log (:mod:`bibkg.corrections.log`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, cast

from ..anthology.names import Name, slug_of
from .errors import InvalidCorrection

MAX_AUTHORSHIPS = 2000
"""Authorships one correction may list (a merge lists none: it takes the person's)."""
MAX_REASON = 4000
MAX_EVIDENCE = 20
MAX_URL = 2000
MAX_NAME = 200

_PAPER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_PERSON_ID = re.compile(r"^(unverified/)?[a-z0-9][a-z0-9-]{0,127}$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_CORRECTION_ID = re.compile(r"^c-[0-9a-f]{16}$")
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z-]*(\.[A-Z]{2})?/\d{7})$")


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


# --- checks of the request itself (no graph needed) ----------------------------------------------


def check_orcid(value: str, where: str) -> str:
    """An ORCID iD (bare or as ``https://orcid.org/…``) with a valid ISO 7064 11,2 check digit."""
    text = value.strip().removeprefix("https://orcid.org/").removeprefix("http://orcid.org/")
    if not _ORCID.match(text):
        raise InvalidCorrection(f"not an ORCID iD (0000-0000-0000-000X): {value!r}", field=where)
    digits = text.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        raise InvalidCorrection(f"ORCID iD {text} has a wrong check digit", field=where)
    return text


def check_person_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _PERSON_ID.match(value):
        raise InvalidCorrection(f"not a person id: {_short(value)}", field=where)
    return value


def check_paper_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _PAPER_ID.match(value):
        raise InvalidCorrection(f"not an Anthology paper id: {_short(value)}", field=where)
    return value


def check_correction_id(value: Any, where: str = "id") -> str:
    if not isinstance(value, str) or not _CORRECTION_ID.match(value):
        raise InvalidCorrection(f"not a correction id (c- and 16 hex digits): {_short(value)}", field=where)
    return value


def check_arxiv_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ARXIV_ID.match(value):
        raise InvalidCorrection(f"not a versionless arXiv id (2406.15513): {_short(value)}", field=where)
    return value


def new_person_id(name: Name, disambiguator: str | None) -> str:
    """The id the Anthology mints for a new verified person (``verify_author.py``)."""
    base = name.slug
    return f"{base}-{slug_of(disambiguator)}" if disambiguator else base


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _text(data: dict, key: str, where: str, *, required: bool = True, limit: int = MAX_NAME) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidCorrection("is required", field=f"{where}{key}")
        return None
    if not isinstance(value, str):
        raise InvalidCorrection(f"must be a string, got {type(value).__name__}", field=f"{where}{key}")
    if len(value) > limit:
        raise InvalidCorrection(f"longer than {limit} characters", field=f"{where}{key}")
    return value.strip()


def _name(data: Any, where: str) -> Name:
    first: str | None
    last: str | None
    if isinstance(data, str):
        # "First Last" is ambiguous about the split; "Last, First" is not
        if "," in data:
            last, first = (part.strip() for part in data.split(",", 1))
        else:
            first, _, last = data.strip().rpartition(" ")
        if not last:
            raise InvalidCorrection("a name needs a last name", field=where)
        return Name(first or None, last)
    if not isinstance(data, dict):
        raise InvalidCorrection("a name is {first, last} or 'Last, First'", field=where)
    last = _text(data, "last", where + ".")
    first = _text(data, "first", where + ".", required=False)
    assert last is not None
    return Name(first, last)


def name_dict(name: Name) -> dict[str, str | None]:
    return {"first": name.first, "last": name.last}


# --- JSON form -------------------------------------------------------------------------------------


def target_to_dict(to: Target) -> dict[str, Any]:
    if isinstance(to, ToPerson):
        return {"type": "person", "id": to.id}
    if isinstance(to, ToNewPerson):
        out: dict[str, Any] = {"type": "new", "name": name_dict(to.name)}
        for key in ("orcid", "disambiguator", "id", "degree"):
            if getattr(to, key):
                out[key] = getattr(to, key)
        return out
    return {"type": "unknown"}


def target_from_dict(data: Any, where: str = "to") -> Target:
    if not isinstance(data, dict):
        raise InvalidCorrection("must be an object with 'type': person | new | unknown", field=where)
    kind = data.get("type")
    if kind == "person":
        return ToPerson(check_person_id(data.get("id"), where + ".id"))
    if kind == "new":
        name = _name(data.get("name"), where + ".name")
        orcid = _text(data, "orcid", where + ".", required=False)
        new_id = data.get("id")
        if new_id is not None:
            check_person_id(new_id, where + ".id")
            if new_id.startswith("unverified/"):
                raise InvalidCorrection("a new person gets a verified id", field=where + ".id")
        disambiguator = _text(data, "disambiguator", where + ".", required=False, limit=60)
        if disambiguator is not None and not slug_of(disambiguator).strip("-"):
            raise InvalidCorrection("has no letters or digits", field=where + ".disambiguator")
        return ToNewPerson(
            name,
            check_orcid(orcid, where + ".orcid") if orcid else None,
            disambiguator,
            new_id,
            _text(data, "degree", where + ".", required=False),
        )
    if kind == "unknown":
        return ToUnknown()
    raise InvalidCorrection(f"'type' must be person, new or unknown, got {_short(kind)}", field=where + ".type")


def change_to_dict(change: Change) -> dict[str, Any]:
    if isinstance(change, Reassign):
        return {
            "kind": change.kind,
            "from": change.from_person,
            "authorships": [
                {"paper": a.paper, "position": a.position, "name": name_dict(a.name)} for a in change.authorships
            ],
            "to": target_to_dict(change.to),
        }
    if isinstance(change, Split):
        return {
            "kind": change.kind,
            "person": change.person,
            "papers": list(change.papers),
            "to": target_to_dict(change.to),
        }
    if isinstance(change, Merge):
        return {"kind": change.kind, "source": change.source, "into": change.into}
    if isinstance(change, Verify):
        out: dict[str, Any] = {"kind": change.kind, "person": change.person}
        for key in ("orcid", "disambiguator", "id", "degree"):
            if getattr(change, key):
                out[key] = getattr(change, key)
        return out
    if isinstance(change, LinkDecision):
        out = {"kind": change.kind, "preprint": change.preprint, "decision": change.decision.value}
        if change.paper:
            out["paper"] = change.paper
        else:
            out |= {"position": change.position, "person": change.person}
        return out
    return {"kind": change.kind, "person": change.person}


def _link_decision(data: dict) -> LinkDecision:
    preprint = check_arxiv_id(data.get("preprint"), "preprint")
    try:
        decision = Decision(data.get("decision"))
    except ValueError:
        raise InvalidCorrection(
            f"must be confirm or reject, got {_short(data.get('decision'))}", field="decision"
        ) from None
    paper, person, position = data.get("paper"), data.get("person"), data.get("position")
    if (paper is None) == (person is None and position is None):
        raise InvalidCorrection("name either a paper, or an author position and a person", field="paper")
    if paper is not None:
        return LinkDecision(preprint, decision, paper=check_paper_id(paper, "paper"))
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= 10_000:
        raise InvalidCorrection(f"must be an author position from 1, got {_short(position)}", field="position")
    return LinkDecision(preprint, decision, position=position, person=check_person_id(person, "person"))


def change_from_dict(data: Any) -> Change:
    """The change a request describes, checked in itself (ids well formed, positions positive,
    an ORCID's check digit, X ≠ Y); checks against the graph come later
    (:func:`bibkg.corrections.planner.plan`)."""
    if not isinstance(data, dict):
        raise InvalidCorrection("a correction is a JSON object", field="change")
    kind = data.get("kind")
    if kind == "reassign":
        source = check_person_id(data.get("from"), "from")
        items = data.get("authorships")
        if not isinstance(items, list) or not items:
            raise InvalidCorrection("lists at least one authorship", field="authorships")
        if len(items) > MAX_AUTHORSHIPS:
            raise InvalidCorrection(f"at most {MAX_AUTHORSHIPS} authorships per correction", field="authorships")
        refs: list[AuthorshipRef] = []
        seen: set[tuple[str, int]] = set()
        for index, item in enumerate(items):
            where = f"authorships[{index}]"
            if not isinstance(item, dict):
                raise InvalidCorrection("must be {paper, position, name}", field=where)
            paper = check_paper_id(item.get("paper"), where + ".paper")
            position = item.get("position")
            if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= 10_000:
                raise InvalidCorrection(
                    f"must be an author position from 1, got {_short(position)}", field=where + ".position"
                )
            if (paper, position) in seen:
                raise InvalidCorrection(f"{paper} author {position} is listed twice", field=where)
            seen.add((paper, position))
            refs.append(AuthorshipRef(paper, position, _name(item.get("name"), where + ".name")))
        to = target_from_dict(data.get("to"))
        if isinstance(to, ToPerson) and to.id == source:
            raise InvalidCorrection(
                f"the authorships already belong to {source}: the target must be another person", field="to.id"
            )
        return Reassign(source, tuple(refs), to)
    if kind == "split":
        person = check_person_id(data.get("person"), "person")
        papers = data.get("papers")
        if not isinstance(papers, list) or not papers:
            raise InvalidCorrection("lists at least one paper id", field="papers")
        if len(papers) > MAX_AUTHORSHIPS:
            raise InvalidCorrection(f"at most {MAX_AUTHORSHIPS} papers per correction", field="papers")
        ids = tuple(check_paper_id(p, f"papers[{i}]") for i, p in enumerate(papers))
        if len(set(ids)) != len(ids):
            raise InvalidCorrection("a paper is listed twice", field="papers")
        to = target_from_dict(data.get("to"))
        if isinstance(to, ToPerson) and to.id == person:
            raise InvalidCorrection(
                f"the papers already belong to {person}: the target must be another person", field="to.id"
            )
        return Split(person, ids, to)
    if kind == "merge":
        source = check_person_id(data.get("source"), "source")
        into = check_person_id(data.get("into"), "into")
        if source == into:
            raise InvalidCorrection("a person cannot be merged into itself", field="into")
        if into.startswith("unverified/"):
            raise InvalidCorrection("merge into a verified person (verify the page first)", field="into")
        return Merge(source, into)
    if kind == "verify":
        person = check_person_id(data.get("person"), "person")
        orcid = _text(data, "orcid", "", required=False)
        new_id = data.get("id")
        if new_id is not None:
            check_person_id(new_id, "id")
        return Verify(
            person,
            check_orcid(orcid, "orcid") if orcid else None,
            _text(data, "disambiguator", "", required=False, limit=60),
            new_id,
            _text(data, "degree", "", required=False),
        )
    if kind == "disable-name-matching":
        person = check_person_id(data.get("person"), "person")
        if person.startswith("unverified/"):
            raise InvalidCorrection("only a verified person matches names", field="person")
        return DisableNameMatching(person)
    if kind == "link":
        return _link_decision(data)
    raise InvalidCorrection(
        f"'kind' must be reassign, split, merge, verify, disable-name-matching or link, got {_short(kind)}",
        field="kind",
    )


def check_reason(reason: Any) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidCorrection("say why (free text)", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidCorrection(f"longer than {MAX_REASON} characters", field="reason")
    return reason.strip()


def check_evidence(evidence: Any) -> tuple[str, ...]:
    if evidence is None:
        return ()
    if isinstance(evidence, str):
        evidence = [e for e in evidence.split() if e]
    if not isinstance(evidence, list):
        raise InvalidCorrection("a list of links", field="evidence")
    if len(evidence) > MAX_EVIDENCE:
        raise InvalidCorrection(f"at most {MAX_EVIDENCE} links", field="evidence")
    out = []
    for index, url in enumerate(evidence):
        if not isinstance(url, str) or not re.match(r"^https?://[^\s<>\"]+$", url) or len(url) > MAX_URL:
            raise InvalidCorrection(f"not an http(s) link: {_short(url)}", field=f"evidence[{index}]")
        out.append(url)
    return tuple(out)


def correction_to_dict(c: Correction) -> dict[str, Any]:
    return {
        "id": c.id,
        "change": change_to_dict(c.change),
        "proposer": c.proposer,
        "created": c.created,
        "reason": c.reason,
        "evidence": list(c.evidence),
    }


def correction_from_dict(data: dict[str, Any]) -> Correction:
    return Correction(
        check_correction_id(data.get("id")),
        change_from_dict(data.get("change")),
        str(data.get("proposer", "")),
        str(data.get("created", "")),
        check_reason(data.get("reason")),
        check_evidence(data.get("evidence")),
    )
