"""What every backend offers the query layer: SPARQL over the graph, read-only.

Results are pyoxigraph's result objects (``QuerySolutions``, ``QueryBoolean``,
``QueryTriples``) whatever the backend: the local store returns them natively and a remote
SPARQL 1.1 endpoint's responses are parsed into the same types, so the HTTP and GraphQL layers
never know which backend answers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol, TypeAlias, runtime_checkable

import pyoxigraph as ox

from ..read.records import PaperCard

Term: TypeAlias = ox.NamedNode | ox.Literal | ox.BlankNode
QueryResult: TypeAlias = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class PaperCardFile(Protocol):
    """The paper cards kept with a snapshot (:class:`bibkg.cards.PaperCards`: how they are
    stored is theirs), looked up by author, paper or year."""

    def of_author(self, person: str) -> list[PaperCard]: ...

    def of_papers(self, papers: Iterable[str]) -> dict[str, PaperCard]: ...

    def of_years(self, years: range) -> list[PaperCard]: ...


@runtime_checkable
class GraphStore(Protocol):
    """A read-only view of the knowledge graph."""

    immutable: bool
    """True if every query has the same answer for as long as the store is open (a local
    snapshot), so answers may be cached across requests; False if the data can change behind
    it (a remote SPARQL endpoint)."""

    @property
    def paper_cards(self) -> PaperCardFile | None:
        """Paper cards published with the snapshot: a faster source for listings, equal to what
        the graph says; ``None`` when there are none."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        federation_allow: Collection[str] = (),
        row_limit: int | None = None,
        max_bytes: int | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL 1.1 query.

        Args:
            sparql: the query text.
            bindings: values for variables of the query, as RDF terms (never pasted into text).
            default_graphs: IRIs whose merge is the default graph; ``None`` means the union of
                all graphs.
            named_graphs: IRIs of the graphs visible to ``GRAPH``; ``None`` means all.
            base_iri: base for relative IRIs in the query.
            federation_allow: endpoint IRIs a ``SERVICE`` clause may call; any other ``SERVICE``
                is refused (:class:`bibkg.sparql.lexer.FederationRefused`).  Empty: federation off.
            row_limit: the caller reads at most this many solutions of a ``SELECT`` (a hint: a
                store that streams its results, as the local one does, needs none; a remote one
                asks its server for no more).
            max_bytes: the caller refuses a larger answer (a remote store stops reading there).
        """
        ...

    def close(self) -> None: ...
