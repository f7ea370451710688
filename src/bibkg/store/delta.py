"""Deltas: change the current graph and publish the result as a new snapshot, atomically.

A :class:`Delta` says what changes — whole named graphs replaced or dropped, single quads added
or removed, paper cards replaced, files of update state — and :func:`apply_delta` makes it the
store's new current snapshot:

1. under the store's writer lock (one writer at a time: another waits up to ``wait`` seconds,
   then gets :class:`~bibkg.errors.StoreBusy`), a new snapshot starts as a RocksDB checkpoint of
   the current one (hard links: instant, and the two share their files on disk);
2. each changed graph's new text is compared with its text in the current snapshot's dumps
   (:class:`~bibkg.export.snapshot_dumps.DumpManifest` says where it lies) and only the quads
   that differ are removed from or added to the store;
3. what depends on the content is recomputed as far as it changed: the *derivations* (functions
   of the changed graphs, see :func:`register_derivation`; by default the VoID statement count of
   the statistics graph, :func:`bibkg.mapping.stats.recount`), the schema counts
   (``schema-stats.json``, :mod:`bibkg.sparql.schema`) from the quads added and removed, the
   paper cards (a copy changed in place when a card really changes, else hard-linked), the
   layout of the dumps (their manifest);
4. the snapshot is published by the atomic swing of ``STORE/current``
   (:meth:`~bibkg.store.local.LocalStore.build_snapshot`), logged in ``STORE/updates.log``;
5. right after, still under the lock, the dumps are written (unchanged graphs copied from the
   previous files in the kernel, changed ones from their text kept in the new snapshot's state,
   :func:`complete_pending`): 1.4 GB on the full corpus, a second or more, which a one-quad
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
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import iris
from ..cards import CARDS_FILE, SPARES_DIR, PaperCard, keep_spare, real_changes, updated_copy
from ..errors import DeltaError, StoreError
from ..export.snapshot_dumps import (
    MANIFEST_FILE,
    DumpManifest,
    GraphBlock,
    SnapshotDumps,
    StoredText,
    dump_path,
    layout,
    read_block,
)
from ..mapping.blocks import Piece, SplicedText
from ..mapping.terms import GraphText
from ..sparql import schema as schema_stats
from .delta_text import checked_quads, graph_text, nquad_line, text_from_lines
from .line_diff import line_diff
from .local import PENDING, LocalStore, SnapshotBuild

_PENDING_DIR = "pending"
"""The state directory of a snapshot published before its dumps: the new pieces they are
written from (:func:`_stage_dumps`, :func:`complete_pending`)."""
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

    counts = _Counts()
    for iri, text in texts.items():
        block = manifest.get(iri)
        if _spliced_from(text, block):
            assert isinstance(text, SplicedText) and block is not None
            removed, added = _spliced_diff(prev_files, block, text)
            if not (removed or added) and text.nquads == read_block(prev_files, block):
                continue
            report.graphs.append(iri)
        else:
            old = read_block(prev_files, block) if block is not None else b""
            new = text.nquads if text is not None else b""
            if old == new:
                continue
            report.graphs.append(iri)
            if text is None and block is not None and block.quads > 1000:
                gone = list(build.store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
                build.store.remove_graph(ox.NamedNode(iri))
                counts.take(gone, -1)
                continue
            removed, added = line_diff(old, new)
        if removed:
            quads = list(ox.parse(removed, ox.RdfFormat.N_QUADS))
            for quad in quads:
                build.store.remove(quad)
            counts.take(quads, -1)
        if added:
            quads = list(ox.parse(added, ox.RdfFormat.N_QUADS))
            build.store.extend(quads)
            counts.take(quads, +1)
    report.added, report.removed = counts.added, counts.removed
    phase("store")

    # the dumps: their layout now, their bytes right after publishing (they take a second or
    # more on the full corpus: a reader waits for them, LocalStore.wait_for_files)
    pieces = _plan_dumps(prev_files, manifest, texts, delta.order)
    new_manifest = _layout(pieces)
    new_manifest.write(build.state)
    report.quads = new_manifest.quads
    if not report.graphs:  # no graph's text changed: share the files (an equal layout is not
        # enough: a literal replaced by another of the same length keeps every block's span)
        for kind in ("nquads", "turtle", "trig"):
            os.link(dump_path(prev_files, kind), dump_path(build.files, kind))
    else:
        _stage_dumps(build.state, previous, manifest, pieces)

        def dumps() -> None:
            step = time.perf_counter()
            complete_pending(store, build.name)
            report.phases["dumps after publishing"] = time.perf_counter() - step

        build.after_publish.insert(0, dumps)
    phase("dumps")

    spares = store.root / SPARES_DIR
    _write_cards(prev_files, build.files, delta.cards, spares)
    build.after_publish.append(lambda: keep_spare(store.files_dir(build.name) / CARDS_FILE, spares))
    phase("cards")

    _write_schema_stats(build, prev_files, counts)
    phase("schema statistics")

    _carry_state(prev_state, build.state, delta.state)
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


class _Counts:
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


def _spliced_from(text: GraphText | None, block: GraphBlock | None) -> bool:
    """Whether ``text`` was spliced from the graph's text ``block`` in the previous dumps."""
    return (isinstance(text, SplicedText) and block is not None and block.nquads[1] == text.base_nquads
            and block.turtle[1] == text.base_turtle)  # fmt: skip


def _spliced_diff(source: Path, block: GraphBlock, text: SplicedText) -> tuple[bytes, bytes]:
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


def _plan_dumps(
    source: Path, manifest: DumpManifest, texts: dict[str, GraphText | None], order: list[str] | None
) -> list[GraphBlock | GraphText]:
    """The new snapshot's dumps as pieces in file order: blocks of the previous files (unchanged
    graphs) and new graph texts."""
    present = [b.iri for b in manifest.graphs]
    if order is None:
        order = [iri for iri in present if not (iri in texts and texts[iri] is None)]
        new = [iri for iri, text in texts.items() if text is not None and manifest.get(iri) is None]
        at = order.index(iris.STATS_GRAPH) if iris.STATS_GRAPH in order else len(order)
        order[at:at] = new
    else:
        listed = set(order)
        missing = [iri for iri in present if iri not in listed and not (iri in texts and texts[iri] is None)]
        missing += [iri for iri, text in texts.items() if text is not None and iri not in listed and iri not in present]
        if missing:
            raise DeltaError(f"the delta's graph order leaves out {len(missing)} graph(s), e.g. {missing[0]}")
    pieces: list[GraphBlock | GraphText] = []
    for iri in order:
        block = manifest.get(iri)
        text = texts.get(iri)
        if block is not None and (iri not in texts or _same_text(source, block, text)):
            pieces.append(block)
        elif text is not None and text.quads:
            pieces.append(text)
    return pieces


def _layout(pieces: list[GraphBlock | GraphText]) -> DumpManifest:
    return layout(
        (p.iri, p.quads, p.nquads[1], p.turtle[1])
        if isinstance(p, GraphBlock)
        else (p.iri, p.quads, p.size("nquads"), p.size("turtle"))
        for p in pieces
    )


def _plan_json(plan: tuple[Piece, ...]) -> list[list[int]]:
    """A spliced text's plan as JSON: ``[start, end]`` of the source text, or ``[length]`` of new bytes."""
    return [list(piece) if isinstance(piece, tuple) else [len(piece)] for piece in plan]


def _stage_dumps(state: Path, source: Path, manifest: DumpManifest, pieces: list[GraphBlock | GraphText]) -> None:
    """Keep what the dumps are written from after publishing in ``state``: the new graphs' text
    (of a spliced one, its new pieces) and, in :data:`~bibkg.store.local.PENDING`, the pieces
    in order."""
    (state / _PENDING_DIR).mkdir()
    plan: list[list[str | int | list[list[int]]]] = []
    for number, piece in enumerate(pieces):
        if isinstance(piece, GraphBlock):
            plan.append(["old", piece.iri])
        elif _spliced_from(piece, manifest.get(piece.iri)):  # only the new pieces: the rest is in the source
            assert isinstance(piece, SplicedText)
            for kind, pieces_of in (("nq", piece.nquads_plan), ("ttl", piece.turtle_plan)):
                (state / _PENDING_DIR / f"{number}.{kind}").write_bytes(
                    b"".join(p for p in pieces_of if isinstance(p, bytes))
                )
            plan.append(
                [
                    "spliced",
                    piece.iri,
                    piece.quads,
                    number,
                    _plan_json(piece.nquads_plan),
                    _plan_json(piece.turtle_plan),
                ]
            )
        else:
            (state / _PENDING_DIR / f"{number}.nq").write_bytes(piece.nquads)
            (state / _PENDING_DIR / f"{number}.ttl").write_bytes(piece.turtle)
            plan.append(["new", piece.iri, piece.quads, number])
    data = {"source": source.name, "pieces": plan}
    (state / PENDING).write_text(json.dumps(data), encoding="utf-8")


def complete_pending(store: LocalStore, snapshot: str) -> None:
    """Write the dumps of ``snapshot``, published before them (see :func:`_stage_dumps`): by the
    writer that published it, or, if that one died, by the next writer.  The files appear under
    their names only once complete; the result is checked against the snapshot's manifest."""
    state = store.state_dir(snapshot)
    plan = json.loads((state / PENDING).read_text(encoding="utf-8"))
    source = store.files_dir(plan["source"])
    source_manifest = DumpManifest.read(store.state_dir(plan["source"]))
    if source_manifest is None or not source.is_dir():
        raise StoreError(f"cannot write the dumps of {snapshot}: snapshot {plan['source']} is gone")
    target = store.files_dir(snapshot)
    target.mkdir(parents=True, exist_ok=True)
    dumps = SnapshotDumps(target, partial=True)
    try:
        run: list[GraphBlock] = []
        for piece in plan["pieces"]:
            if piece[0] == "old":
                block = source_manifest.get(piece[1])
                if block is None:
                    raise StoreError(f"cannot write the dumps of {snapshot}: {piece[1]} is not in {plan['source']}")
                run.append(block)
                continue
            dumps.copy(source, run)
            run = []
            iri, quads, number = piece[1:4]
            pending = state / _PENDING_DIR
            nquads, turtle = (pending / f"{number}.nq").read_bytes(), (pending / f"{number}.ttl").read_bytes()
            if piece[0] == "spliced":
                block = source_manifest.get(iri)
                if block is None:
                    raise StoreError(f"cannot write the dumps of {snapshot}: {iri} is not in {plan['source']}")
                dumps.splice(source, block, quads, _plan_from(piece[4], nquads), _plan_from(piece[5], turtle))
            else:
                dumps.add(GraphText(iri, nquads, turtle, quads))
        dumps.copy(source, run)
        if dumps.manifest != DumpManifest.read(state):
            raise StoreError(f"the dumps written for {snapshot} do not match its manifest")
    except BaseException:
        dumps.discard()
        raise
    dumps.publish()
    (state / PENDING).unlink()
    shutil.rmtree(state / _PENDING_DIR, ignore_errors=True)


def _plan_from(data: list[list[int]], new: bytes) -> list[Piece]:
    plan: list[Piece] = []
    at = 0
    for item in data:
        if len(item) == 2:
            plan.append((item[0], item[1]))
        else:
            plan.append(new[at : at + item[0]])
            at += item[0]
    if at != len(new):
        raise StoreError("the staged pieces of a spliced graph do not match its plan")
    return plan


def _same_text(source: Path, block: GraphBlock, text: GraphText | None) -> bool:
    return (
        text is not None
        and block.quads == text.quads
        and block.nquads[1] == text.size("nquads")
        and block.turtle[1] == text.size("turtle")
        and (read_block(source, block, "turtle") == text.turtle and read_block(source, block) == text.nquads)
    )


def _write_cards(source: Path, target: Path, cards: dict[str, PaperCard | None], spares: Path) -> None:
    """The new snapshot's cards file: the previous one (a hard link) if no card changed, else a
    copy of it with the changes (:func:`bibkg.cards.updated_copy`; the spare copy in ``spares``
    when there is one)."""
    old = source / CARDS_FILE
    if not old.is_file():
        return
    cards = real_changes(old, cards) if cards else cards
    if not cards:
        os.link(old, target / CARDS_FILE)
    else:
        updated_copy(old, target / CARDS_FILE, cards, spares=spares)


def _write_schema_stats(build: SnapshotBuild, source: Path, counts: _Counts) -> None:
    previous = schema_stats.read(source)
    if previous is None:  # none kept with the previous snapshot: count afresh (seconds)
        schema_stats.write(build.store, build.files)
        return
    schema_stats.save(schema_stats.adjusted(previous, counts.predicates, counts.classes, counts.graphs), build.files)


def _carry_state(source: Path, target: Path, changes: dict[str, bytes | None]) -> None:
    """The new snapshot's state: the previous state's files hard-linked, except the manifest
    (written anew), the files ``changes`` replaces or deletes, and what the previous snapshot's
    own dumps were written from (:data:`~bibkg.store.local.PENDING` and the ``pending/``
    pieces, of that snapshot alone: a writer killed while it removed them leaves some behind)."""
    for name in changes:
        if Path(name).is_absolute() or ".." in Path(name).parts or name == MANIFEST_FILE:
            raise DeltaError(f"state file name {name!r} is not a plain relative path")
    if source.is_dir():
        base = str(source)
        for root, dirs, files in os.walk(base):
            rel_root = os.path.relpath(root, base)
            if rel_root == ".":
                dirs[:] = [d for d in dirs if d != _PENDING_DIR]  # not walked into
            prefix = "" if rel_root == "." else rel_root.replace(os.sep, "/") + "/"
            made = False
            for name in files:
                rel = prefix + name
                if rel in (MANIFEST_FILE, PENDING) or rel in changes:
                    continue
                if not made:
                    os.makedirs(os.path.join(target, prefix), exist_ok=True)
                    made = True
                os.link(os.path.join(root, name), os.path.join(target, rel))
    for rel, data in changes.items():
        if data is not None:
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
