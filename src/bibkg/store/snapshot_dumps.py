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

Because every file is a concatenation of per-graph blocks, the writer also records where each
graph's block lies in each file (a :class:`DumpManifest`, kept in the snapshot's update state).
An update (:mod:`bibkg.store.delta`) then writes the next snapshot's dumps by copying the blocks
of unchanged graphs from the previous files (``copy_file_range``: in the kernel, no decoding)
and writing only the changed graphs' text: the result is byte for byte what writing every graph
afresh gives.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from ..export.dump import cache_file_name, turtle_prefix_block
from ..export.formats import FORMATS
from ..mapping.terms import GraphText, LazyText

_BUFFER = 1 << 20
_KINDS = ("nquads", "turtle", "trig")
MANIFEST_FILE = "graphs.json"
"""Name of the manifest file in a snapshot's state directory."""
MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class GraphBlock:
    """Where one named graph lies in each dump file: ``(offset, length)`` per file kind."""

    iri: str
    quads: int
    nquads: tuple[int, int]
    turtle: tuple[int, int]
    trig: tuple[int, int]

    def span(self, kind: str) -> tuple[int, int]:
        return getattr(self, kind)


@dataclass(frozen=True, slots=True)
class DumpManifest:
    """The graphs of a snapshot's dumps in file order, with their blocks."""

    graphs: tuple[GraphBlock, ...]
    _by_iri: dict[str, GraphBlock] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_iri", {block.iri: block for block in self.graphs})

    @property
    def quads(self) -> int:
        return sum(block.quads for block in self.graphs)

    def get(self, iri: str) -> GraphBlock | None:
        return self._by_iri.get(iri)

    def to_json(self) -> str:
        rows = [[b.iri, b.quads, *b.nquads, *b.turtle, *b.trig] for b in self.graphs]
        return json.dumps({"version": MANIFEST_VERSION, "graphs": rows}, separators=(",", ":"))

    @classmethod
    def read(cls, directory: Path) -> DumpManifest | None:
        """The manifest kept in ``directory``, or ``None`` (none, or of another version)."""
        try:
            data = json.loads((Path(directory) / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return None
        return cls(tuple(GraphBlock(r[0], r[1], (r[2], r[3]), (r[4], r[5]), (r[6], r[7])) for r in data["graphs"]))

    def write(self, directory: Path) -> None:
        (Path(directory) / MANIFEST_FILE).write_text(self.to_json(), encoding="utf-8")


def layout(graphs: Iterable[tuple[str, int, int, int]]) -> DumpManifest:
    """The manifest of dumps holding ``graphs`` — (IRI, quads, N-Quads bytes, Turtle bytes) in
    file order — as :class:`SnapshotDumps` writes them, without writing them."""
    positions = {"nquads": 0, "turtle": len(turtle_prefix_block()), "trig": len(turtle_prefix_block())}
    blocks = []
    for iri, quads, nq_length, ttl_length in graphs:
        if not quads:
            continue
        lengths = {"nquads": nq_length, "turtle": ttl_length, "trig": len(f"<{iri}> {{\n".encode()) + ttl_length + 2}
        spans = {}
        for kind in _KINDS:
            spans[kind] = (positions[kind], lengths[kind])
            positions[kind] += lengths[kind]
        blocks.append(GraphBlock(iri, quads, spans["nquads"], spans["turtle"], spans["trig"]))
    return DumpManifest(tuple(blocks))


def dump_path(directory: Path, kind: str) -> Path:
    return Path(directory) / cache_file_name(FORMATS[kind], gz=False)


class SnapshotDumps:
    """Writes ``bibkg.nq``, ``bibkg.ttl`` and ``bibkg.trig`` into ``directory``, graph by graph.

    :meth:`add` appends a graph from its text, :meth:`copy` one from the files of another
    snapshot (by its :class:`GraphBlock`); :attr:`manifest` says where each graph went.
    """

    NQUADS = cache_file_name(FORMATS["nquads"], gz=False)
    """Name of the N-Quads file (what the store is loaded from)."""

    def __init__(self, directory: Path, *, partial: bool = False) -> None:
        self.directory = Path(directory)
        self.quads = 0
        """Quads written so far."""
        self._partial = partial
        """Write under temporary names, renamed by :meth:`publish` (files that readers may see)."""
        self._files = {kind: self._path(kind).open("wb", buffering=_BUFFER) for kind in _KINDS}
        self._blocks: list[GraphBlock] = []
        prefixes = turtle_prefix_block()
        self._files["turtle"].write(prefixes)
        self._files["trig"].write(prefixes)

    @property
    def manifest(self) -> DumpManifest:
        return DumpManifest(tuple(self._blocks))

    def add(self, graph: GraphText) -> None:
        """Append one named graph to every file."""
        if not graph.quads:
            return
        spans = {}
        for kind, parts in (
            ("nquads", (graph.nquads,)),
            ("turtle", (graph.turtle,)),
            ("trig", (f"<{graph.iri}> {{\n".encode(), graph.turtle, b"}\n")),
        ):
            handle = self._files[kind]
            start = handle.tell()
            for part in parts:
                handle.write(part)
            spans[kind] = (start, handle.tell() - start)
        self._blocks.append(GraphBlock(graph.iri, graph.quads, spans["nquads"], spans["turtle"], spans["trig"]))
        self.quads += graph.quads

    def splice(self, source: Path, block: GraphBlock, quads: int, nquads: list, turtle: list) -> None:
        """Append the graph of ``block`` in the dump files of ``source`` as spliced (see
        :class:`bibkg.mapping.blocks.SplicedText`): ``nquads`` and ``turtle`` are its pieces,
        ranges (start, end) of the graph's text in ``source`` or new bytes."""
        spans = {}
        header = f"<{block.iri}> {{\n".encode()
        for kind, plan, base, before, after in (
            ("nquads", nquads, block.nquads[0], b"", b""),
            ("turtle", turtle, block.turtle[0], b"", b""),
            ("trig", turtle, block.trig[0] + len(header), header, b"}\n"),
        ):
            handle = self._files[kind]
            start = handle.tell()
            handle.write(before)
            for piece in plan:
                if isinstance(piece, tuple):
                    handle.flush()
                    _copy_range(dump_path(source, kind), handle, base + piece[0], piece[1] - piece[0])
                else:
                    handle.write(piece)
            handle.write(after)
            spans[kind] = (start, handle.tell() - start)
        self._blocks.append(GraphBlock(block.iri, quads, spans["nquads"], spans["turtle"], spans["trig"]))
        self.quads += quads

    def copy(self, source: Path, blocks: Iterable[GraphBlock]) -> None:
        """Append graphs whose text is in the dump files of ``source`` (consecutive blocks are
        copied in one kernel call)."""
        blocks = list(blocks)
        if not blocks:
            return
        runs: list[list[GraphBlock]] = [[blocks[0]]]
        for block in blocks[1:]:
            last = runs[-1][-1]
            if all(last.span(k)[0] + last.span(k)[1] == block.span(k)[0] for k in _KINDS):
                runs[-1].append(block)
            else:
                runs.append([block])
        for run in runs:
            starts = {}
            for kind in _KINDS:
                handle = self._files[kind]
                handle.flush()
                starts[kind] = handle.tell()
                head, tail = run[0].span(kind), run[-1].span(kind)
                _copy_range(dump_path(source, kind), handle, head[0], tail[0] + tail[1] - head[0])
            for block in run:
                spans = {k: (starts[k] + block.span(k)[0] - run[0].span(k)[0], block.span(k)[1]) for k in _KINDS}
                self._blocks.append(GraphBlock(block.iri, block.quads, spans["nquads"], spans["turtle"], spans["trig"]))
                self.quads += block.quads

    def _path(self, kind: str) -> Path:
        final = dump_path(self.directory, kind)
        return final.with_name(f".{final.name}.partial") if self._partial else final

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()

    def publish(self) -> None:
        """Give the files written under temporary names (``partial``) their names."""
        self.close()
        if self._partial:
            for kind in _KINDS:
                os.replace(self._path(kind), dump_path(self.directory, kind))

    def discard(self) -> None:
        self.close()
        if self._partial:
            for kind in _KINDS:
                self._path(kind).unlink(missing_ok=True)

    def __enter__(self) -> SnapshotDumps:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _copy_range(source: Path, target, offset: int, length: int) -> None:  # noqa: ANN001
    """Append ``length`` bytes of ``source`` from ``offset`` to the open file ``target``."""
    fd_out = target.fileno()
    with source.open("rb") as handle:
        fd_in = handle.fileno()
        out_offset = target.tell()
        done = 0
        while done < length:
            try:
                n = os.copy_file_range(fd_in, fd_out, length - done, offset + done, out_offset + done)
            except (OSError, AttributeError):
                n = 0
            if n <= 0:  # not supported here (another file system, another OS): copy by reading
                handle.seek(offset + done)
                os.lseek(fd_out, out_offset + done, os.SEEK_SET)
                while done < length:
                    chunk = handle.read(min(_BUFFER, length - done))
                    if not chunk:
                        raise OSError(f"{source} is shorter than its manifest says")
                    os.write(fd_out, chunk)
                    done += len(chunk)
                break
            done += n
    target.seek(out_offset + length)


class StoredText(LazyText):
    """The text of one graph in the dump files of ``source``, read when first asked for; a span
    reads only its bytes."""

    __slots__ = ("block", "source")
    block: GraphBlock
    source: Path

    def __init__(self, source: Path, block: GraphBlock) -> None:
        for name, value in (("iri", block.iri), ("quads", block.quads), ("block", block), ("source", Path(source))):
            object.__setattr__(self, name, value)

    def size(self, kind: str = "nquads") -> int:
        return self.block.span(kind)[1]

    def span(self, start: int, end: int, kind: str = "nquads") -> bytes:
        made = self._made(kind)
        if made is not None:
            return made[start:end]
        length = self.block.span(kind)[1]
        return _read(self.source, self.block, kind, min(max(start, 0), length), min(max(end, 0), length))

    def _make(self, kind: str) -> bytes:
        return read_block(self.source, self.block, kind)


def read_block(source: Path, block: GraphBlock, kind: str = "nquads") -> bytes:
    """The text of one graph in a dump file of ``source``."""
    return _read(source, block, kind, 0, block.span(kind)[1])


def _read(source: Path, block: GraphBlock, kind: str, start: int, end: int) -> bytes:
    """Bytes ``start:end`` (within the block) of one graph's text in a dump file of ``source``."""
    if end <= start:
        return b""
    with dump_path(source, kind).open("rb") as handle:
        handle.seek(block.span(kind)[0] + start)
        data = handle.read(end - start)
    if len(data) != end - start:
        raise OSError(f"{dump_path(source, kind)} is shorter than its manifest says")
    return data
