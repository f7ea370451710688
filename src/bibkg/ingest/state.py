"""What an ingest keeps with its snapshot so that the next ingest can be incremental.

In the snapshot's update state (``STORE/state/<snapshot>/``, see
:mod:`bibkg.store.local`), under ``anthology/``:

* ``sources.json``: the content hash (SHA-256) of every collection file, in file order, and a
  fingerprint of what person resolution depends on beyond the file itself (the people metadata
  and the legacy ``<variant>`` registrations, :func:`resolution_fingerprint`);
* ``facts/<collection id>.pickle``: per collection file, what the corpus-wide graphs (people,
  events, statistics) and the paper cards need from its mapping (:class:`CollectionFacts`).
* ``corpus-index.pickle``, ``persons/``, ``venue-years/``: the corpus-wide graphs' inputs per
  person and per venue-year, and where each one's block lies in those graphs, so that an update
  re-renders only the blocks it changed (:mod:`bibkg.ingest.corpus_index`).

An incremental ingest re-maps only the files whose hash changed (all of them when the
resolution fingerprint changed) and rebuilds the corpus-wide graphs from the facts of every
collection, the unchanged ones read from here: the same code on the same facts as a cold
ingest, hence the same graphs.  Unchanged facts files are carried to the next snapshot as hard
links (:func:`bibkg.store.delta.apply_delta`).  The files are written by bibkg into the store
directory and read back only from there (pickle: a store directory is trusted like its
database).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..anthology.names import Name
from ..anthology.people import PeopleMetadata
from ..anthology.records import EventDecl
from ..anthology.resolve import Warning
from ..mapping.collection import CollectionResult, VolumeFacts
from ..safeparse import read_source

STATE_DIR = "anthology"
SOURCES = f"{STATE_DIR}/sources.json"
FACTS_DIR = f"{STATE_DIR}/facts"
SUMMARY = f"{STATE_DIR}/corpus-summary.pickle"
VERSION = 1


@dataclass(slots=True)
class CollectionFacts:
    """One collection's mapping, as far as the corpus-wide graphs and the cards need it."""

    collection_id: str
    papers: int = 0
    frontmatter: int = 0
    authorships: int = 0
    editorships: int = 0
    warnings: list[Warning] = field(default_factory=list)
    names: dict[str, list[Name]] = field(default_factory=dict)
    scripts: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    volumes: list[VolumeFacts] = field(default_factory=list)
    event: EventDecl | None = None
    authors: dict[str, list[str]] = field(default_factory=dict)
    """paper id → its authors' person ids, each once, in order."""

    @classmethod
    def of(cls, result: CollectionResult) -> CollectionFacts:
        authors: dict[str, list[str]] = {}
        for item_id, role, _position, pid in result.contributions:
            if role == "author":
                people = authors.setdefault(item_id, [])
                if pid not in people:
                    people.append(pid)
        return cls(result.collection_id, result.papers, result.frontmatter, result.authorships, result.editorships,
                   list(result.warnings), result.names, result.scripts, list(result.volumes), result.event, authors)  # fmt: skip

    def paper_ids(self) -> list[str]:
        """The papers (not front matter) of the collection: those that have cards."""
        return [paper for volume in self.volumes for paper in volume.paper_ids]

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(data: bytes) -> CollectionFacts:
        facts = pickle.loads(data)
        if not isinstance(facts, CollectionFacts):
            raise ValueError("not the facts of a collection")
        return facts


def facts_path(collection_id: str) -> str:
    """The facts file of a collection, relative to the state directory."""
    return f"{FACTS_DIR}/{collection_id}.pickle"


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Scanned:
    """What an ingest needs of a collection file before mapping it: its content hash, and
    whether it has legacy ``<variant>`` names to register."""

    digest: str
    has_variants: bool


_RACY_NS = 2_000_000_000
"""A file changed less than this long before it was read is read again next time: a second
write within the file system's timestamp granularity could leave its size and times as they
were (git's "racy" entries)."""
_SCANNED: dict[str, tuple[tuple[int, int, int, int, int], Scanned]] = {}


def scan_source(path: Path) -> Scanned:
    """:class:`Scanned` of the collection file at ``path``, read (size-limited:
    :func:`bibkg.safeparse.read_source`) unless this process read it before and its inode,
    size, modification and change times are still the same (a long-running server that applies
    corrections reads the corpus's 114 MB once, not at each update)."""
    try:
        st = os.stat(path)
    except OSError:
        return _scan(path)  # read_source says what is wrong, as a SourceError
    key = str(path)
    stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    cached = _SCANNED.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    scanned = _scan(path)
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > _RACY_NS:
        _SCANNED[key] = (stamp, scanned)
    else:
        _SCANNED.pop(key, None)
    return scanned


def _scan(path: Path) -> Scanned:
    data = read_source(path)
    return Scanned(file_hash(data), b"<variant" in data)


def resolution_fingerprint(people: PeopleMetadata, file_ids: dict[int, str]) -> str:
    """A hash of everything person resolution depends on besides the entry itself: the people
    metadata (format, persons with their names, flags and ids) and the ``<variant>`` names
    registered from the corpus, their positions named by collection id (``file_ids``: file
    index → collection id) so that adding a file before them does not change it."""
    digest = hashlib.sha256()
    digest.update(people.format.value.encode())
    for pid in sorted(people.persons):
        entry = people.persons[pid]
        digest.update(repr((pid, entry)).encode())
    for name, (pid, (file_index, seq)) in sorted(people.variant_owners.items(), key=lambda kv: repr(kv[0])):
        digest.update(repr((name.first, name.last, pid, file_ids.get(file_index), seq)).encode())
    return digest.hexdigest()


@dataclass(slots=True)
class Sources:
    """``sources.json``: what the snapshot was ingested from."""

    files: dict[str, str]
    """collection id → SHA-256 of its file, in file order."""
    resolution: str
    datadir: str = ""

    def to_bytes(self) -> bytes:
        data = {"version": VERSION, "datadir": self.datadir, "resolution": self.resolution,
                "files": [[cid, digest] for cid, digest in self.files.items()]}  # fmt: skip
        return json.dumps(data, indent=0, ensure_ascii=False).encode()

    @classmethod
    def read(cls, state: Path) -> Sources | None:
        try:
            data = json.loads((Path(state) / SOURCES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        return cls(dict(data["files"]), data["resolution"], data.get("datadir", ""))


def read_facts(state: Path, collection_id: str) -> CollectionFacts:
    return CollectionFacts.loads((Path(state) / facts_path(collection_id)).read_bytes())


GLOBAL_FIELDS = (
    "papers",
    "frontmatter",
    "authorships",
    "editorships",
    "names",
    "scripts",
    "volumes",
    "event",
    "authors",
)
"""The facts of a collection that the corpus-wide graphs (people, events, venues, statistics)
are built from: its warnings go only to the ingest's report."""


def same_for_globals(a: CollectionFacts, b: CollectionFacts) -> bool:
    """Whether the corpus-wide graphs built with ``a`` equal those built with ``b``."""
    return all(getattr(a, name) == getattr(b, name) for name in GLOBAL_FIELDS)


@dataclass
class CorpusSummary:
    """What an ingest reports about the whole corpus, and the inputs of its corpus-wide graphs
    besides the collections' facts (``key``): an update that changes neither those inputs nor
    any collection's :data:`GLOBAL_FIELDS` keeps the corpus-wide graphs as they are and takes
    its report from here instead of reading the facts of every collection."""

    key: str
    collections: int
    papers: int
    frontmatter: int
    authorships: int
    editorships: int
    persons: int
    warnings: dict[str, list[Warning]]
    """collection id → its warnings, in file order."""
    event_warnings: list[Warning]

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def read(state: Path) -> CorpusSummary | None:
        try:
            summary = pickle.loads((Path(state) / SUMMARY).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None
        return summary if isinstance(summary, CorpusSummary) else None


def globals_key(resolution: str, venues: object, sigs: object, datadir: Path, today: str) -> str:
    """A hash of the corpus-wide graphs' inputs other than the collections: person resolution
    (people metadata and applied corrections), venues, SIGs, the data directory the statistics
    name, and the day (the dataset's ``dcterms:created``)."""
    digest = hashlib.sha256()
    for part in (resolution, repr(venues), repr(sigs), str(Path(datadir).resolve()), today):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()
