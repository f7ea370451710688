"""The quads a delta changes: each changed graph's new text against its text in the previous
dumps (a line diff; of a graph spliced from the previous text, its replaced blocks against its
new ones), removed from and added to the new snapshot's store, and counted per predicate, class
and graph for the schema statistics."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from ..mapping.blocks import SplicedText
from ..mapping.terms import GraphText
from ..sparql import schema as schema_stats
from .line_diff import line_diff
from .snapshot_dumps import DumpManifest, GraphBlock, dump_path, read_block


def apply_texts(
    store: ox.Store, manifest: DumpManifest, source: Path, texts: dict[str, GraphText | None]
) -> tuple[list[str], QuadCounts]:
    """Make each graph of ``texts`` hold its new text (``None``: no quads) in ``store``, a
    checkpoint of the snapshot whose dumps are in ``source`` (laid out as ``manifest`` says):
    only the quads that differ are removed or added.  The graphs whose text changed, and the
    quads removed and added, counted."""
    changed: list[str] = []
    counts = QuadCounts()
    for iri, text in texts.items():
        block = manifest.get(iri)
        if spliced_from(text, block):
            assert isinstance(text, SplicedText) and block is not None
            removed, added = spliced_diff(source, block, text)
            if not (removed or added) and text.nquads == read_block(source, block):
                continue
            changed.append(iri)
        else:
            old = read_block(source, block) if block is not None else b""
            new = text.nquads if text is not None else b""
            if old == new:
                continue
            changed.append(iri)
            if text is None and block is not None and block.quads > 1000:
                gone = list(store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
                store.remove_graph(ox.NamedNode(iri))
                counts.take(gone, -1)
                continue
            removed, added = line_diff(old, new)
        if removed:
            quads = list(ox.parse(removed, ox.RdfFormat.N_QUADS))
            for quad in quads:
                store.remove(quad)
            counts.take(quads, -1)
        if added:
            quads = list(ox.parse(added, ox.RdfFormat.N_QUADS))
            store.extend(quads)
            counts.take(quads, +1)
    return changed, counts


class QuadCounts:
    """Per-predicate, per-class and per-graph changes of the quads (for ``schema-stats.json``)."""

    def __init__(self) -> None:
        self.predicates: Counter[str] = Counter()
        self.classes: Counter[str] = Counter()
        self.graphs: Counter[str] = Counter()
        self.added = self.removed = 0

    def take(self, quads: list[ox.Quad], sign: int) -> None:
        rdf_type = schema_stats.RDF_TYPE
        for quad in quads:
            self.predicates[str(quad.predicate)] += sign
            self.graphs[str(quad.graph_name)] += sign
            if quad.predicate.value == rdf_type:
                self.classes[str(quad.object)] += sign
        if sign > 0:
            self.added += len(quads)
        else:
            self.removed += len(quads)


def spliced_from(text: GraphText | None, block: GraphBlock | None) -> bool:
    """Whether ``text`` was spliced from the graph's text ``block`` in the previous dumps."""
    return (isinstance(text, SplicedText) and block is not None and block.nquads[1] == text.base_nquads
            and block.turtle[1] == text.base_turtle)  # fmt: skip


def spliced_diff(source: Path, block: GraphBlock, text: SplicedText) -> tuple[bytes, bytes]:
    """(lines removed, lines added) by a spliced text: the lines of the previous text that it did
    not keep (read from the previous dump file) against its new pieces."""
    gone: list[bytes] = []
    at = 0
    with dump_path(source, "nquads").open("rb") as handle:
        for piece in [*text.nquads_plan, (text.base_nquads, text.base_nquads)]:
            if isinstance(piece, tuple):
                if piece[0] > at:
                    handle.seek(block.nquads[0] + at)
                    gone.append(handle.read(piece[0] - at))
                at = piece[1]
    old_lines = set(b"".join(gone).splitlines(keepends=True))
    new_lines = set(b"".join(piece for piece in text.nquads_plan if isinstance(piece, bytes)).splitlines(keepends=True))
    return b"".join(sorted(old_lines - new_lines)), b"".join(sorted(new_lines - old_lines))
