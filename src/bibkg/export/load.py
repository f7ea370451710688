"""``bibkg load``: RDF files (any dump format, gzipped or not) into a NEW snapshot of a store.

The files are bulk-loaded into a fresh snapshot built by :meth:`LocalStore.new_snapshot`, which
is published atomically only when every file has loaded: a syntax error in the third file leaves
the store exactly as it was.  Triples of triple formats (Turtle, N-Triples, RDF/XML) go to the
default graph, or to ``--graph IRI``; quads keep their graphs.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import pyoxigraph as ox

from ..errors import BibkgError
from ..store.local import LocalStore
from .formats import DumpFormat, get_format, guess_format


class _LoadOptions(TypedDict, total=False):
    to_graph: ox.NamedNode


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    quads: int = 0
    snapshot: str = ""


def _open(path: str, gz: bool):  # noqa: ANN202 - binary reader
    if path == "-":
        stream = sys.stdin.buffer
        return gzip.GzipFile(fileobj=stream, mode="rb") if gz else stream
    try:
        return gzip.open(path, "rb") if gz else open(path, "rb")
    except OSError as exc:
        raise BibkgError(f"cannot read {path}: {exc.strerror or exc}") from None


def load_files(
    local: LocalStore,
    files: Sequence[str | Path],
    *,
    fmt: str | None = None,
    gz: bool | None = None,
    graph: str | None = None,
    append: bool = False,
) -> LoadReport:
    """Load ``files`` into a new snapshot of ``local`` and publish it.

    Args:
        fmt: format name for every file (default: from each file's extension).
        gz: whether the files are gzipped (default: from a ``.gz`` extension, or magic bytes).
        graph: named graph for triples (default: the default graph).
        append: start from a copy of the current snapshot instead of an empty one.
    """
    if not files:
        raise BibkgError("no file to load")
    plan: list[tuple[str, DumpFormat, bool]] = []
    for f in files:
        name = str(f)
        if fmt:
            dformat = get_format(fmt)
            zipped = name.endswith(".gz") if gz is None else gz
        elif name == "-":
            raise BibkgError("reading stdin ('-') needs --format")
        else:
            dformat, zipped = guess_format(name)
            if gz is not None:
                zipped = gz
        if name != "-" and not Path(name).is_file():
            raise BibkgError(f"{name}: no such file")
        if name != "-" and gz is None and not zipped:
            with open(name, "rb") as probe:
                zipped = probe.read(2) == b"\x1f\x8b"
        plan.append((name, dformat, zipped))
    to_graph = ox.NamedNode(graph) if graph else None
    report = LoadReport()
    with local.new_snapshot(copy_current=append) as store:
        for name, dformat, zipped in plan:
            kwargs: _LoadOptions = {"to_graph": to_graph} if to_graph is not None and not dformat.quads else {}
            with _open(name, zipped) as stream:
                try:
                    store.bulk_load(input=stream, format=dformat.rdf, **kwargs)
                except SyntaxError as exc:
                    raise BibkgError(f"{name}: not valid {dformat.name}: {exc}") from None
                except (OSError, EOFError, gzip.BadGzipFile) as exc:
                    raise BibkgError(f"{name}: cannot read: {exc}") from None
            report.files.append(name)
        report.quads = len(store)
    snapshot = local.current_snapshot()
    report.snapshot = snapshot.name if snapshot else ""
    return report
