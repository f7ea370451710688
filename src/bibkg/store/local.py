"""The embedded store: a directory of immutable Oxigraph snapshots and a pointer to the current one.

Layout of a store directory::

    STORE/
      current            symlink → snapshots/<name>   (replaced atomically by rename)
      snapshots/<name>/  an Oxigraph (RocksDB) database, never written once published
      dumps/<name>/      files derived from that snapshot (RDF dumps, paper cards), published
                         with it or written later by the first reader that needs them
      state/<name>/      what the next update needs to build on that snapshot (where each
                         graph lies in the dumps, the ingest's per-collection facts and source
                         hashes: :mod:`bibkg.store.delta`); published and removed with it;
                         ``pending.json`` there while the snapshot's dumps are still being
                         written after its publication (:meth:`LocalStore.wait_for_files`)
      ingest.lock        held by the one writer (ingest or update) that may run at a time
      updates.log        one JSON line per write: begun, published, failed or abandoned

An ingest builds a new snapshot beside the current one and only then swings ``current`` to it
with an atomic ``rename``.  A malformed file, an exception, Ctrl-C or ``kill -9`` anywhere
before that rename leaves ``current`` exactly as it was; leftovers of an interrupted ingest are
removed by the next one.  Readers open the current snapshot read-only, so a running server is
never disturbed by an ingest.

Writers are serialized by ``ingest.lock``: a second writer waits for it up to the time it asked
for (``wait``), then gets :class:`~bibkg.errors.StoreBusy`.  Every write is logged in
``updates.log`` (:mod:`bibkg.store.updates_log`, append-only JSON lines: what, when, by which command and actor, the snapshot
before and after; an incremental ingest adds what changed and the seconds of its phases); a writer killed mid-way leaves a ``begin`` line that the next writer answers
with an ``abandoned`` line when it removes the leftovers.

A snapshot in use is never deleted: every process that reads a snapshot holds a *lease* on it, a
shared ``flock`` on the snapshot's directory (:mod:`bibkg.store.leases`, taken by
:meth:`LocalStore.open_leased`, which the server and its query workers use).  After publishing, a writer prunes all snapshots but the newest
:func:`~bibkg.store.leases.keep_snapshots` (default 2: the new and the previous one; ``BIBKG_KEEP_SNAPSHOTS``), but
only those whose lease it can take exclusively without waiting; the others are left for a later
writer.  The kernel releases a lease when its process dies, however
it dies, so a crashed server never pins a snapshot for good.  Locking the directory itself needs
no file written into the store, so a read-only store can be served.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import StoreBusy, StoreError
from .leases import SnapshotLease, keep_snapshots, lease_snapshot, try_exclusive
from .updates_log import append_record, command_line, iso_time, read_records, user_name

_STAGING_PREFIX = ".staging-"

PENDING = "pending.json"
"""In a snapshot's state directory while some of its published files are still being written
(by the writer that published it, right after publishing, still holding the lock)."""
PENDING_WAIT = 10.0
"""How long :meth:`LocalStore.wait_for_files` waits by default."""


@dataclass(frozen=True, slots=True)
class SnapshotBuild:
    """A snapshot under construction: its writable store, a directory of files (RDF dumps)
    that are published with it as ``STORE/dumps/<name>/``, and one of update state published
    as ``STORE/state/<name>/``."""

    store: ox.Store
    files: Path
    state: Path = Path()
    previous: Path | None = None
    """The snapshot that was current when the build began (what ``copy_current`` copied)."""
    name: str = ""
    record: dict[str, Any] = field(default_factory=dict)
    """What ``updates.log`` says about this write; the builder may add keys (e.g. ``changes``)."""
    after_publish: list[Callable[[], None]] = field(default_factory=list)
    """Work done right after ``current`` points to the snapshot, still under the writer lock
    and before pruning: files written later than the snapshot (see :data:`PENDING`)."""


class LocalStore:
    """A store directory (see module docs)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def _current_link(self) -> Path:
        return self.root / "current"

    @property
    def _snapshots(self) -> Path:
        return self.root / "snapshots"

    def current_snapshot(self) -> Path | None:
        """Path of the published snapshot, or ``None`` if nothing was ever ingested."""
        link = self._current_link
        if not link.is_symlink():
            return None
        target = link.parent / os.readlink(link)
        return target if target.is_dir() else None

    def exists(self) -> bool:
        return self.current_snapshot() is not None

    def open_read(self, snapshot: Path | None = None) -> ox.Store:
        """Open ``snapshot`` (default: the current one) read-only, without a lease.

        Fine for a short read during which no ingest can prune it; long-lived readers (a server)
        use :meth:`open_leased`.
        """
        snapshot = snapshot or self.current_snapshot()
        if snapshot is None:
            raise StoreError(f"no graph in store {self.root}: run 'bibkg ingest DATA_DIR --store {self.root}' first")
        try:
            return ox.Store.read_only(str(snapshot))
        except OSError as exc:
            raise StoreError(f"cannot open store {snapshot}: {exc}") from exc

    def open_leased(self, snapshot: Path | None = None) -> tuple[ox.Store, SnapshotLease]:
        """Open ``snapshot`` (default: the current one) read-only under a lease (see module docs).

        The caller keeps the lease as long as it uses the store.  Without an explicit snapshot,
        a ``current`` that an ingest swung and pruned between our reading it and our lease is
        read again.
        """
        for _ in range(5):
            chosen = snapshot or self.current_snapshot()
            if chosen is None:
                raise StoreError(
                    f"no graph in store {self.root}: run 'bibkg ingest DATA_DIR --store {self.root}' first"
                )
            try:
                lease = lease_snapshot(chosen)
            except StoreError:
                if snapshot is not None or self.current_snapshot() == chosen:
                    raise
                continue  # current moved on: lease the new one
            try:
                return self.open_read(chosen), lease
            except BaseException:
                lease.release()
                raise
        raise StoreError(f"cannot open store {self.root}: its current snapshot keeps changing")

    @contextmanager
    def _lock(self, *, wait: bool | float = False) -> Iterator[None]:
        """Hold the writer lock; if another writer holds it, wait for it (``True``: as long as it
        takes; a number: up to that many seconds) or raise StoreBusy."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "ingest.lock").open("w") as handle:
            deadline = None if wait is True else time.monotonic() + float(wait or 0)
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    assert deadline is not None  # LOCK_NB (the only way to get here) is set only with a deadline
                    if time.monotonic() >= deadline:
                        waited = f" (waited {float(wait):g} s)" if wait else ""
                        raise StoreBusy(f"another ingest or update is writing to {self.root}{waited}") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def wait_for_ingest(self) -> None:
        """Return once no ingest is writing to this store."""
        with self._lock(wait=True):
            pass

    def state_dir(self, snapshot: Path | str) -> Path:
        """Where the update state of ``snapshot`` (a path or a name) lives (module docs)."""
        return self.root / "state" / Path(snapshot).name

    def log(self, record: dict[str, Any], *, sync: bool = True) -> None:
        """Append one record to ``updates.log`` (a JSON line, flushed to disk unless ``sync`` is
        false: a ``begin`` lost in a power cut is told by the leftovers it leaves, which the
        next writer logs as ``abandoned``)."""
        append_record(self.root, record, sync=sync)

    def read_log(self) -> list[dict[str, Any]]:
        """The records of ``updates.log``, oldest first (a torn last line is skipped)."""
        return read_records(self.root)

    def clone(self, target: Path) -> LocalStore:
        """A new store at ``target`` whose current snapshot is a copy of this one's: a RocksDB
        checkpoint plus hard links of its files and state where the file system allows (no
        copy of the data), for tests and benchmarks that must not write into this store."""
        current = self.current_snapshot()
        if current is None:
            raise StoreError(f"no graph in store {self.root} to clone")
        clone = LocalStore(target)
        (clone.root / "snapshots").mkdir(parents=True)
        ox.Store.read_only(str(current)).backup(str(clone.root / "snapshots" / current.name))
        names = [current.name]
        pending = self.state_dir(current) / PENDING
        if pending.is_file():  # its dumps are still to be written, from the previous snapshot's
            names.append(json.loads(pending.read_text(encoding="utf-8"))["source"])
        for name in names:
            for source, copy in (
                (self.files_dir(name), clone.files_dir(name)),
                (self.state_dir(name), clone.state_dir(name)),
            ):
                if source.is_dir():
                    shutil.copytree(source, copy, copy_function=_link_or_copy)
        clone._point_current_to(clone.root / "snapshots" / current.name)
        return clone

    def files_dir(self, snapshot: Path | str) -> Path:
        """Where the files derived from ``snapshot`` (a path or a name) live."""
        return self.root / "dumps" / Path(snapshot).name

    @contextmanager
    def new_snapshot(self, *, copy_current: bool = False) -> Iterator[ox.Store]:
        """Yield a writable store for a new snapshot; publish it if the block succeeds.

        With ``copy_current`` the new snapshot starts as a copy (a RocksDB checkpoint, mostly
        hard links) of the current one, for incremental updates; otherwise it starts empty.
        If the block raises, the new snapshot is deleted and ``current`` is untouched.
        """
        with self.build_snapshot(copy_current=copy_current) as build:
            yield build.store

    @contextmanager
    def build_snapshot(
        self,
        *,
        copy_current: bool = False,
        wait: bool | float = False,
        command: str | None = None,
        actor: str | None = None,
        kind: str = "ingest",
        on_published: Callable[[], None] | None = None,
    ) -> Iterator[SnapshotBuild]:
        """As :meth:`new_snapshot`, also yielding a directory whose files are published with
        the snapshot (moved to :meth:`files_dir` before ``current`` points to it) and one of
        update state (:meth:`state_dir`).

        ``wait`` is how long to wait for another writer (see :meth:`_lock`); ``command``,
        ``actor`` and ``kind`` go to ``updates.log`` (default: this process's command line and
        user).  ``on_published`` is called as soon as the snapshot is current, before the work
        that follows its publication (``after_publish``: the dumps of an update).
        """
        with self._lock(wait=wait):
            self._remove_leftovers()
            self._snapshots.mkdir(parents=True, exist_ok=True)
            name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
            staging = self._snapshots / (_STAGING_PREFIX + name)
            staging_files = self.root / "dumps" / (_STAGING_PREFIX + name)
            staging_state = self.root / "state" / (_STAGING_PREFIX + name)
            current = self.current_snapshot()
            started = time.time()
            record: dict[str, Any] = {
                "id": name,
                "kind": kind,
                "command": command if command is not None else command_line(),
                "actor": actor if actor is not None else user_name(),
                "pid": os.getpid(),
                "before": current.name if current is not None else None,
            }
            self.log({"event": "begin", "time": iso_time(started), **record}, sync=False)
            try:
                if copy_current and current is not None:
                    ox.Store.read_only(str(current)).backup(str(staging))
                staging_files.mkdir(parents=True)
                staging_state.mkdir(parents=True)
                store = ox.Store(str(staging))
                build = SnapshotBuild(store, staging_files, staging_state, current, name, record)
                yield build
                store.flush()
                del store
                final = self._snapshots / name
                for directory, published in (
                    (staging_files, self.files_dir(final)),
                    (staging_state, self.state_dir(final)),
                ):
                    if any(directory.iterdir()):
                        directory.rename(published)
                    else:
                        directory.rmdir()
                staging.rename(final)
                self._point_current_to(final)
            except BaseException as exc:
                shutil.rmtree(staging, ignore_errors=True)
                shutil.rmtree(staging_files, ignore_errors=True)
                shutil.rmtree(staging_state, ignore_errors=True)
                self.log({"event": "failed", "time": iso_time(time.time()), "id": name, "kind": kind,
                          "error": f"{type(exc).__name__}: {exc}"[:2000]})  # fmt: skip
                raise
            if on_published is not None:  # readers see it now; the log's fsync need not delay them
                on_published()
            self.log({"event": "published", "time": iso_time(time.time()), **record, "after": name,
                      "seconds": round(time.time() - started, 3)})  # fmt: skip
            for work in build.after_publish:
                try:
                    work()
                except Exception as exc:  # noqa: BLE001 - published already; the next writer finishes it
                    self.log({"event": "files-failed", "time": iso_time(time.time()), "id": name,
                              "error": f"{type(exc).__name__}: {exc}"[:2000]})  # fmt: skip
            self._prune(keep={final, current})

    def files_pending(self, snapshot: Path | str) -> bool:
        """True while files of ``snapshot`` are still being written after it was published (its
        dumps, after an update: :mod:`bibkg.store.delta`)."""
        return (self.state_dir(snapshot) / PENDING).exists()

    def wait_for_files(self, snapshot: Path | str, timeout: float = PENDING_WAIT) -> bool:
        """Wait up to ``timeout`` seconds for the files of ``snapshot`` written after its
        publication; True once they are all there.  A reader about to serve a published file
        (``/dumps``, ``bibkg export``) calls it first instead of writing the file itself."""
        deadline = time.monotonic() + timeout
        while self.files_pending(snapshot):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def _point_current_to(self, snapshot: Path) -> None:
        tmp_link = self.root / f".current-{os.getpid()}"
        if tmp_link.is_symlink():
            tmp_link.unlink()
        tmp_link.symlink_to(snapshot.relative_to(self.root))
        os.replace(tmp_link, self._current_link)  # atomic on POSIX
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _remove_leftovers(self) -> None:
        """Remove what a killed writer left (staging directories) and say so in the log."""
        abandoned: set[str] = set()
        for parent in (self._snapshots, self.root / "dumps", self.root / "state"):
            if parent.is_dir():
                for path in parent.iterdir():
                    if path.name.startswith(_STAGING_PREFIX):
                        abandoned.add(path.name[len(_STAGING_PREFIX) :])
                        shutil.rmtree(path, ignore_errors=True)
        for name in sorted(abandoned):
            self.log({"event": "abandoned", "time": iso_time(time.time()), "id": name})

    def _prune(self, keep: set[Path | None]) -> None:
        """Remove snapshots other than ``keep`` and the newest :func:`keep_snapshots` (and
        staging ones), with their files, except those a reader holds a lease on (they go with a
        later write)."""
        keep = set(keep)
        published = [p for p in self._snapshots.iterdir() if not p.name.startswith(_STAGING_PREFIX)]
        published.sort(key=_age_key, reverse=True)
        keep.update(published[: keep_snapshots()])
        kept = {p.name for p in keep if p is not None}
        for path in self._snapshots.iterdir():
            if path in keep or path.name.startswith(_STAGING_PREFIX):
                continue
            fd = try_exclusive(path)
            if fd is None and path.is_dir():
                kept.add(path.name)  # in use: keep it and its files
                continue
            try:
                shutil.rmtree(path, ignore_errors=True)
            finally:
                if fd is not None:
                    os.close(fd)
        for files in (self.root / "dumps", self.root / "state"):
            if files.is_dir():
                for path in files.iterdir():
                    if path.name not in kept and not path.name.startswith(_STAGING_PREFIX):
                        shutil.rmtree(path, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _age_key(snapshot: Path) -> float:
    """Newest last: a published snapshot is never written again, so its directory's mtime is
    when it was built."""
    try:
        return snapshot.stat().st_mtime
    except OSError:
        return 0.0
