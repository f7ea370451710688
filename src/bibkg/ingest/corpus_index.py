"""The corpus-wide graphs' inputs kept per person and per venue-year, so that an update that
changes a few persons re-renders only their blocks of the people and statistics graphs.

Kept in the snapshot's update state (:mod:`bibkg.ingest.state`), under ``anthology/``:

* ``corpus-index.pickle`` (:class:`CorpusIndex`): where each block of the people and statistics
  graphs starts (:mod:`bibkg.mapping.blocks`), every person's paper count (for the overall
  ranking), the papers of every venue-year, the dataset's counts, and what the people metadata
  said of each person (a digest of their entry, their similar persons);
* ``persons/NN.pickle``: per person (in one of :data:`SHARDS` files by a hash of the id), what
  each collection contributes: the names they were printed under, their names in other
  scripts, their papers per year;
* ``venue-years/NN.pickle``: per venue-year (sharded by venue), papers per author.

:func:`splice` takes an update whose re-mapped collections kept their volumes and event (a
correction, changed authors or names), finds the persons and venue-years whose inputs changed,
re-renders their blocks from these records and splices them into the previous snapshot's graphs.
The result is the graph a full build gives (same blocks, same code: tested on the full corpus
against a cold ingest); any other update builds the graphs in full (:func:`full_state` then
writes the records afresh).
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..anthology.names import Name
from ..anthology.people import PeopleMetadata
from ..mapping.blocks import Block, BlockIndex, block_quads
from ..mapping.blocks import splice as splice_blocks
from ..mapping.globals import person_block, similar_persons
from ..mapping.stats import (
    DATASET,
    PERSONS,
    VENUE_YEARS,
    DatasetFacts,
    StatsCounts,
    dataset_block,
    person_counts_block,  # fmt: skip
    top_authors,
    venue_year_block,
)
from ..mapping.terms import GraphText
from .state import STATE_DIR, CollectionFacts

INDEX = f"{STATE_DIR}/corpus-index.pickle"
PERSONS_DIR = f"{STATE_DIR}/persons"
VENUES_DIR = f"{STATE_DIR}/venue-years"
SHARDS = 64
VERSION = 1
MAX_PERSONS = 5000
"""Above this many persons changed, the graphs are built in full (it is faster)."""

NameKey = tuple[str | None, str]
PersonRecord = list[Any]
"""[collection id → names (first, last) printed, collection id → (text, language tag) of names in
other scripts, year → papers]."""


def shard(key: str) -> int:
    return zlib.crc32(key.encode()) % SHARDS


def _person_path(number: int) -> str:
    return f"{PERSONS_DIR}/{number:02d}.pickle"


def _venue_path(number: int) -> str:
    return f"{VENUES_DIR}/{number:02d}.pickle"


@dataclass
class CorpusIndex:
    """``corpus-index.pickle``: see the module docs."""

    inputs: str
    """A digest of the graphs' inputs besides collections and people metadata (:func:`inputs_key`)."""
    people: BlockIndex
    stats: BlockIndex
    entries: dict[str, bytes]
    similar: dict[str, tuple[str, ...]]
    person_papers: dict[str, int]
    venue_year_papers: Counter[tuple[str, int]]
    dataset: DatasetFacts
    version: int = VERSION

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def read(state: Path) -> CorpusIndex | None:
        try:
            index = pickle.loads((Path(state) / INDEX).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            return None
        return index if isinstance(index, CorpusIndex) and index.version == VERSION else None


def inputs_key(venues: object, sigs: object, datadir: Path) -> str:
    digest = hashlib.sha256()
    for part in (repr(venues), repr(sigs), str(Path(datadir).resolve())):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def entry_digests(people: PeopleMetadata) -> dict[str, bytes]:
    """Person id → a digest of what the people metadata says of them."""
    return {
        pid: hashlib.blake2b(repr(entry).encode(), digest_size=12).digest() for pid, entry in people.persons.items()
    }


def _touched(old: CollectionFacts, new: CollectionFacts) -> set[str]:
    """The persons whose part in a collection differs between its old and new facts: names or
    scripts, or a paper whose authors changed (their papers per year may have)."""
    touched: set[str] = set()
    for before, after in ((old.names, new.names), (old.scripts, new.scripts)):
        for pid in before.keys() | after.keys():
            if before.get(pid) != after.get(pid):
                touched.add(pid)
    for paper in old.authors.keys() | new.authors.keys():
        authors_before, authors_after = old.authors.get(paper, ()), new.authors.get(paper, ())
        if authors_before != authors_after:
            touched.update(authors_before)
            touched.update(authors_after)
    return touched


def _part(facts: CollectionFacts, pids: set[str]) -> dict[str, tuple[Any, Any, Any]]:
    """What ``facts`` say of each of ``pids``: (names printed, names in other scripts, papers
    per year), each ``None`` when it says nothing."""
    years: dict[str, Counter[int]] = {}
    for volume in facts.volumes:
        for paper in volume.paper_ids:
            for pid in facts.authors.get(paper, ()):
                if pid in pids:
                    years.setdefault(pid, Counter())[volume.year] += 1
    parts = {}
    for pid in pids:
        names, scripts = facts.names.get(pid), facts.scripts.get(pid)
        parts[pid] = (tuple((n.first, n.last) for n in names) if names else None,
                      tuple(sorted(scripts)) if scripts else None, years.get(pid))  # fmt: skip
    return parts


def _venue_year_changes(old: CollectionFacts, new: CollectionFacts, into: dict[tuple[str, int], Counter[str]]) -> None:
    """Add to ``into`` the change of each venue-year's papers per author."""
    for volume in new.volumes:
        for paper in volume.paper_ids:
            before, after = old.authors.get(paper, ()), new.authors.get(paper, ())
            if set(before) != set(after):
                for venue_id in volume.venue_ids:
                    change = into.setdefault((venue_id, volume.year), Counter())
                    change.subtract(before)
                    change.update(after)


def full_state(
    facts: list[CollectionFacts],
    people: PeopleMetadata,
    people_index: BlockIndex,
    stats_index: BlockIndex,
    counts: StatsCounts,
    dataset: DatasetFacts,
    inputs: str,
) -> dict[str, bytes]:
    """Every file of the index, written from the facts of every collection (a full build)."""
    records: dict[str, PersonRecord] = {}
    for one in facts:
        cid = one.collection_id
        for pid, used in one.names.items():
            records.setdefault(pid, [{}, {}, {}])[0][cid] = tuple((n.first, n.last) for n in used)
        for pid, found in one.scripts.items():
            if found:
                records.setdefault(pid, [{}, {}, {}])[1][cid] = tuple(sorted(found))
    for pid, years in counts.person_years.items():
        records.setdefault(pid, [{}, {}, {}])[2] = dict(years)
    files: dict[str, bytes] = {}
    person_shards: list[dict[str, PersonRecord]] = [{} for _ in range(SHARDS)]
    for pid, record in records.items():
        person_shards[shard(pid)][pid] = record
    for number, part in enumerate(person_shards):
        files[_person_path(number)] = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
    venue_shards: list[dict[tuple[str, int], dict[str, int]]] = [{} for _ in range(SHARDS)]
    for (venue_id, year), authors in counts.venue_years.items():
        venue_shards[shard(venue_id)][(venue_id, year)] = dict(authors)
    for number, venue_part in enumerate(venue_shards):
        files[_venue_path(number)] = pickle.dumps(venue_part, protocol=pickle.HIGHEST_PROTOCOL)
    index = CorpusIndex(
        inputs, people_index, stats_index, entry_digests(people), similar_persons(people),
        {pid: sum(years.values()) for pid, years in counts.person_years.items()},
        Counter(counts.venue_year_papers), dataset,
    )  # fmt: skip
    files[INDEX] = index.dumps()
    return files


@dataclass(slots=True)
class Spliced:
    """The people and statistics graphs after :func:`splice`, and the index files that changed."""

    people: GraphText
    stats: GraphText
    files: dict[str, bytes]
    dataset: DatasetFacts
    persons: int
    """How many persons' blocks were rendered again."""


class _Shards:
    """The shard files of one kind, read when first needed and written back when changed."""

    def __init__(self, state: Path, path: Any) -> None:
        self.state, self.path = state, path
        self.loaded: dict[int, dict] = {}
        self.changed: set[int] = set()

    def part(self, key: str) -> dict:
        number = shard(key)
        if number not in self.loaded:
            self.loaded[number] = pickle.loads((self.state / self.path(number)).read_bytes())
        return self.loaded[number]

    def touch(self, key: str) -> dict:
        self.changed.add(shard(key))
        return self.part(key)

    def files(self) -> dict[str, bytes]:
        return {
            self.path(n): pickle.dumps(self.loaded[n], protocol=pickle.HIGHEST_PROTOCOL) for n in sorted(self.changed)
        }


def splice(
    state: Path,
    index: CorpusIndex,
    changed: Iterable[tuple[CollectionFacts, CollectionFacts]],
    order: dict[str, int],
    people: PeopleMetadata,
    people_text: GraphText,
    stats_text: GraphText,
    *,
    quads_before: int,
    source: Path | str | None,
    today: Any = None,
) -> Spliced | None:
    """The people and statistics graphs after the collections of ``changed`` ((old facts, new
    facts) pairs, each keeping its volumes) changed, from the previous snapshot's graphs and its
    index in ``state``; ``None`` when too many persons changed (build in full instead).
    ``order``: collection id → its position in the corpus; ``quads_before``: the statements of
    the graphs written before the statistics graph, besides the people graph."""
    persons = _Shards(state, _person_path)
    venue_years = _Shards(state, _venue_path)
    touched: set[str] = set()
    dataset = dataclasses.replace(index.dataset)
    vy_changes: dict[tuple[str, int], Counter[str]] = {}
    for old, new in changed:
        cid = new.collection_id
        dataset.authorships += new.authorships - old.authorships
        dataset.editorships += new.editorships - old.editorships
        dataset.papers += new.papers - old.papers
        dataset.frontmatter += new.frontmatter - old.frontmatter
        changed_here = _touched(old, new)
        touched |= changed_here
        if len(touched) > MAX_PERSONS:
            return None
        before, after = _part(old, changed_here), _part(new, changed_here)
        for pid in changed_here:
            was, now = before[pid], after[pid]
            if was == now:
                continue
            record = persons.touch(pid).setdefault(pid, [{}, {}, {}])
            for part, value in zip(record[:2], now[:2], strict=True):
                if value:
                    part[cid] = value
                else:
                    part.pop(cid, None)
            year_counts = Counter(record[2])
            year_counts.subtract(was[2] or {})
            year_counts.update(now[2] or {})
            record[2] = {year: n for year, n in year_counts.items() if n > 0}
            if not any(record):
                del persons.part(pid)[pid]
        _venue_year_changes(old, new, vy_changes)

    entries = entry_digests(people)
    similar = similar_persons(people)
    for pid in set(entries) | set(index.entries):
        if entries.get(pid) != index.entries.get(pid):
            touched.add(pid)
    for pid in set(similar) | set(index.similar):
        if similar.get(pid) != index.similar.get(pid):
            touched.add(pid)
    if len(touched) > MAX_PERSONS:
        return None

    people_changes: dict[Any, Block | None] = {}
    stats_changes: dict[Any, Block | None] = {}
    person_papers = dict(index.person_papers)
    for pid in touched:
        record = persons.part(pid).get(pid)
        entry = people.persons.get(pid)
        used: list[Name] = []
        scripts: set[tuple[str, str]] = set()
        years: dict[int, int] = {}
        if record is not None:
            for cid in sorted(record[0], key=order.__getitem__):
                for first, last in record[0][cid]:
                    name = Name(first, last)
                    if name not in used:
                        used.append(name)
            for found in record[1].values():
                scripts.update(found)
            years = record[2]
        if entry is None and not used:
            people_changes[pid] = None
        else:
            people_changes[pid] = Block.of(person_block(pid, entry, used, scripts, similar.get(pid, ())))
        if years:
            person_papers[pid] = sum(years.values())
            stats_changes[(PERSONS, pid)] = Block.of(person_counts_block(pid, Counter(years)))
        else:
            person_papers.pop(pid, None)
            stats_changes[(PERSONS, pid)] = None

    for (venue_id, year), delta in vy_changes.items():
        authors = venue_years.touch(venue_id).setdefault((venue_id, year), {})
        for pid, n in delta.items():
            if n:
                authors[pid] = authors.get(pid, 0) + n
                if authors[pid] <= 0:
                    del authors[pid]
        block = venue_year_block(venue_id, year, index.venue_year_papers[(venue_id, year)], Counter(authors))
        stats_changes[(VENUE_YEARS, venue_id, year)] = Block.of(block)

    new_people, people_index = splice_blocks(people_text, index.people, people_changes)
    dataset.persons = len(people_index.keys)
    body_quads = (
        stats_text.quads
        - block_quads(stats_text, index.stats, (DATASET,))
        + sum(
            (block.quads if block is not None else 0) - block_quads(stats_text, index.stats, key)
            for key, block in stats_changes.items()
        )
    )
    block = dataset_block(dataset, top_authors(person_papers), quads=quads_before + new_people.quads + body_quads,
                          source=source, today=today)  # fmt: skip
    stats_changes[(DATASET,)] = Block.of(block)
    new_stats, stats_index = splice_blocks(stats_text, index.stats, stats_changes)
    new_index = CorpusIndex(index.inputs, people_index, stats_index, entries, similar, person_papers,
                            index.venue_year_papers, dataset)  # fmt: skip
    files = {INDEX: new_index.dumps(), **persons.files(), **venue_years.files()}
    return Spliced(new_people, new_stats, files, dataset, len(touched))


__all__ = ["INDEX", "CorpusIndex", "Spliced", "entry_digests", "full_state", "inputs_key", "splice"]
