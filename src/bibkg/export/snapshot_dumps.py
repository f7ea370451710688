"""The dumps an ingest publishes with its snapshot, written while the graph is built.

The ingest has every named graph as text before the store holds it (see
:class:`bibkg.mapping.terms.GraphText`), so it writes the snapshot's N-Quads, Turtle and TriG
dumps on the way — one pass, no decoding of terms from the store afterwards — into the
directory published with the snapshot (:meth:`bibkg.store.local.LocalStore.build_snapshot`).
``bibkg export`` and ``GET /dumps`` then serve these files as they are, and the N-Quads file
is what the store itself is bulk-loaded from.

The files say exactly what the snapshot holds: each graph's quads once, graphs one after the
other in the order the ingest wrote them (collection files by name, then the events, people,
venues and statistics graphs), triples in the order the mapping produced them.  The mapping is
deterministic, so the same data ingested twice gives byte-identical dumps.  A snapshot made by
``bibkg load`` has no such files: its dumps are written from the store on first use
(:mod:`bibkg.export.dump`), in the store's own order.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from ..mapping.terms import GraphText
from .dump import cache_file_name, turtle_prefix_block
from .formats import FORMATS

_BUFFER = 1 << 20


class SnapshotDumps:
    """Writes ``bibkg.nq``, ``bibkg.ttl`` and ``bibkg.trig`` into ``directory``, graph by graph."""

    NQUADS = cache_file_name(FORMATS["nquads"], gz=False)
    """Name of the N-Quads file (what the store is loaded from)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.quads = 0
        """Quads written so far."""
        self._nquads = self._open("nquads")
        self._turtle = self._open("turtle")
        self._trig = self._open("trig")
        prefixes = turtle_prefix_block()
        self._turtle.write(prefixes)
        self._trig.write(prefixes)

    def _open(self, fmt: str):  # noqa: ANN202
        path = self.directory / cache_file_name(FORMATS[fmt], gz=False)
        return path.open("wb", buffering=_BUFFER)

    def add(self, graph: GraphText) -> None:
        """Append one named graph to every file."""
        if not graph.quads:
            return
        self._nquads.write(graph.nquads)
        self._turtle.write(graph.turtle)
        self._trig.write(f"<{graph.iri}> {{\n".encode())
        self._trig.write(graph.turtle)
        self._trig.write(b"}\n")
        self.quads += graph.quads

    def close(self) -> None:
        for handle in (self._nquads, self._turtle, self._trig):
            handle.close()

    def __enter__(self) -> SnapshotDumps:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
