"""Deltas: change the current graph and publish the result as a new snapshot, atomically.

A :class:`Delta` says what changes — whole named graphs replaced or dropped, single quads added
or removed, paper cards replaced, files of update state — and :func:`apply_delta` makes it the
store's new current snapshot:

1. under the store's writer lock (one writer at a time: another waits up to ``wait`` seconds,
   then gets :class:`~bibkg.errors.StoreBusy`), a new snapshot starts as a RocksDB checkpoint of
   the current one (hard links: instant, and the two share their files on disk);
2. each changed graph's new text is compared with its text in the current snapshot's dumps
   (:class:`~bibkg.store.snapshot_dumps.DumpManifest` says where it lies) and only the quads
   that differ are removed from or added to the store;
3. what depends on the content is recomputed as far as it changed: the *derivations* (functions
   of the changed graphs, see :func:`~bibkg.store.derivations.register_derivation`; by default the VoID statement count of
   the statistics graph, :func:`bibkg.mapping.stats.recount`), the schema counts
   (``schema-stats.json``, :mod:`bibkg.sparql.schema`) from the quads added and removed, the
   paper cards (a copy changed in place when a card really changes, else hard-linked), the
   layout of the dumps (their manifest);
4. the snapshot is published by the atomic swing of ``STORE/current``
   (:meth:`~bibkg.store.local.LocalStore.build_snapshot`), logged in ``STORE/updates.log``;
5. right after, still under the lock, the dumps are written (unchanged graphs copied from the
   previous files in the kernel, changed ones from their text kept in the new snapshot's state,
   :func:`~bibkg.store.delta_dumps.complete_pending`): 1.4 GB on the full corpus, a second or more, which a one-quad
   change should not wait for.  Until they are complete the snapshot's state holds
   ``pending.json`` and readers that serve dump files wait for them
   (:meth:`~bibkg.store.local.LocalStore.wait_for_files`); if the writer dies in between, the
   next writer writes them first.

Every dump file is byte for byte what a cold ingest writing the same graphs in the same order
gives (each graph's block in the dumps is the same bytes); the cards file holds the same rows
(an update edits a copy in place: its page layout is its own, :func:`bibkg.cards.updated_copy`).
A graph spliced from the previous one (:class:`bibkg.mapping.blocks.SplicedText`: the people
and statistics graphs after a correction) is staged as its new blocks only, its dumps copied
range by range from the previous files, and its quads changed are its replaced blocks against
its new ones.  A failure or ``kill -9`` anywhere
before the swing leaves the previous snapshot current and readable; the next writer removes
the leftovers.

The graph text is N-Quads as bibkg's mapping writes it (:mod:`bibkg.mapping.terms`): one quad
per line, each quad once per graph, no blank nodes.  Quads given as pyoxigraph terms are written
the same way (:func:`nquad_line`).

This module holds the change and the order of the steps; the steps are the quads
(:mod:`bibkg.store.delta_quads`), the derivations (:mod:`bibkg.store.derivations`), the dumps
(:mod:`bibkg.store.delta_dumps`) and what else the new snapshot takes over: cards, schema counts,
update state (:mod:`bibkg.store.delta_carry`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..cards import CARDS_FILE, SPARES_DIR, keep_spare
from ..errors import DeltaError, StoreError
from ..mapping.terms import GraphText
from ..read.records import PaperCard
from .delta_carry import carry_state, write_cards, write_schema_stats
from .delta_dumps import complete_pending, dumps_layout, plan_dumps, stage_dumps
from .delta_quads import apply_texts
from .delta_text import checked_quads, graph_text, nquad_line, text_from_lines
from .derivations import DeltaContext, derivations
from .local import LocalStore, SnapshotBuild
from .snapshot_dumps import DumpManifest, dump_path, read_block

DEFAULT_WAIT = 30.0
"""Seconds :func:`apply_delta` waits for another writer before StoreBusy
(``BIBKG_DELTA_WAIT``)."""

MAX_DELTA_QUADS = 5_000_000
"""Quads one delta may add or remove one by one (:meth:`Delta.add_quads`/``remove_quads``)."""


def default_wait() -> float:
    raw = os.environ.get("BIBKG_DELTA_WAIT", "")
    try:
        return float(raw) if raw.strip() else DEFAULT_WAIT
    except ValueError:
        raise StoreError(f"BIBKG_DELTA_WAIT must be a number of seconds, got {raw!r}") from None


# --- the change ---------------------------------------------------------------------------------


@dataclass
class Delta:
    """A change to the current graph (build it with the methods; apply with :func:`apply_delta`)."""

    graphs: dict[str, GraphText | None] = field(default_factory=dict)
    """Named graph IRI → its whole new content, or ``None`` to drop it."""
    add: list[ox.Quad] = field(default_factory=list)
    remove: list[ox.Quad] = field(default_factory=list)
    cards: dict[str, PaperCard | None] = field(default_factory=dict)
    """Paper IRI → its new card, or ``None`` to delete it (:mod:`bibkg.cards`)."""
    state: dict[str, bytes | None] = field(default_factory=dict)
    """Files of the snapshot's update state (relative paths) to write, or ``None`` to delete;
    all others are carried over from the previous snapshot (hard links)."""
    order: list[str] | None = None
    """The graphs' order in the dumps, complete, when the caller knows it (an ingest does);
    otherwise graphs keep their place and new ones go before the statistics graph."""
    note: str = ""
    """Free text for the update log (why)."""

    def replace_graph(self, iri: str, content: GraphText | bytes | str | Iterable[ox.Quad]) -> Delta:
        """Make ``iri`` hold exactly ``content``: a :class:`GraphText`, N-Quads text in bibkg's
        form (every line in graph ``iri``), or quads (their graph is ignored)."""
        self.graphs[iri] = graph_text(iri, content)
        return self

    def drop_graph(self, iri: str) -> Delta:
        self.graphs[iri] = None
        return self

    def add_quads(self, quads: Iterable[ox.Quad]) -> Delta:
        self.add.extend(checked_quads(quads))
        return self

    def remove_quads(self, quads: Iterable[ox.Quad]) -> Delta:
        self.remove.extend(checked_quads(quads))
        return self

    def set_card(self, card: PaperCard) -> Delta:
        self.cards[card.iri] = card
        return self

    def delete_card(self, paper_iri: str) -> Delta:
        self.cards[paper_iri] = None
        return self

    @property
    def empty(self) -> bool:
        return not (self.graphs or self.add or self.remove or self.cards or self.state)


@dataclass
class DeltaReport:
    """What :func:`apply_delta` did."""

    before: str
    after: str = ""
    added: int = 0
    removed: int = 0
    graphs: list[str] = field(default_factory=list)
    """Graphs whose content changed (derived ones included)."""
    quads: int = 0
    """Quads in the new snapshot."""
    seconds: float = 0.0
    """Until the writer was done (dumps written, old snapshots pruned)."""
    visible: float = 0.0
    """Until the new snapshot was published (``current`` swung): what readers see."""
    phases: dict[str, float] = field(default_factory=dict)


# --- applying it --------------------------------------------------------------------------------


def apply_delta(
    store: LocalStore,
    delta: Delta,
    *,
    wait: float | None = None,
    command: str | None = None,
    actor: str | None = None,
    kind: str = "delta",
) -> DeltaReport:
    """Apply ``delta`` to the current snapshot of ``store`` and publish the result (module docs).

    Raises:
        StoreBusy: another writer held the store for longer than ``wait`` seconds (default
            :func:`default_wait`).
        StoreError: the store has no graph, or its current snapshot has no update state (one
            made by ``bibkg load`` or an older version: ingest it again first).
        DeltaError: the delta itself is invalid; nothing is published.
    """
    started = time.perf_counter()
    swung: list[float] = []
    with store.build_snapshot(copy_current=True, wait=default_wait() if wait is None else wait, command=command,
                              actor=actor, kind=kind, on_published=lambda: swung.append(time.perf_counter())) as build:  # fmt: skip
        report = build_on(store, build, delta)
    report.after = build.name
    report.seconds = time.perf_counter() - started
    report.visible = swung[0] - started if swung else report.seconds
    return report


def build_on(store: LocalStore, build: SnapshotBuild, delta: Delta) -> DeltaReport:
    """Apply ``delta`` inside ``build`` (a checkpoint of the previous snapshot): the body of
    :func:`apply_delta`, for writers that hold a build already."""
    previous = build.previous
    if previous is None:
        raise StoreError(f"no graph in store {store.root}: run 'bibkg ingest DATA_DIR --store {store.root}' first")
    prev_files, prev_state = store.files_dir(previous), store.state_dir(previous)
    if store.files_pending(previous):  # its writer died before writing its dumps: finish them
        complete_pending(store, previous.name)
    manifest = DumpManifest.read(prev_state)
    if manifest is None:
        raise StoreError(
            f"the current snapshot of {store.root} ({previous.name}) has no update state (made by 'bibkg load' "
            f"or an older version); run 'bibkg ingest DATA_DIR --full --store {store.root}' once"
        )
    report = DeltaReport(previous.name)
    phase = _Phases(report)

    texts = _changed_texts(delta, manifest, prev_files)
    context = DeltaContext(manifest, prev_files, texts, build.store)
    for derive in derivations().values():
        for iri, text in derive(context).items():
            texts[iri] = text
    phase("derivations")

    report.graphs, counts = apply_texts(build.store, manifest, prev_files, texts)
    report.added, report.removed = counts.added, counts.removed
    phase("store")

    # the dumps: their layout now, their bytes right after publishing (they take a second or
    # more on the full corpus: a reader waits for them, LocalStore.wait_for_files)
    pieces = plan_dumps(prev_files, manifest, texts, delta.order)
    new_manifest = dumps_layout(pieces)
    new_manifest.write(build.state)
    report.quads = new_manifest.quads
    if not report.graphs:  # no graph's text changed: share the files (an equal layout is not
        # enough: a literal replaced by another of the same length keeps every block's span)
        for kind in ("nquads", "turtle", "trig"):
            os.link(dump_path(prev_files, kind), dump_path(build.files, kind))
    else:
        stage_dumps(build.state, previous, manifest, pieces)

        def dumps() -> None:
            step = time.perf_counter()
            complete_pending(store, build.name)
            report.phases["dumps after publishing"] = time.perf_counter() - step

        build.after_publish.insert(0, dumps)
    phase("dumps")

    spares = store.root / SPARES_DIR
    write_cards(prev_files, build.files, delta.cards, spares)
    build.after_publish.append(lambda: keep_spare(store.files_dir(build.name) / CARDS_FILE, spares))
    phase("cards")

    write_schema_stats(build, prev_files, counts)
    phase("schema statistics")

    carry_state(prev_state, build.state, delta.state)
    build.record["changes"] = {
        "graphs": report.graphs[:50] + ([f"... {len(report.graphs) - 50} more"] if len(report.graphs) > 50 else []),
        "quads_added": report.added,
        "quads_removed": report.removed,
        "cards": len(delta.cards),
        "note": delta.note[:2000],
    }
    phase("state")
    return report


class _Phases:
    def __init__(self, report: DeltaReport) -> None:
        self.report, self.last = report, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.report.phases[name] = self.report.phases.get(name, 0.0) + now - self.last
        self.last = now


def _changed_texts(delta: Delta, manifest: DumpManifest, prev_files: Path) -> dict[str, GraphText | None]:
    """Each graph the delta changes → its whole new text."""
    texts: dict[str, GraphText | None] = dict(delta.graphs)
    if len(delta.add) + len(delta.remove) > MAX_DELTA_QUADS:
        raise DeltaError(
            f"a delta adds or removes at most {MAX_DELTA_QUADS:,} single quads; replace whole graphs instead"
        )
    by_graph: dict[str, tuple[list[bytes], list[bytes]]] = {}
    for index, quads in ((0, delta.remove), (1, delta.add)):
        for quad in quads:
            # the graph is named: checked_quads let the quad into the delta
            by_graph.setdefault(quad.graph_name.value, ([], []))[index].append(nquad_line(quad).encode())  # type: ignore[union-attr]
    for iri, (removed, added) in by_graph.items():
        if iri in texts:
            text = texts[iri]
            base = text.nquads if text is not None else b""
        else:
            block = manifest.get(iri)
            base = read_block(prev_files, block) if block is not None else b""
        gone = set(removed)
        lines = [line for line in base.splitlines(keepends=True) if line not in gone]
        present = set(lines)
        for line in added:
            if line not in present:
                present.add(line)
                lines.append(line)
        texts[iri] = text_from_lines(iri, lines) if lines else None
    return texts
