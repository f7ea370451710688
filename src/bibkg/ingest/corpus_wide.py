"""The corpus-wide graphs — events, people, venues, statistics — and the corpus summary kept
with them: built from the facts of every collection (a cold ingest, or an update that must),
or, in an update, kept as they were or spliced (:mod:`bibkg.ingest.corpus_index`)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from .. import iris
from ..anthology.people import PeopleMetadata
from ..mapping.collection import VolumeFacts
from ..mapping.globals import PeopleFacts, events_graph, people_graph, venues_graph
from ..mapping.stats import StatsFacts, stats_graph
from ..mapping.terms import GraphText
from ..store.snapshot_dumps import DumpManifest, GraphBlock, StoredText
from . import corpus_index
from .report import IngestReport
from .state import CollectionFacts, CorpusSummary, same_for_globals


def corpus_graphs(
    report: IngestReport,
    facts: list[CollectionFacts],
    people: PeopleMetadata,
    venues: dict,
    sigs: dict,
    datadir: Path,
    quads_before: int,
) -> tuple[list[GraphText], dict[str, bytes]]:
    """The graphs built from the whole corpus, in dump order (events, people, venues,
    statistics), from the facts of every collection in file order, and the files of their
    index (:mod:`bibkg.ingest.corpus_index`, what the next update splices them with); fills in
    ``report``'s counts and warnings.  ``quads_before``: the quads of the collection graphs."""
    people_facts = PeopleFacts()
    stats = StatsFacts()
    volumes: list[VolumeFacts] = []
    events = []
    for one in facts:
        report.warnings.extend(one.warnings)
        people_facts.absorb(one)
        stats.absorb(one)
        volumes.extend(one.volumes)
        if one.event is not None:
            events.append(one.event)
    report.collections = stats.collections
    report.papers, report.frontmatter = stats.papers, stats.frontmatter
    report.authorships, report.editorships = stats.authorships, stats.editorships
    report.persons = len(set(people.persons) | set(people_facts.names))
    event_writer, event_warnings, event_count = events_graph(volumes, events, venues)
    report.warnings.extend(event_warnings)
    people_text, people_index = people_graph(people, people_facts)
    graphs = [event_writer.finish(), people_text, venues_graph(venues, sigs, {v.full_id for v in volumes}).finish()]
    quads = quads_before + sum(graph.quads for graph in graphs)
    stats_text, stats_index, counts, dataset = stats_graph(
        stats,
        volumes,
        persons=report.persons,
        events=event_count,
        venues=len(venues),
        sigs=len(sigs),
        quads=quads,
        source=datadir,
    )
    graphs.append(stats_text)
    files = corpus_index.full_state(facts, people, people_index, stats_index, counts, dataset,
                                    corpus_index.inputs_key(venues, sigs, datadir))  # fmt: skip
    return graphs, files


def corpus_summary(key: str, report: IngestReport, facts: list[CollectionFacts]) -> CorpusSummary:
    """The report's corpus-wide part after :func:`corpus_graphs` filled it from ``facts``."""
    warnings = {one.collection_id: list(one.warnings) for one in facts}
    collection_warnings = sum(len(w) for w in warnings.values())
    return CorpusSummary(
        key,
        report.collections,
        report.papers,
        report.frontmatter,
        report.authorships,
        report.editorships,
        report.persons,
        warnings,
        list(report.warnings[collection_warnings:]),
    )


def spliced_globals(
    state: Path,
    prev_files: Path,
    manifest: DumpManifest,
    venues: object,
    sigs: object,
    datadir: Path,
    people: PeopleMetadata,
    facts: dict[str, CollectionFacts],
    previous: dict[str, CollectionFacts],
    ids: list[str],
    quads_before: int,
) -> corpus_index.Spliced | None:
    """The people and statistics graphs with only the blocks of the persons and venue-years the
    re-mapped collections changed rendered again (:mod:`bibkg.ingest.corpus_index`), when the
    update allows it: the same venues, SIGs and data directory as the previous snapshot's index,
    and every re-mapped collection with the same volumes and event (the events and venues
    graphs stay as they are); ``None`` otherwise."""
    index = corpus_index.CorpusIndex.read(state)
    if index is None or index.inputs != corpus_index.inputs_key(venues, sigs, datadir):
        return None
    pairs = []
    order = {cid: at for at, cid in enumerate(ids)}
    for cid in sorted(facts, key=order.__getitem__):
        old = previous[cid]
        if old.volumes != facts[cid].volumes or old.event != facts[cid].event:
            return None
        pairs.append((old, facts[cid]))
    people_block, stats_block = manifest.get(iris.PEOPLE_GRAPH), manifest.get(iris.STATS_GRAPH)
    others = [manifest.get(iri) for iri in (iris.EVENTS_GRAPH, iris.VENUES_GRAPH)]
    if people_block is None or stats_block is None or None in others:
        return None
    people_text, stats_text = StoredText(prev_files, people_block), StoredText(prev_files, stats_block)
    others_quads = sum(block.quads for block in cast("list[GraphBlock]", others))  # no None in others: returned above
    return corpus_index.splice(state, index, pairs, order, people, people_text, stats_text,
                               quads_before=quads_before + others_quads, source=datadir)  # fmt: skip


def unchanged_globals(
    key: str,
    summary: CorpusSummary | None,
    facts: dict[str, CollectionFacts],
    previous: dict[str, CollectionFacts],
    remap: set[str],
    added: list[str],
    removed: list[str],
) -> CorpusSummary | None:
    """The previous snapshot's corpus ``summary`` when the corpus-wide graphs stay as they are: the
    same inputs besides the collections (``key``), no collection added or removed, and the
    re-mapped ones the same in every fact those graphs are built from (a title, an abstract, a
    PDF link changed); ``None`` when they must be built again."""
    if added or removed or summary is None or summary.key != key:
        return None
    for cid in remap:
        if not same_for_globals(facts[cid], previous[cid]):
            return None
    return summary


def report_from(report: IngestReport, summary: CorpusSummary, ids: list[str]) -> None:
    """Fill the corpus-wide part of ``report`` as :func:`corpus_graphs` would."""
    report.collections, report.papers, report.frontmatter = summary.collections, summary.papers, summary.frontmatter
    report.authorships, report.editorships, report.persons = summary.authorships, summary.editorships, summary.persons
    report.warnings = [w for cid in ids for w in summary.warnings.get(cid, [])] + list(summary.event_warnings)
