"""Planning a Daily Papers link decision (:class:`~bibkg.corrections.model.LinkDecision`): it
edits no Anthology entry, so its :class:`~bibkg.corrections.effect.Effect` is empty; the graph
must hold the preprint, paper, author position and person it names."""

from __future__ import annotations

from .effect import Effect
from .errors import PositionOutOfRange, UnknownPaper, UnknownPerson
from .facts import GraphFacts
from .model import Correction, LinkDecision


def plan_link(correction: Correction, facts: GraphFacts) -> Effect:
    """A Daily Papers link decision edits no Anthology entry (an empty effect); the preprint,
    paper, author position and person it names must exist."""
    change = correction.change
    assert isinstance(change, LinkDecision)
    authors = facts.preprint_authors(change.preprint)
    if authors is None:
        raise UnknownPaper(f"no Daily Papers preprint {change.preprint} in the graph", field="preprint")
    if change.paper is not None:
        if not facts.paper_exists(change.paper):
            raise UnknownPaper(f"no paper {change.paper} in the graph", field="paper")
    else:
        assert change.position is not None and change.person is not None
        if change.position > len(authors):
            raise PositionOutOfRange(
                f"preprint {change.preprint} has {len(authors)} authors, no author {change.position}", field="position"
            )
        if facts.person(change.person) is None:
            raise UnknownPerson(f"no person {change.person} in the graph", field="person")
    return Effect(correction.id, (), (), (), ())
