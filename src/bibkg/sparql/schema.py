"""Exact answers to the schema queries a SPARQL user types first: the counts kept with the snapshot.

Why: on the full corpus (4.1 M quads) these queries scan every quad — 1-3 s each on two cores
for the distinct predicates, the triples per predicate or the graph sizes — and one of them,
``SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p LIMIT 3``, takes 72-76 s: in the SPARQL
algebra ``ORDER BY`` is evaluated *before* the projection and ``DISTINCT``
(``Slice(Distinct(Project(OrderBy(BGP))))``), and Oxigraph does so literally, sorting all
4.1 M solutions by an IRI key (every comparison decodes both IRIs) before keeping 83 distinct
predicates (``benchmarks/bench_schema_queries.py``).  Neither the union default graph (a
``GRAPH ?g`` variant costs the same) nor ``DISTINCT`` alone (1 s) is the cause.

What: a snapshot never changes, so its per-predicate triple counts, per-class instance counts
and per-graph quad counts are computed once, by Oxigraph itself with the very queries they
answer (so they are what the same query gives without this module, for the union default
graph as Oxigraph evaluates it: a triple stated in two graphs is counted twice, as Oxigraph
does; bibkg's ingest states each triple in one graph only), and kept as ``schema-stats.json``
beside the snapshot (written by the ingest; for other snapshots by a child process the first
query that could use them starts, see :class:`StatsSource`).  Which queries they answer, and
how, is :mod:`bibkg.sparql.schema_queries`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

FILE = "schema-stats.json"
VERSION = 1
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_QUERIES = {"predicates": "schema-predicates", "classes": "schema-classes", "graphs": "schema-graphs"}
"""Table → the internal query that counts it (``read/queries/schema-*.rq``)."""


@dataclass(frozen=True, slots=True)
class SchemaStats:
    """Counts over one snapshot; keys are N-Triples terms (``<iri>``, ``_:b``, literals)."""

    predicates: dict[str, int]
    """Triples of the union default graph per predicate."""
    classes: dict[str, int]
    """``?s rdf:type ?c`` triples of the union default graph per class."""
    graphs: dict[str, int]
    """Quads per named graph."""
    triples: int
    quads: int

    def to_json(self) -> dict[str, Any]:
        return {"version": VERSION, "predicates": self.predicates, "classes": self.classes, "graphs": self.graphs,
                "triples": self.triples, "quads": self.quads}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SchemaStats | None:
        if data.get("version") != VERSION:
            return None
        return cls(
            dict(data["predicates"]),
            dict(data["classes"]),
            dict(data["graphs"]),
            int(data["triples"]),
            int(data["quads"]),
        )


def compute(store: ox.Store) -> SchemaStats:
    """The counts, by Oxigraph over the union default graph (a few seconds on the full corpus)."""
    from .catalog import default_catalog  # the query files when counting, not for every schema query

    catalog = default_catalog()
    tables = {}
    for name, query in _QUERIES.items():
        text = catalog[query].text
        solutions = cast(ox.QuerySolutions, store.query(text, use_default_graph_as_union=True))  # a SELECT
        tables[name] = {str(s["k"]): int(s["n"].value) for s in solutions}
    # the totals are the sums of the groups (COUNT(*) over the same pattern, partitioned)
    triples, quads = sum(tables["predicates"].values()), sum(tables["graphs"].values())
    return SchemaStats(tables["predicates"], tables["classes"], tables["graphs"], triples, quads)


def write(store: ox.Store, files_dir: Path) -> SchemaStats:
    """Compute the counts of ``store`` and keep them in ``files_dir`` (atomically)."""
    return save(compute(store), files_dir)


def save(stats: SchemaStats, files_dir: Path) -> SchemaStats:
    """Keep ``stats`` in ``files_dir`` (atomically; keys sorted, so equal counts give equal bytes)."""
    files_dir.mkdir(parents=True, exist_ok=True)
    tmp = files_dir / f".{FILE}.{os.getpid()}.{threading.get_ident()}"
    tmp.write_text(json.dumps(stats.to_json(), sort_keys=True), encoding="utf-8")
    os.replace(tmp, files_dir / FILE)
    return stats


def read(files_dir: Path) -> SchemaStats | None:
    """The counts kept in ``files_dir``, or ``None``."""
    try:
        return SchemaStats.from_json(json.loads((Path(files_dir) / FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def adjusted(
    stats: SchemaStats, predicates: Mapping[str, int], classes: Mapping[str, int], graphs: Mapping[str, int]
) -> SchemaStats:
    """``stats`` after quads were added (positive changes) and removed (negative), per key: what
    :func:`compute` gives on the changed store (a key whose count falls to 0 is gone, as from a
    ``GROUP BY``).  An update (:mod:`bibkg.store.delta`) counts its changes instead of scanning."""

    def apply(table: dict[str, int], changes: Mapping[str, int]) -> dict[str, int]:
        out = dict(table)
        for key, change in changes.items():
            value = out.get(key, 0) + change
            if value < 0:
                raise ValueError(f"schema counts: {key} would fall below zero")
            if value:
                out[key] = value
            else:
                out.pop(key, None)
        return out

    new_predicates = apply(stats.predicates, predicates)
    new_graphs = apply(stats.graphs, graphs)
    return SchemaStats(new_predicates, apply(stats.classes, classes), new_graphs,
                       sum(new_predicates.values()), sum(new_graphs.values()))  # fmt: skip


def files_dir_of(snapshot: Path) -> Path:
    """``STORE/snapshots/<name>`` → ``STORE/dumps/<name>`` (:class:`~bibkg.store.local.LocalStore`)."""
    return snapshot.parent.parent / "dumps" / snapshot.name


def snapshot_of(files_dir: Path) -> Path:
    """Inverse of :func:`files_dir_of`."""
    return files_dir.parent.parent / "snapshots" / files_dir.name


LOCK = f".{FILE}.lock"
STALE_LOCK_SECONDS = 900.0
"""A computation that holds the lock longer than this is taken to have died."""


def start_computing(files_dir: Path) -> bool:
    """Compute and keep the counts of the snapshot of ``files_dir`` in a detached child process
    (``python -m bibkg.sparql.schema``) unless one is already at it; False if it cannot start
    (a read-only directory, no snapshot)."""
    snapshot = snapshot_of(files_dir)
    if not snapshot.is_dir():
        return False
    lock = files_dir / LOCK
    try:
        if lock.exists() and time.time() - lock.stat().st_mtime > STALE_LOCK_SECONDS:
            lock.unlink(missing_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return True  # another process is computing them
    except OSError:
        return False
    os.close(fd)
    try:
        subprocess.Popen([sys.executable, "-m", "bibkg.sparql.schema", str(snapshot), str(files_dir)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)  # fmt: skip
    except OSError:
        lock.unlink(missing_ok=True)
        return False
    return True


class StatsSource:
    """The counts of one snapshot, read from its ``schema-stats.json``.

    A snapshot without them (made by ``bibkg load``, or by an ingest before they existed) gets
    them computed by a detached child process, started by the first query that could use them;
    until the file is there, such queries are evaluated by Oxigraph as if this module did not
    exist (a query never waits for the counts, and a query worker stopped at its deadline does
    not lose them).  ``compute=True`` computes them in the caller instead (the ingest, tools)."""

    def __init__(self, store: ox.Store, files_dir: Path | None, *, compute: bool = False) -> None:
        self._store = store
        self._files_dir = files_dir
        self._compute_here = compute
        self._stats: SchemaStats | None = None
        self._started = False
        self._lock = threading.Lock()

    def get(self) -> SchemaStats | None:
        """The counts, or ``None`` while they are not available."""
        with self._lock:
            if self._stats is None:
                self._stats = self._read()
            if self._stats is None and self._compute_here:
                self._stats = write(self._store, self._files_dir) if self._files_dir else compute(self._store)
            if self._stats is None and not self._started and self._files_dir is not None:
                self._started = True
                start_computing(self._files_dir)
            return self._stats

    def _read(self) -> SchemaStats | None:
        if self._files_dir is None:
            return None
        try:
            return SchemaStats.from_json(json.loads((self._files_dir / FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def main(argv: list[str] | None = None) -> int:
    """``python -m bibkg.sparql.schema SNAPSHOT FILES_DIR``: compute and keep the counts."""
    snapshot, files_dir = (Path(a) for a in (argv or sys.argv[1:]))
    try:
        write(ox.Store.read_only(str(snapshot)), files_dir)
    finally:
        (files_dir / LOCK).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
