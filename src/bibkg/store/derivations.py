"""Derivations: graphs that are functions of the rest of the graph, recomputed after every delta
(:mod:`bibkg.store.delta`) from what it changed, and what they see of the graph then
(:class:`DeltaContext`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..mapping.blocks import SplicedText
from ..mapping.terms import GraphText
from .snapshot_dumps import DumpManifest, StoredText, read_block


@dataclass
class DeltaContext:
    """What a derivation sees: the graphs as they will be after the delta."""

    manifest: DumpManifest
    """The previous snapshot's dumps."""
    files: Path
    """The previous snapshot's files (its dumps)."""
    texts: dict[str, GraphText | None]
    """Changed graphs so far: IRI → new text (``None``: dropped)."""
    store: ox.Store
    """The new snapshot's store, before the changes are applied (read it for unchanged graphs)."""

    def text(self, iri: str) -> bytes:
        """The N-Quads of graph ``iri`` after the delta (empty if it has none)."""
        if iri in self.texts:
            graph = self.texts[iri]
            return graph.nquads if graph is not None else b""
        block = self.manifest.get(iri)
        return read_block(self.files, block) if block is not None else b""

    def graph(self, iri: str) -> GraphText | None:
        """Graph ``iri`` after the delta, N-Quads and Turtle (``None`` if it has no quads); one
        the delta leaves as it is comes as the previous dumps' text in one piece (a
        :class:`~bibkg.mapping.blocks.SplicedText`: a derivation that rewrites its end, as
        :func:`bibkg.mapping.stats.recount` does, changes only that end in the store and the dumps)."""
        if iri in self.texts:
            return self.texts[iri]
        block = self.manifest.get(iri)
        if block is None:
            return None
        return SplicedText.whole(StoredText(self.files, block))

    def quads(self, iri: str) -> int:
        if iri in self.texts:
            graph = self.texts[iri]
            return graph.quads if graph is not None else 0
        block = self.manifest.get(iri)
        return block.quads if block is not None else 0

    @property
    def total(self) -> int:
        """Quads of the whole graph after the delta."""
        names = {b.iri for b in self.manifest.graphs} | set(self.texts)
        return sum(self.quads(iri) for iri in names)


Derivation = Callable[[DeltaContext], Mapping[str, GraphText | None]]
"""A function of the graph after a delta: the graphs it derives, new text (or ``None``: drop)."""
_DERIVATIONS: dict[str, Derivation] = {}


def register_derivation(name: str, derivation: Derivation) -> None:
    """Run ``derivation`` after every delta, in registration order (the defaults first).

    A derivation returns only the graphs whose text it changes; it must give the same text as
    the cold path that builds the same graph, so that the update equals a rebuild.
    """
    _DERIVATIONS[name] = derivation


def derivations() -> dict[str, Derivation]:
    from ..mapping.stats import recount

    return {"void-triples": recount, **_DERIVATIONS}
