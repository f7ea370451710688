"""Incremental ingest: only the collection files that changed are mapped again.

The current snapshot's update state (:mod:`bibkg.ingest.state`) says what it was ingested from:
the content hash of every collection file and the resolution fingerprint.  A new ingest of a
data directory hashes its files (content, not modification times) and

* maps again the files that are new or whose content changed — every file when the people
  metadata or the corpus' ``<variant>`` registrations changed (person resolution of any entry
  may then change);
* drops the graphs of the files that are gone;
* keeps the people, events, venues and statistics graphs when no fact they are built from
  changed (a title); splices the people and statistics graphs when the re-mapped collections
  kept their volumes (changed authors or names, a correction): only the blocks of the persons
  and venue-years concerned are rendered again (:mod:`bibkg.ingest.corpus_index`); otherwise
  rebuilds them from the facts of every collection (the unchanged ones read from the state)
  with the same code as a cold ingest;
* hands all of it to the store as one delta (:func:`bibkg.store.delta.build_on`): only the quads
  that differ reach the new snapshot, a checkpoint of the current one; the dumps, cards and
  schema counts follow.

The result equals a cold ingest of the same directory, quad for quad and byte for byte in every
dump file, row for row in the paper cards (tested on the full corpus).  When more than :data:`COLD_SHARE` of the files
changed, a cold ingest is faster and is done instead (:data:`COLD_SHARE`).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Set
from pathlib import Path
from typing import TYPE_CHECKING

from .. import iris
from ..anthology.people import PeopleMetadata
from ..anthology.venues import load_sigs, load_venues
from ..anthology.xmlreader import read_collection
from ..cards import CARDS_FILE
from ..errors import StoreError
from ..mapping.collection import CollectionResult, map_collection
from ..mapping.terms import GraphText
from ..read.records import PaperCard
from ..store.delta import Delta, build_on
from ..store.delta_dumps import complete_pending
from ..store.local import LocalStore, SnapshotBuild
from ..store.snapshot_dumps import DumpManifest, StoredText
from .corpus_wide import corpus_graphs, corpus_summary, report_from, spliced_globals, unchanged_globals
from .inputs import load_people_for, with_corrections
from .mapping_pool import Progress, map_corpus, overridden
from .report import IngestReport
from .state import SOURCES, SUMMARY, CollectionFacts, CorpusSummary, Sources, facts_path, globals_key, read_facts
from .units import LayoutError, splice_items

if TYPE_CHECKING:
    from ..corrections.effect import Overrides

_log = logging.getLogger("bibkg.ingest")

COLD_SHARE = 0.5
"""Above this share of changed collection files (and more than :data:`COLD_MIN` of them) the
ingest is done cold: mapping most files again and loading most quads one by one costs more than
a bulk load."""
COLD_MIN = 100
IN_PROCESS = 16
"""Up to this many changed files are mapped in the ingest's own process (no worker start-up)."""


def run_incremental(
    datadir: Path,
    files: list[Path],
    store: LocalStore,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    stage: Callable[[str], None] | None = None,
    wait: bool | float = False,
    overrides: Overrides | None = None,
    remap: set[str] | None = None,
    items: Set[str] | None = None,
    extra_graphs: dict[str, GraphText] | None = None,
    on_published: Callable[[], None] | None = None,
) -> IngestReport | None:
    """Ingest ``datadir`` into ``store`` from its current snapshot; ``None`` when that is not
    possible or not worth it (no snapshot, no update state, most files changed): then the
    caller ingests cold."""
    started = time.perf_counter()
    current = store.current_snapshot()
    if current is None:
        return None
    old = Sources.read(store.state_dir(current))
    if old is None or not (store.files_dir(current) / CARDS_FILE).is_file():
        return None
    people, sources = with_corrections(*load_people_for(datadir, files, hashes=True), overrides)
    changed = sum(old.files.get(cid) != digest for cid, digest in sources.files.items())
    if sources.resolution == old.resolution and changed > max(COLD_MIN, COLD_SHARE * len(files)):
        return None  # most of it changed: the cold path is faster
    loaded = time.perf_counter() - started
    with store.build_snapshot(copy_current=True, wait=wait, kind="ingest", on_published=on_published) as build:
        assert build.previous is not None
        if store.files_pending(build.previous):  # its writer died before its dumps, which the
            complete_pending(store, build.previous.name)  # update reads: write them first
        state = store.state_dir(build.previous)
        old = Sources.read(state)  # again: another writer may have published meanwhile
        if old is None:
            raise StoreError(f"the current snapshot of {store.root} lost its update state; run 'bibkg ingest --full'")
        report = _update(
            datadir,
            files,
            build,
            store,
            old,
            state,
            people,
            sources,
            jobs=jobs,
            progress=progress,
            stage=stage,
            overrides=overrides,
            extra_remap=remap or set(),
            extra_items=items,
            extra_graphs=extra_graphs or {},
        )
    report.phases = {"sources": loaded, **report.phases}
    report.seconds = time.perf_counter() - started
    return report


def _update(
    datadir: Path,
    files: list[Path],
    build: SnapshotBuild,
    store: LocalStore,
    old: Sources,
    state: Path,
    people: PeopleMetadata,
    sources: Sources,
    *,
    jobs: int | None,
    progress: Progress | None,
    stage: Callable[[str], None] | None,
    overrides: Overrides | None = None,
    extra_remap: set[str] | frozenset[str] = frozenset(),
    extra_items: Set[str] | None = None,
    extra_graphs: dict[str, GraphText] | None = None,
) -> IngestReport:
    step = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        nonlocal step
        now = time.perf_counter()
        phases[name] = phases.get(name, 0.0) + now - step
        step = now

    today = datetime.date.today().isoformat()  # before the statistics date their dataset
    venues, sigs = load_venues(datadir), load_sigs(datadir)
    ids = [path.stem for path in files]
    data_part, _, corrections_part = sources.resolution.partition("+")
    old_data_part, _, old_corrections_part = old.resolution.partition("+")
    render: dict[str, Set[str]] = {}  # collection → its only items to render again (the rest is kept)
    if data_part != old_data_part or (corrections_part != old_corrections_part and not extra_remap):
        remap = set(ids)  # person resolution may differ anywhere
    else:  # a correction changes only the files it names (bibkg.corrections.effect settles the rest)
        changed_files = {cid for cid in ids if old.files.get(cid) != sources.files[cid]}
        remap = changed_files | (set(extra_remap) & set(ids))
        if extra_items is not None:  # and in them, only the items it names
            render = dict.fromkeys(remap - changed_files, extra_items)
    removed = [cid for cid in old.files if cid not in sources.files]
    added = [cid for cid in ids if cid not in old.files]
    modified = [cid for cid in ids if cid in old.files and old.files[cid] != sources.files[cid]]
    report = IngestReport(datadir, people.format.value, mode="incremental")
    report.changed = {"added": len(added), "modified": len(modified), "removed": len(removed), "remapped": len(remap)}

    delta = Delta(note=f"ingest of {datadir}: {report.changed}")
    facts: dict[str, CollectionFacts] = {}
    texts: dict[str, GraphText] = {}
    cards: dict[str, list[PaperCard]] = {}
    order_index = {cid: i for i, cid in enumerate(ids)}
    todo = [path for path in files if path.stem in remap]
    partial: dict[str, CollectionResult] = {}  # mapped with only some items rendered
    if len(todo) <= IN_PROCESS or jobs == 1:
        for done, path in enumerate(todo, start=1):
            collection = overridden(overrides, read_collection(path))
            result = map_collection(collection, people, order_index[path.stem], render=render.get(path.stem))
            _take(result, facts, texts, cards, partial)
            if progress:
                progress(done, len(todo), result.collection_id)
    else:
        for result in map_corpus(datadir, people, jobs=jobs, progress=progress, only=remap, overrides=overrides,
                                 render=render):  # fmt: skip
            _take(result, facts, texts, cards, partial)
    phase("mapping")

    previous = {cid: read_facts(state, cid) for cid in sorted(remap | set(removed)) if cid in old.files}
    assert build.previous is not None  # run_incremental builds with copy_current and asserts it
    prev_files = store.files_dir(build.previous)
    manifest = DumpManifest.read(state)
    if manifest is None:
        raise StoreError(f"the current snapshot of {store.root} lost its dumps manifest; run 'bibkg ingest --full'")
    for cid, result in list(partial.items()):
        block = manifest.get(iris.collection_graph(cid))
        kept = None if block is None else _kept_items(result, facts[cid], previous[cid], StoredText(prev_files, block))
        if kept is None:  # mapped whole after all
            path = files[order_index[cid]]
            result = map_collection(overridden(overrides, read_collection(path)), people, order_index[cid])
            assert result.graph is not None
            kept, cards[cid] = result.graph, result.cards
            del partial[cid]
        texts[cid] = kept
    phase("items")
    key = globals_key(sources.resolution, venues, sigs, datadir, today)
    summary_before = CorpusSummary.read(state)
    summary = unchanged_globals(key, summary_before, facts, previous, remap, added, removed)
    prefix = iris.COLLECTION_GRAPH_PREFIX
    known = {b.iri[len(prefix) :]: b.quads for b in manifest.graphs if b.iri.startswith(prefix)}
    quads_before = sum(texts[cid].quads if cid in texts else known.get(cid, 0) for cid in ids)
    global_iris = [iris.EVENTS_GRAPH, iris.PEOPLE_GRAPH, iris.VENUES_GRAPH, iris.STATS_GRAPH]
    globals_: list[GraphText] = []
    phase("facts")
    spliced = None
    if summary is None and summary_before is not None and not (added or removed):
        spliced = spliced_globals(state, prev_files, manifest, venues, sigs, datadir, people,
                                  facts, previous, ids, quads_before)  # fmt: skip

    if summary is None and spliced is None:
        for cid in ids:
            if cid not in facts:
                facts[cid] = read_facts(state, cid)
        phase("facts")
        all_facts = [facts[cid] for cid in ids]
        globals_, index_files = corpus_graphs(report, all_facts, people, venues, sigs, datadir, quads_before)
        summary = corpus_summary(key, report, all_facts)
        global_iris = [graph.iri for graph in globals_]
        delta.state.update(index_files)
    else:
        if spliced is not None:  # the people and statistics graphs spliced, the others kept
            summary = summary_before
            assert summary is not None
            globals_ = [spliced.people, spliced.stats]
            delta.state.update(spliced.files)
            summary.key = key
            data = spliced.dataset
            summary.papers, summary.frontmatter, summary.persons = data.papers, data.frontmatter, data.persons
            summary.authorships, summary.editorships = data.authorships, data.editorships
        # else kept as they are: the statistics' void:triples is recounted by the delta (derivations)
        assert summary is not None  # kept (not None), or spliced and set to summary_before above
        for cid, one in facts.items():
            summary.warnings[cid] = list(one.warnings)
        report_from(report, summary, ids)
        report.corpus_graphs = "kept" if spliced is None else "spliced"
    delta.state[SUMMARY] = summary.dumps()
    phase("global graphs")

    # cards: the papers of re-mapped and removed collections go (of those with some items rendered,
    # the rendered papers), the re-mapped ones come back
    for cid, one in previous.items():
        rendered = partial[cid].units if cid in partial else None
        for paper_id in one.paper_ids():
            if rendered is None or paper_id in rendered:
                delta.delete_card(iris.paper_iri(paper_id))
    for collection_cards in cards.values():
        for card in collection_cards:
            delta.set_card(card)

    for cid, text in texts.items():
        delta.graphs[iris.collection_graph(cid)] = text
        delta.state[facts_path(cid)] = facts[cid].dumps()
    for cid in removed:
        delta.drop_graph(iris.collection_graph(cid))
        delta.state[facts_path(cid)] = None
    for graph in globals_:
        delta.graphs[graph.iri] = graph
    for iri, text in (extra_graphs or {}).items():
        delta.graphs[iri] = text
    delta.state[SOURCES] = sources.to_bytes()
    anthology = [iris.collection_graph(cid) for cid in ids] + global_iris[:-1]
    listed = set(anthology) | {global_iris[-1]}
    others = [b.iri for b in manifest.graphs if b.iri not in listed and not b.iri.startswith(prefix)]
    others += [iri for iri in (extra_graphs or {}) if iri not in others]
    delta.order = anthology + others + [global_iris[-1]]
    if stage:
        stage(f"updating the store: {report.changed}")
    applied = build_on(store, build, delta)
    for name, seconds in applied.phases.items():
        phases[f"delta: {name}"] = seconds
    build.record["changes"] = {"mode": "incremental", **report.changed, **build.record.get("changes", {})}
    build.record["phases"] = {name: round(seconds, 2) for name, seconds in phases.items()}  # in updates.log
    report.quads = applied.quads
    report.phases = phases
    return report


def _take(result, facts, texts, cards, partial) -> None:  # noqa: ANN001
    facts[result.collection_id] = CollectionFacts.of(result)
    if result.graph is None:
        partial[result.collection_id] = result
    else:
        texts[result.collection_id] = result.graph
    cards[result.collection_id] = result.cards


def _kept_items(
    result: CollectionResult, now: CollectionFacts, before: CollectionFacts, previous: GraphText
) -> GraphText | None:
    """The collection's graph: its ``previous`` text with the rendered items replaced (``now``,
    ``before``: the collection's facts in this mapping and in the previous snapshot); ``None``
    (and why, logged) when that cannot be trusted: an item not rendered has other authors than
    before, or the previous text is not laid out as the items say."""
    authors = now.authors  # the facts of this mapping (of the whole collection)
    others = {paper for paper in authors.keys() | before.authors.keys() if paper not in result.units}
    moved = sorted(paper for paper in others if authors.get(paper) != before.authors.get(paper))
    if moved:
        _log.warning("%s: the authors of %s changed, not named by the update: mapped whole", result.collection_id,
                     moved[0])  # fmt: skip
        return None
    try:
        return splice_items(previous, result.items, result.units)
    except LayoutError as exc:
        _log.warning("%s; mapped whole", exc)
        return None


__all__ = ["COLD_SHARE", "run_incremental"]
