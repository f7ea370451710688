"""Paper cards: what a listing of papers shows, kept per snapshot for the largest pages.

A person page lists every paper of the person with its title, year, volume, booktitle, PDF,
venues and authors in order; a volume page lists its papers the same way.  Read from the graph, the most prolific author's page needs
several thousand index lookups (~400 papers, ~1,600 authorships), most of the page's time.  The
ingest already has each paper's card in hand while it maps the collection, so it writes the
cards into a small SQLite file published with the snapshot (``STORE/dumps/<snapshot>/``,
:meth:`bibkg.store.local.LocalStore.build_snapshot`): the page then reads a person's cards with
one indexed lookup.  The file is derived data, never a source: it is written from the same
mapping as the graph, published and removed with it, and a snapshot without it (one made by
``bibkg load``, or a remote SPARQL endpoint) is read from the graph instead, with the same
result (tests compare both on every person of the sample and on the full corpus).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from .read.records import PaperCard

CARDS_FILE = "paper-cards.sqlite"
"""Name of the cards file in a snapshot's directory of derived files."""
SPARES_DIR = "spare"
"""A store's directory of the spare copy of its current cards file (:func:`keep_spare`)."""

_SCHEMA = """
CREATE TABLE card (paper TEXT PRIMARY KEY, volume TEXT, card TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX card_volume ON card (volume);
CREATE TABLE author (person TEXT NOT NULL, paper TEXT NOT NULL, PRIMARY KEY (person, paper)) WITHOUT ROWID;
"""
_CARD_FIELDS = ("title", "year", "volume", "booktitle", "pdf", "venues", "authors")
"""The fields of a card's JSON array, in order (:meth:`PaperCard._json`)."""
CARDS_VERSION = int.from_bytes(hashlib.sha256(repr((_SCHEMA, _CARD_FIELDS)).encode()).digest()[:4], "big") >> 1
"""The file's layout (SQLite ``user_version``, a positive 31-bit number), derived from its schema
and the card's fields, so that a change of either changes it; a file of another layout is not read."""


def _card_json(card: PaperCard) -> str:
    return json.dumps([getattr(card, name) for name in _CARD_FIELDS], ensure_ascii=False, separators=(",", ":"))


def _card_from_json(iri: str, text: str) -> PaperCard:
    fields = dict(zip(_CARD_FIELDS, json.loads(text), strict=True))
    fields["venues"] = tuple(sorted(fields["venues"]))  # listings give them sorted (bibkg.read.listings)
    fields["authors"] = tuple((p, n) for p, n in fields["authors"])
    return PaperCard(iri, **fields)


class CardWriter:
    """Writes the cards file at ``path`` (a new file); :meth:`close` commits it.

    The cards are collected in a work file beside ``path`` and copied into ``path`` by
    :func:`canonical_copy`: the file's bytes then depend on the cards only, not on the order
    they were added in.  (An update changes a copy of the previous file in place,
    :func:`updated_copy`: the same content, another page layout.)"""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._work = self.path.with_name(f".{self.path.name}.work")
        self._db = _new_database(self._work)

    def add(self, cards: Iterable[PaperCard]) -> None:
        self.insert(self._db, cards)

    @staticmethod
    def insert(db: sqlite3.Connection, cards: Iterable[PaperCard]) -> None:
        """Insert ``cards`` into an open cards database (inside the caller's transaction)."""
        cards = list(cards)
        db.executemany("INSERT INTO card VALUES (?, ?, ?)", [(c.iri, c.volume, _card_json(c)) for c in cards])
        db.executemany(
            "INSERT OR IGNORE INTO author VALUES (?, ?)", [(person, c.iri) for c in cards for person, _ in c.authors]
        )

    def close(self) -> None:
        self._db.execute("COMMIT")
        self._db.close()
        canonical_copy(self._work, self.path)
        self._work.unlink()

    def __enter__(self) -> CardWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self._db.close()
            self._work.unlink(missing_ok=True)


def _new_database(path: Path) -> sqlite3.Connection:
    """A new, empty cards database at ``path``, in a transaction (the same statements for
    every writer: the database header, which ``VACUUM INTO`` keeps, is then the same too)."""
    Path(path).unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA user_version={CARDS_VERSION};" + _SCHEMA + "BEGIN;"
    )
    return db


def real_changes(source: Path, changes: dict[str, PaperCard | None]) -> dict[str, PaperCard | None]:
    """The ``changes`` that change the cards file ``source``: a card set to what it already is
    (an update re-maps whole collections: most of their cards come back the same) is left out."""
    db = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)
    try:
        iris = list(changes)
        old: dict[str, str] = {}
        for start in range(0, len(iris), 500):
            chunk = iris[start : start + 500]
            old.update(db.execute(f"SELECT paper, card FROM card WHERE paper IN ({','.join('?' * len(chunk))})", chunk))
    finally:
        db.close()
    return {
        iri: card for iri, card in changes.items()
        if (card is None and iri in old) or (card is not None and old.get(iri) != _card_json(card))
    }  # fmt: skip


def updated_copy(
    source: Path, target: Path, changes: dict[str, PaperCard | None], *, spares: Path | None = None
) -> None:
    """Write into ``target`` the cards of ``source`` with ``changes`` (paper IRI → new card, or
    ``None``: removed): a copy of the file changed in place.  The copy is the spare one
    :func:`keep_spare` made of ``source`` in ``spares`` when there is one (taken: it serves once),
    else one made now (the kernel copies it without reading it into this process).  Its content
    (:func:`content`) is what a :class:`CardWriter` given the resulting cards writes; its page
    layout may differ."""
    target = Path(target)
    work = target.with_name(f".{target.name}.work")
    try:
        if spares is None:
            raise FileNotFoundError
        os.replace(_spare_of(source, spares), work)
    except FileNotFoundError:
        shutil.copyfile(source, work)
    db = sqlite3.connect(work, isolation_level=None)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;")
        for iri in changes:
            row = db.execute("SELECT card FROM card WHERE paper = ?", (iri,)).fetchone()
            if row is not None:
                before = _card_from_json(iri, row[0])
                db.executemany(
                    "DELETE FROM author WHERE person = ? AND paper = ?", [(p, iri) for p, _ in before.authors]
                )
                db.execute("DELETE FROM card WHERE paper = ?", (iri,))
        CardWriter.insert(db, [card for card in changes.values() if card is not None])
        db.execute("COMMIT")
    finally:
        db.close()
    work.rename(target)


def keep_spare(cards: Path, spares: Path) -> None:
    """Copy the cards file ``cards`` into the directory ``spares`` (replacing the spare of any
    other file) for the next update to change in place (:func:`updated_copy`): the copy, a
    large part of a small update's time on the full corpus, is then made after a snapshot is
    published instead of before the next one is.  A spare belongs to one file (its device,
    inode, size and modification time: a published cards file is never changed) and appears
    under its name only once complete."""
    if not cards.is_file():
        return
    spare = _spare_of(cards, spares)
    if spare.is_file():
        return
    spares.mkdir(exist_ok=True)
    for old in spares.iterdir():  # spares of other files; copies left unfinished by a killed process
        try:
            if not old.name.startswith(".") or old.stat().st_mtime < time.time() - 600:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # taken or finished meanwhile
            continue
    work = spares / f".{spare.name}.{os.getpid()}-{threading.get_ident()}.work"  # its own: two may copy at once
    try:
        shutil.copyfile(cards, work)
        os.replace(work, spare)
    finally:
        work.unlink(missing_ok=True)


def _spare_of(cards: Path, spares: Path) -> Path:
    st = cards.stat()
    return spares / f"{st.st_dev}-{st.st_ino}-{st.st_size}-{st.st_mtime_ns}-{CARDS_FILE}"


def content(path: Path) -> list[list[tuple]]:
    """Every row of the cards file ``path``, table by table in key order: two files with the
    same content hold the same cards, whatever their page layout."""
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [db.execute("SELECT * FROM card ORDER BY paper").fetchall(),
                db.execute("SELECT * FROM author ORDER BY person, paper").fetchall(),
                db.execute("PRAGMA user_version").fetchall()]  # fmt: skip
    finally:
        db.close()


def canonical_copy(source: Path, target: Path) -> None:
    """Copy the cards database ``source`` into the new file ``target`` with ``VACUUM INTO``: the
    copy is compact and its bytes are a function of the content alone (every table rebuilt in
    key order), whatever inserts and deletes made ``source``."""
    target = Path(target)
    target.unlink(missing_ok=True)
    db = sqlite3.connect(source, isolation_level=None)
    try:
        db.execute("VACUUM INTO ?", (str(target),))
    finally:
        db.close()


class PaperCards:
    """Read-only access to a snapshot's cards file; safe to share between threads.

    The file is opened once, here: like the snapshot's store, it stays readable for as long as
    the reader lives, even after a later ingest has pruned the snapshot it belongs to."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # immutable: the file never changes once published, so SQLite skips its file locking;
        # one connection serves every thread, one query at a time (as SQLite would anyway)
        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    @classmethod
    def find(cls, directory: Path | None) -> PaperCards | None:
        """The cards of the snapshot whose derived files are in ``directory``, if it has them
        (in the layout this version writes)."""
        if directory is None or not (Path(directory) / CARDS_FILE).is_file():
            return None
        cards = cls(Path(directory) / CARDS_FILE)
        if cards._db.execute("PRAGMA user_version").fetchone()[0] != CARDS_VERSION:
            cards._db.close()
            return None
        _read_ahead(cards.path)
        return cards

    def of_author(self, person: str) -> list[PaperCard]:
        """The cards of the papers ``person`` (an IRI) is an author of, in no particular order."""
        return self._cards(
            "SELECT c.paper, c.card FROM author a JOIN card c ON c.paper = a.paper WHERE a.person = ?", person
        )

    def of_papers(self, papers: Iterable[str]) -> dict[str, PaperCard]:
        """The cards of those of ``papers`` (IRIs) that have one, by IRI."""
        papers = list(papers)
        found: dict[str, PaperCard] = {}
        for start in range(0, len(papers), _PARAMETERS):
            batch = papers[start : start + _PARAMETERS]
            sql = f"SELECT paper, card FROM card WHERE paper IN ({','.join('?' * len(batch))})"
            found.update((card.iri, card) for card in self._cards(sql, *batch))
        return found

    def of_years(self, years: range) -> list[PaperCard]:
        """The cards of the papers published in ``years``, in no particular order (a full scan:
        the year is inside the card)."""
        sql = f"SELECT paper, card FROM card WHERE CAST(json_extract(card, '$[{_CARD_FIELDS.index('year')}]') AS INTEGER) BETWEEN ? AND ?"
        return self._cards(sql, years.start, years.stop - 1)

    def _cards(self, sql: str, *keys: str | int) -> list[PaperCard]:
        with self._lock:
            rows = self._db.execute(sql, keys).fetchall()
        return [_card_from_json(iri, text) for iri, text in rows]


_PARAMETERS = 500
"""Keys per lookup of :meth:`PaperCards.of_papers` (SQLite allows at least 999 parameters)."""


def _read_ahead(path: Path) -> None:
    """Ask the kernel to bring the file into the page cache in the background: a person's cards
    are scattered over it, and each page read from disk on a first visit costs a disk seek."""
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    finally:
        os.close(fd)
