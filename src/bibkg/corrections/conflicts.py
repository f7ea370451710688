"""Conflicts of a correction with the log: a proposal overlapping a pending one, a link
decision contradicting or repeating another, a revert under a later applied correction.  Pure:
a correction and a :class:`~bibkg.corrections.log.LogView` in, a
:class:`~bibkg.corrections.errors.Conflict` raised or nothing."""

from __future__ import annotations

from .errors import Conflict
from .log import LogView
from .model import Correction, Decision, DisableNameMatching, LinkDecision, Merge, Reassign, Split, Status, Verify


def _claims(c: Correction) -> tuple[set[tuple], set[str], set[str]]:
    """(authorship keys it moves one by one, persons it changes wholesale, persons it reads)."""
    ch = c.change
    if isinstance(ch, Reassign):
        return {(a.paper, a.position) for a in ch.authorships}, set(), {ch.from_person}
    if isinstance(ch, Split):
        return set(), set(), {ch.person}
    if isinstance(ch, Merge):
        return set(), {ch.source, ch.into}, set()
    if isinstance(ch, (Verify, DisableNameMatching)):
        return set(), {ch.person}, set()
    return set(), set(), set()  # a link decision changes no authorship (see check_link_decision)


def check_link_decision(correction: Correction, view: LogView) -> None:
    """A link decision may not contradict or repeat a pending or applied one: one decision per
    link (preprint and paper; preprint author and person), one confirmed paper per preprint
    and preprint per paper, one confirmed person per preprint author."""
    new = correction.change
    assert isinstance(new, LinkDecision)
    confirm = new.decision is Decision.CONFIRM
    for entry in view.entries.values():
        old = entry.correction.change
        if not isinstance(old, LinkDecision) or entry.status not in (Status.PROPOSED, Status.APPROVED, Status.APPLIED):
            continue
        state = "applied" if entry.status is Status.APPLIED else "pending"
        hint = "revert it first" if state == "applied" else "review it first"
        cid = entry.correction.id
        both = confirm and old.decision is Decision.CONFIRM
        if new.paper is not None and old.paper is not None:
            if new.preprint == old.preprint and new.paper == old.paper:
                raise Conflict(
                    f"{state} correction {cid} decides the link of {new.preprint} to {new.paper} already; {hint}",
                    field="paper",
                )
            if both and new.preprint == old.preprint:
                raise Conflict(
                    f"{state} correction {cid} confirms {new.preprint} as {old.paper}; {hint}", field="preprint"
                )
            if both and new.paper == old.paper:
                raise Conflict(
                    f"{state} correction {cid} confirms {old.preprint} as the preprint of {new.paper}; {hint}",
                    field="paper",
                )
        elif (
            new.person is not None
            and old.person is not None
            and (new.preprint, new.position) == (old.preprint, old.position)
        ):
            if new.person == old.person:
                raise Conflict(
                    f"{state} correction {cid} decides whether {new.preprint} author {new.position} is "
                    f"{new.person} already; {hint}",
                    field="person",
                )
            if both:
                raise Conflict(
                    f"{state} correction {cid} confirms {new.preprint} author {new.position} as {old.person}; {hint}",
                    field="person",
                )


def check_pending(correction: Correction, view: LogView) -> None:
    """A proposal may not overlap a pending one (same authorship, or a person that one of them
    changes wholesale), and pending merges may not form a cycle; a link decision, see
    :func:`check_link_decision`."""
    if isinstance(correction.change, LinkDecision):
        check_link_decision(correction, view)
        return
    keys, whole, reads = _claims(correction)
    if isinstance(correction.change, Split):
        keys = set()
    edges: dict[str, str] = {}
    for entry in view.pending():
        other = entry.correction
        okeys, owhole, oreads = _claims(other)
        if keys & okeys:
            paper, pos = sorted(keys & okeys)[0]
            raise Conflict(f"{paper} author {pos} is in pending correction {other.id} already", field="authorships")
        if (
            isinstance(correction.change, Split)
            and isinstance(other.change, Split)
            and other.change.person == correction.change.person
        ):
            shared = set(other.change.papers) & set(correction.change.papers)
            if shared:
                raise Conflict(f"paper {sorted(shared)[0]} is in pending correction {other.id} already", field="papers")
        if ((whole | reads) & owhole or whole & (oreads | owhole)) and not (
            isinstance(correction.change, Merge) and isinstance(other.change, Merge)
        ):
            person = sorted((whole | reads) & owhole or whole & (oreads | owhole))[0]
            raise Conflict(
                f"pending correction {other.id} changes {person} as a whole; review it first", field="person"
            )
        if isinstance(other.change, Merge):
            edges[other.change.source] = other.change.into
    if isinstance(correction.change, Merge):
        ch = correction.change
        if ch.source in edges:
            raise Conflict(
                f"{ch.source} is merged into {edges[ch.source]} by a pending correction already", field="source"
            )
        seen = {ch.source}
        node = ch.into
        while node in edges:
            if edges[node] in seen or edges[node] == ch.source:
                raise Conflict(
                    f"merging {ch.source} into {ch.into} would make a cycle with pending merges", field="into"
                )
            seen.add(node)
            node = edges[node]
        if node == ch.source:  # pragma: no cover
            raise Conflict(f"merging {ch.source} into {ch.into} would make a cycle", field="into")


def check_revert(cid: str, view: LogView) -> None:
    """A correction can be reverted only when no later applied one builds on what it changed."""
    entry = view.get(cid)
    if entry.effect is None:
        return
    keys = {p.key for p in entry.effect.pins}
    persons = {pid for pid, _ in entry.effect.entries}
    for other in view.entries.values():
        if other is entry or other.status is not Status.APPLIED or other.effect is None:
            continue
        if (other.applied_seq or 0) <= (entry.applied_seq or 0):
            continue
        if keys & {p.key for p in other.effect.pins} or persons & {pid for pid, _ in other.effect.entries}:
            raise Conflict(f"applied correction {other.correction.id} builds on {cid}: revert it first", field="id")
