"""What a correction is checked against: the current graph, read by pattern lookups.

Only the store's own indexes are used (no query text): a paper's authorship nodes, a person's
contribution nodes (``?node bibkg:person <person>``), the printed name of each, and the named
graph (= collection file) each lies in.  A prolific person's 300 papers are a few thousand
lookups: milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox

from .. import iris
from .. import vocab as V
from ..anthology.names import Name

_PAPER_PREFIX = iris.ANTHOLOGY
_VOLUME_PREFIX = iris.ANTHOLOGY + "volumes/"


@dataclass(frozen=True, slots=True)
class Contribution:
    """One author or editor entry as the graph has it now."""

    item: str
    role: str
    position: int
    person: str
    name: Name
    collection: str
    node: str
    """IRI of the authorship/editorship node."""

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.item, self.role, self.position)


@dataclass(frozen=True, slots=True)
class PersonFacts:
    id: str
    label: str
    verified: bool


def item_id_from_iri(iri: str) -> str | None:
    if iri.startswith(_VOLUME_PREFIX):
        return iri[len(_VOLUME_PREFIX) : -1]
    if iri.startswith(_PAPER_PREFIX) and iri.endswith("/") and "/" not in iri[len(_PAPER_PREFIX) : -1]:
        return iri[len(_PAPER_PREFIX) : -1]
    return None


class GraphFacts:
    """Lookups in one snapshot (an open, read-only :class:`pyoxigraph.Store`).

    bibkg's graph has no blank nodes and no quoted triples (``store.delta`` refuses both): every
    subject is a :class:`~pyoxigraph.NamedNode`, every object a ``NamedNode`` or a ``Literal``, and
    the object of a node-valued property (authorship, person, printed name) a ``NamedNode``; the
    ``cast`` calls below state that for the type checker.
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._people = ox.NamedNode(iris.PEOPLE_GRAPH)

    def _one(self, s: ox.NamedNode, p: str, graph: ox.NamedNode | None = None) -> ox.NamedNode | ox.Literal | None:
        for quad in self.store.quads_for_pattern(s, ox.NamedNode(p), None, graph):
            return cast("ox.NamedNode | ox.Literal", quad.object)
        return None

    def _name(self, node: ox.NamedNode) -> Name:
        first = self._one(node, V.givenName, self._people)
        last = self._one(node, V.familyName, self._people)
        return Name(first.value if first is not None else None, last.value if last is not None else "")

    def _contribution(
        self, node: ox.NamedNode, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
    ) -> Contribution | None:
        item_iri, _, fragment = node.value.partition("#")
        role, _, pos = fragment.partition("-")
        item = item_id_from_iri(item_iri)
        person = self._one(node, V.person)
        printed = self._one(node, V.printedName)
        if (
            item is None
            or person is None
            or printed is None
            or not pos.isdigit()
            or not isinstance(graph, ox.NamedNode)
        ):
            return None
        pid = iris.person_id_from_iri(person.value)
        if pid is None:
            return None
        collection = graph.value.removeprefix(iris.COLLECTION_GRAPH_PREFIX)
        return Contribution(item, role, int(pos), pid, self._name(cast(ox.NamedNode, printed)), collection, node.value)

    def paper_exists(self, paper_id: str) -> bool:
        subject = ox.NamedNode(iris.paper_iri(paper_id))
        return any(
            True for _ in self.store.quads_for_pattern(subject, ox.NamedNode(V.TYPE), ox.NamedNode(V.Paper), None)
        )

    def authors(self, paper_id: str) -> list[Contribution] | None:
        """The paper's authors in order, or ``None`` when the graph has no such paper."""
        if not self.paper_exists(paper_id):
            return None
        subject = ox.NamedNode(iris.paper_iri(paper_id))
        out = []
        for quad in self.store.quads_for_pattern(subject, ox.NamedNode(V.authorship), None, None):
            c = self._contribution(cast(ox.NamedNode, quad.object), quad.graph_name)
            if c is not None:
                out.append(c)
        return sorted(out, key=lambda c: c.position)

    def preprint_authors(self, arxiv_id: str) -> list[str] | None:
        """The printed names of a Daily Papers preprint's authors in order, or ``None`` when the
        graph has no such preprint."""
        subject = ox.NamedNode(iris.preprint_iri(arxiv_id))
        if not any(
            True for _ in self.store.quads_for_pattern(subject, ox.NamedNode(V.TYPE), ox.NamedNode(V.Preprint), None)
        ):
            return None
        names: dict[int, str] = {}
        for quad in self.store.quads_for_pattern(subject, ox.NamedNode(V.preprintAuthorship), None, None):
            node = cast(ox.NamedNode, quad.object)
            position = self._one(node, V.position)
            printed = self._one(node, V.nameAsPrinted)
            if position is not None and printed is not None and position.value.isdigit():
                names[int(position.value)] = printed.value
        return [names[p] for p in sorted(names)]

    def person(self, pid: str) -> PersonFacts | None:
        subject = ox.NamedNode(iris.person_iri(pid))
        label = self._one(subject, V.LABEL, self._people)
        if label is None:
            return None
        verified = self._one(subject, V.verified, self._people)
        return PersonFacts(pid, label.value, verified is not None and verified.value == "true")

    def contributions(self, pid: str) -> list[Contribution]:
        """Every author and editor entry of the person, in id order."""
        person = ox.NamedNode(iris.person_iri(pid))
        out = []
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(V.person), person, None):
            c = self._contribution(cast(ox.NamedNode, quad.subject), quad.graph_name)
            if c is not None:
                out.append(c)
        return sorted(out, key=lambda c: (c.item, c.role, c.position))
