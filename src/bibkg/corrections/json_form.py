"""The JSON form of corrections: records to plain dicts and back, reading checking each field
(:mod:`bibkg.corrections.checks`) and the request as a whole (X ≠ Y, no authorship listed
twice); checks against the graph come later (:mod:`bibkg.corrections.planner`)."""

from __future__ import annotations

from typing import Any

from ..anthology.names import Name, slug_of
from .checks import (
    check_arxiv_id,
    check_correction_id,
    check_evidence,
    check_orcid,
    check_paper_id,
    check_person_id,
    check_reason,
    check_text,
    short_repr,
)
from .errors import InvalidCorrection
from .model import (
    AuthorshipRef,
    Change,
    Correction,
    Decision,
    DisableNameMatching,
    LinkDecision,
    Merge,
    Reassign,
    Split,
    Target,
    ToNewPerson,
    ToPerson,
    ToUnknown,
    Verify,
)

MAX_AUTHORSHIPS = 2000
"""Authorships one correction may list (a merge lists none: it takes the person's)."""


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
    last = check_text(data, "last", where + ".")
    first = check_text(data, "first", where + ".", required=False)
    assert last is not None
    return Name(first, last)


def name_dict(name: Name) -> dict[str, str | None]:
    return {"first": name.first, "last": name.last}


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
        orcid = check_text(data, "orcid", where + ".", required=False)
        new_id = data.get("id")
        if new_id is not None:
            check_person_id(new_id, where + ".id")
            if new_id.startswith("unverified/"):
                raise InvalidCorrection("a new person gets a verified id", field=where + ".id")
        disambiguator = check_text(data, "disambiguator", where + ".", required=False, limit=60)
        if disambiguator is not None and not slug_of(disambiguator).strip("-"):
            raise InvalidCorrection("has no letters or digits", field=where + ".disambiguator")
        return ToNewPerson(
            name,
            check_orcid(orcid, where + ".orcid") if orcid else None,
            disambiguator,
            new_id,
            check_text(data, "degree", where + ".", required=False),
        )
    if kind == "unknown":
        return ToUnknown()
    raise InvalidCorrection(f"'type' must be person, new or unknown, got {short_repr(kind)}", field=where + ".type")


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
            f"must be confirm or reject, got {short_repr(data.get('decision'))}", field="decision"
        ) from None
    paper, person, position = data.get("paper"), data.get("person"), data.get("position")
    if (paper is None) == (person is None and position is None):
        raise InvalidCorrection("name either a paper, or an author position and a person", field="paper")
    if paper is not None:
        return LinkDecision(preprint, decision, paper=check_paper_id(paper, "paper"))
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= 10_000:
        raise InvalidCorrection(f"must be an author position from 1, got {short_repr(position)}", field="position")
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
                    f"must be an author position from 1, got {short_repr(position)}", field=where + ".position"
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
        orcid = check_text(data, "orcid", "", required=False)
        new_id = data.get("id")
        if new_id is not None:
            check_person_id(new_id, "id")
        return Verify(
            person,
            check_orcid(orcid, "orcid") if orcid else None,
            check_text(data, "disambiguator", "", required=False, limit=60),
            new_id,
            check_text(data, "degree", "", required=False),
        )
    if kind == "disable-name-matching":
        person = check_person_id(data.get("person"), "person")
        if person.startswith("unverified/"):
            raise InvalidCorrection("only a verified person matches names", field="person")
        return DisableNameMatching(person)
    if kind == "link":
        return _link_decision(data)
    raise InvalidCorrection(
        f"'kind' must be reassign, split, merge, verify, disable-name-matching or link, got {short_repr(kind)}",
        field="kind",
    )


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
