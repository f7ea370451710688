"""Streaming, deterministic RDF dumps of a snapshot, written from the store.

A snapshot built by ``bibkg ingest`` already has its N-Quads, Turtle and TriG dumps, written by
the ingest in its own order (:mod:`bibkg.store.snapshot_dumps`); ``bibkg export`` and
``/dumps`` serve those (:func:`cached_dump`).  This module writes every other dump: other
formats, a selection of graphs, ``--no-cache``, snapshots made by ``bibkg load``.

How a dump is written from the store
------------------------------------
Every format is produced by Oxigraph's native serializers, one named graph at a time, in
**sorted order of graph IRI** (the default graph first, when it is not empty); bibkg only adds
the document frame around them:

* ``nquads``  each graph dumped as N-Triples with `` <graph> .`` spliced into the line ends;
* ``trig``    one ``<graph> { … }`` block per graph, Turtle inside;
* ``jsonld``  a JSON-LD dataset: ``[{"@id": graph, "@graph": [...]}, …]`` (named graphs kept);
* ``turtle``, ``ntriples``, ``rdfxml``: the graphs one after the other in one document, i.e.
  the union of all named graphs.  bibkg's mapping states every fact in exactly one named graph
  (the tests check it on the sample: quads = distinct triples), so no triple is repeated; were a
  triple stated in two graphs, it would be written twice, which any RDF parser merges.

Memory stays constant (Oxigraph streams; the frame is a few bytes) and the output is a function
of the snapshot's content only:

* the prefix block is written by bibkg in a fixed order (:data:`bibkg.vocab.PREFIXES` sorted);
* within a graph Oxigraph writes quads in the order of its GSPO index, i.e. of the *encoded*
  terms: short strings inline, longer ones as a 128-bit SipHash of the string with fixed keys.
  The order therefore depends only on the terms, not on insertion order, RocksDB file layout or
  process — the same data ingested twice dumps byte-identically (tested).  There are no blank
  nodes in bibkg's graph (every node is an IRI), so no blank-node labels can differ either.
  The order is *not* alphabetical: it is stable, which is what diffs need.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, TypedDict

import pyoxigraph as ox

from ..vocab import PREFIXES
from .formats import DumpFormat

DUMP_PREFIXES: dict[str, str] = dict(sorted(PREFIXES.items()))
_ITS = "http://www.w3.org/2005/11/its"
GZIP_LEVEL = 6


class _DumpOptions(TypedDict, total=False):
    prefixes: dict[str, str]


class _Passthrough:
    """A minimal binary writer wrapping another one (what pyoxigraph writes into)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out

    def write(self, data: bytes) -> int:
        self.out.write(data)
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        pass

    # pyoxigraph checks these on file-like objects
    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False


class _StripPrefixes(_Passthrough):
    """Drops the leading ``@prefix``/``@base`` lines Oxigraph writes (bibkg writes its own)."""

    def __init__(self, out: BinaryIO) -> None:
        super().__init__(out)
        self._head = b""
        self._done = False

    def write(self, data: bytes) -> int:
        if self._done:
            self.out.write(data)
            return len(data)
        self._head += data
        while self._head.startswith(b"@"):  # a Turtle statement never starts with "@"
            nl = self._head.find(b"\n")
            if nl < 0:
                return len(data)
            self._head = self._head[nl + 1 :]
        if self._head:
            self._done = True
            self.out.write(self._head)
            self._head = b""
        return len(data)

    def finish(self) -> None:
        pass


class _SpliceGraph(_Passthrough):
    """N-Triples → N-Quads: `` .\\n`` at each line end becomes `` <graph> .\\n``.

    N-Triples escapes line breaks inside literals, so a raw newline only ends a statement.
    """

    def __init__(self, out: BinaryIO, graph: str) -> None:
        super().__init__(out)
        self._suffix = b" <" + graph.encode() + b"> .\n"
        self._rest = b""

    def write(self, data: bytes) -> int:
        buf = self._rest + data
        cut = buf.rfind(b"\n") + 1
        self._rest = buf[cut:]
        if cut:
            self.out.write(buf[:cut].replace(b" .\n", self._suffix))
        return len(data)

    def finish(self) -> None:
        if self._rest.strip():
            raise ValueError("N-Triples output did not end with a newline")


class _StripFrame(_Passthrough):
    """Keeps what follows the first ``>`` after ``opening`` and precedes the last ``close``."""

    def __init__(self, out: BinaryIO, opening: bytes, close: bytes) -> None:
        super().__init__(out)
        self._opening = opening
        self._close = close
        self._head: bytes | None = b""
        self._tail = b""

    def write(self, data: bytes) -> int:
        size = len(data)
        if self._head is not None:
            self._head += data
            i = self._head.find(self._opening)
            j = self._head.find(b">", i + len(self._opening) - 1) if i >= 0 else -1
            if j < 0:
                return size
            data = self._head[j + 1 :]
            self._head = None
        buf = self._tail + data
        keep = len(self._close) + 8
        if len(buf) > keep:
            self.out.write(buf[:-keep])
            buf = buf[-keep:]
        self._tail = buf
        return size

    def finish(self) -> None:
        tail = self._tail.rstrip()
        if tail.endswith(self._close):
            tail = tail[: -len(self._close)]
        self.out.write(tail)


def graph_names(store: ox.Store, graphs: Sequence[str] | None = None) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The graphs a dump writes, in order: the default graph (if not empty), then named graphs
    by IRI.  ``graphs`` restricts to those IRIs (``""`` or ``default`` names the default graph)."""
    if graphs:
        out: list[ox.NamedNode | ox.DefaultGraph] = []
        for g in graphs:
            if g in ("", "default"):
                out.append(ox.DefaultGraph())
            else:
                out.append(ox.NamedNode(g))
        named = sorted({g.value for g in out if isinstance(g, ox.NamedNode)})
        return ([ox.DefaultGraph()] if any(isinstance(g, ox.DefaultGraph) for g in out) else []) + [
            ox.NamedNode(g) for g in named
        ]
    result: list[ox.NamedNode | ox.DefaultGraph] = []
    if _nonempty(store, ox.DefaultGraph()):
        result.append(ox.DefaultGraph())
    nodes: list[ox.NamedNode] = sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value
    )
    result.extend(nodes)
    return result


def _nonempty(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None


def turtle_prefix_block() -> bytes:
    """The ``@prefix`` lines every Turtle and TriG dump starts with."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in DUMP_PREFIXES.items()).encode()


def _rdfxml_head() -> bytes:
    ns = " ".join(f'xmlns:{p}="{iri}"' for p, iri in sorted({**DUMP_PREFIXES, "its": _ITS}.items()))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF {ns}>\n'.encode()


def _run(
    store: ox.Store, writer: _Passthrough, fmt: ox.RdfFormat, graph: ox.NamedNode | ox.DefaultGraph, prefixes: bool
) -> None:
    kwargs: _DumpOptions = {"prefixes": DUMP_PREFIXES} if prefixes else {}
    # pyoxigraph writes into any object with write(); its stub asks for IO[bytes]
    store.dump(writer, fmt, from_graph=graph, **kwargs)  # type: ignore[arg-type]
    writer.finish()


def write_dump(
    store: ox.Store,
    out: BinaryIO,
    fmt: DumpFormat,
    graphs: Sequence[str] | None = None,
) -> None:
    """Write ``store`` (or only ``graphs``) to the binary writer ``out`` as ``fmt``."""
    names = graph_names(store, graphs)
    if graphs:
        names = [g for g in names if _nonempty(store, g)]
    name = fmt.name
    if name == "ntriples":
        for g in names:
            _run(store, _Passthrough(out), ox.RdfFormat.N_TRIPLES, g, False)
    elif name == "nquads":
        for g in names:
            writer = _Passthrough(out) if isinstance(g, ox.DefaultGraph) else _SpliceGraph(out, g.value)
            _run(store, writer, ox.RdfFormat.N_TRIPLES, g, False)
    elif name == "turtle":
        out.write(turtle_prefix_block())
        for g in names:
            _run(store, _StripPrefixes(out), ox.RdfFormat.TURTLE, g, True)
    elif name == "trig":
        out.write(turtle_prefix_block())
        for g in names:
            if isinstance(g, ox.DefaultGraph):
                _run(store, _StripPrefixes(out), ox.RdfFormat.TURTLE, g, True)
            else:
                out.write(f"<{g.value}> {{\n".encode())
                _run(store, _StripPrefixes(out), ox.RdfFormat.TURTLE, g, True)
                out.write(b"}\n")
    elif name == "jsonld":
        out.write(b"[")
        first = True
        for g in names:
            if not _nonempty(store, g):
                continue
            if not first:
                out.write(b",\n")
            first = False
            if isinstance(g, ox.DefaultGraph):
                _run(store, _StripFrame(out, b"[", b"]"), ox.RdfFormat.JSON_LD, g, False)
            else:
                out.write(b'{"@id":' + json.dumps(g.value).encode() + b',"@graph":')
                _run(store, _Passthrough(out), ox.RdfFormat.JSON_LD, g, False)
                out.write(b"}")
        out.write(b"]\n")
    elif name == "rdfxml":
        out.write(_rdfxml_head())
        for g in names:
            if _nonempty(store, g):
                _run(store, _StripFrame(out, b"<rdf:RDF", b"</rdf:RDF>"), ox.RdfFormat.RDF_XML, g, True)
                out.write(b"\n")
        out.write(b"</rdf:RDF>\n")
    else:  # pragma: no cover - FORMATS is closed
        raise ValueError(f"no dump writer for {name}")


def write_dump_maybe_gzip(
    store: ox.Store, out: BinaryIO, fmt: DumpFormat, *, gz: bool, graphs: Sequence[str] | None = None
) -> None:
    """As :func:`write_dump`; with ``gz`` a deterministic gzip stream (no name, mtime 0)."""
    if not gz:
        write_dump(store, out, fmt, graphs)
        return
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=GZIP_LEVEL, mtime=0, filename="") as zout:
        write_dump(store, zout, fmt, graphs)  # type: ignore[arg-type]
    with suppress(AttributeError):
        out.flush()


def cache_file_name(fmt: DumpFormat, gz: bool) -> str:
    return f"bibkg.{fmt.ext}{'.gz' if gz else ''}"


def cache_file(store_root: Path, snapshot_name: str, fmt: DumpFormat, gz: bool) -> Path:
    """Where the dump of one snapshot is kept: ``STORE/dumps/<snapshot>/bibkg.<ext>[.gz]``
    (written by the ingest with the snapshot, by the HTTP layer while it first streams a dump,
    or by ``bibkg export --warm-cache``)."""
    return store_root / "dumps" / snapshot_name / cache_file_name(fmt, gz)


_CHUNK = 1 << 20


def cached_dump(store_root: Path, snapshot_name: str, fmt: DumpFormat, gz: bool) -> Iterator[bytes] | None:
    """The chunks of this snapshot's kept dump in ``fmt`` (gzipped if ``gz``), or ``None`` when
    none is kept.  A dump kept only in the other compression is (de)compressed on the way."""
    exact = cache_file(store_root, snapshot_name, fmt, gz)
    if exact.is_file():
        return _chunks(exact.open("rb"))
    other = cache_file(store_root, snapshot_name, fmt, not gz)
    if other.is_file():
        return _gzip_chunks(other) if gz else _chunks(gzip.open(other, "rb"))
    return None


def _chunks(reader: io.BufferedIOBase) -> Iterator[bytes]:
    """What ``reader`` reads, in chunks; closed at the end."""
    with reader:
        while chunk := reader.read(_CHUNK):
            yield chunk


def _gzip_chunks(path: Path) -> Iterator[bytes]:
    """``path`` gzipped exactly as :func:`write_dump_maybe_gzip` would (no name, mtime 0)."""
    buffer = io.BytesIO()
    with (
        path.open("rb") as fh,
        gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=GZIP_LEVEL, mtime=0, filename="") as zout,
    ):
        while chunk := fh.read(_CHUNK):
            zout.write(chunk)
            if buffer.tell():
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()
