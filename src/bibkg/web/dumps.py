"""``GET /dumps`` and ``GET /dumps/bibkg.{ext}[.gz]``: whole-graph dumps over HTTP.

Each response is one snapshot: the snapshot the request is pinned to (in the server, the one
all its other answers come from; else the current one) is opened read-only, so an ingest
publishing a new snapshot meanwhile cannot tear it.  The ETag
names the snapshot and the file (``"<snapshot>.<ext>[.gz]"``), ``Last-Modified`` is the
snapshot's publication time; ``If-None-Match`` / ``If-Modified-Since`` answer 304.

A snapshot built by ``bibkg ingest`` comes with its N-Quads, Turtle and TriG dumps in
``STORE/dumps/<snapshot>/`` (:mod:`bibkg.store.snapshot_dumps`): those are served as files, and
their gzipped forms are compressed on the first request and kept.  Any other dump (or any dump
of a snapshot made by ``bibkg load``) is written from the store while the first request streams
(a tee; the file is renamed into place only when complete), and later requests are served from
that file.  When the store directory is not writable the dump is simply streamed each time.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO, cast

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse

from ..errors import NotFound
from ..export.dump import cached_dump, write_dump_maybe_gzip
from ..export.formats import FORMATS, DumpFormat
from ..store.local import LocalStore

HTTP_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld"]
"""Offered over HTTP (RDF/XML is CLI only: nobody downloads the Anthology as RDF/XML)."""
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Snapshot:
    path: Path
    name: str
    mtime: float

    @property
    def last_modified(self) -> str:
        return format_datetime(datetime.fromtimestamp(int(self.mtime), tz=UTC), usegmt=True)


def current(local: LocalStore, snapshot: Path | None = None) -> Snapshot | None:
    """``snapshot`` (the one the request is pinned to, :mod:`bibkg.services`), else the store's
    current one."""
    path = snapshot if snapshot is not None else local.current_snapshot()
    if path is None:
        return None
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return Snapshot(path=path, name=path.name, mtime=mtime)


def parse_name(filename: str) -> tuple[DumpFormat, bool] | None:
    if not filename.startswith("bibkg."):
        return None
    rest = filename[len("bibkg.") :]
    gz = rest.endswith(".gz")
    ext = rest[:-3] if gz else rest
    for name in HTTP_FORMATS:
        if FORMATS[name].ext == ext:
            return FORMATS[name], gz
    return None


def etag_for(snapshot: Snapshot, filename: str) -> str:
    return f'"{snapshot.name}.{filename.removeprefix("bibkg.")}"'


def not_modified(request: Request, etag: str, snapshot: Snapshot) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return int(snapshot.mtime) <= since.timestamp()
    return False


class DumpUnavailable(NotFound):
    """No such dump, or no dumps at all (over an external endpoint); answered as JSON,
    ``{"error": message}`` (:mod:`bibkg.server.error_responses`)."""

    representation = "json"


NO_LOCAL_DUMPS = (
    "no dumps: this server answers from an external SPARQL endpoint and keeps no snapshot to dump; "
    "the dump that was loaded into that server is the data (bibkg export on the store it came from), "
    "or use the server's own export"
)
"""The answer of ``/dumps`` without a local store: streaming millions of quads through a remote
``CONSTRUCT`` would hit the server's result caps (Virtuoso: 10,000 rows) and its timeouts."""


def listing(local: LocalStore | None, base: str, snapshot: Path | None = None) -> Response:
    snap = current(local, snapshot) if local is not None else None
    if snap is None:
        raise DumpUnavailable(NO_LOCAL_DUMPS)
    cached = local.root / "dumps" / snap.name if local else None
    items = []
    for name in HTTP_FORMATS:
        fmt = FORMATS[name]
        for gz in (False, True):
            filename = f"bibkg.{fmt.ext}{'.gz' if gz else ''}"
            path = cached / filename if cached else None
            items.append({
                "file": filename,
                "url": f"{base}/dumps/{filename}",
                "format": fmt.name,
                "media_type": fmt.media_type,
                "gzip": gz,
                "named_graphs": fmt.quads,
                "bytes": path.stat().st_size if path and path.is_file() else None,
                "etag": etag_for(snap, filename),
            })  # fmt: skip
    return JSONResponse(
        {"snapshot": snap.name, "last_modified": snap.last_modified, "dumps": items},
        headers={"Last-Modified": snap.last_modified},
    )


class _QueueWriter:
    """A file-like writer feeding a bounded queue and a cache copy (:class:`_Tee`)."""

    def __init__(self, q: queue.Queue, tee: _Tee) -> None:
        self.q = q
        self.tee = tee
        self.cancelled = threading.Event()
        self.buf = bytearray()

    def write(self, data: bytes) -> int:
        if self.cancelled.is_set():
            raise BrokenPipeError("client went away")
        self.tee.write(data)
        self.buf += data
        if len(self.buf) >= _CHUNK:
            self._put(bytes(self.buf))
            self.buf.clear()
        return len(data)

    def _put(self, item: object) -> None:
        while not self.cancelled.is_set():
            try:
                self.q.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise BrokenPipeError("client went away")

    def flush(self) -> None:
        pass

    def close_stream(self) -> None:
        if self.buf:
            self._put(bytes(self.buf))
            self.buf.clear()


def serve(request: Request, local: LocalStore | None, filename: str, snapshot: Path | None = None) -> Response:
    parsed = parse_name(filename)
    if parsed is None:
        offered = ", ".join(f"bibkg.{FORMATS[n].ext}[.gz]" for n in HTTP_FORMATS)
        raise DumpUnavailable(f"no dump '{filename}'; available: {offered}")
    fmt, gz = parsed
    snap = current(local, snapshot) if local is not None else None
    if local is None or snap is None:
        raise DumpUnavailable(NO_LOCAL_DUMPS)
    etag = etag_for(snap, filename)
    headers = {"ETag": etag, "Last-Modified": snap.last_modified, "Cache-Control": "public, max-age=60",
               "Content-Disposition": f'attachment; filename="{filename}"'}  # fmt: skip
    if not_modified(request, etag, snap):
        return Response(status_code=304, headers=headers)
    media = "application/gzip" if gz else f"{fmt.media_type}; charset=utf-8"
    cache_dir = local.root / "dumps" / snap.name
    cached = cache_dir / filename
    if cached.is_file():
        return FileResponse(cached, media_type=media, headers=headers)
    if request.method == "HEAD":
        return Response(status_code=200, media_type=media, headers=headers)
    derived = cached_dump(local.root, snap.name, fmt, gz)  # kept in the other compression
    if derived is not None:
        return StreamingResponse(_teed(derived, cache_dir, filename), media_type=media, headers=headers)
    return StreamingResponse(_stream(snap, fmt, gz, local, cache_dir, filename), media_type=media, headers=headers)


class _Tee:
    """A copy of a response being written into ``cache_dir/filename``: written under a
    temporary name and kept only if complete.  Writes nothing when the directory is not
    writable."""

    def __init__(self, cache_dir: Path, filename: str) -> None:
        self.target = cache_dir / filename
        self.tmp = cache_dir / f".{filename}.{os.getpid()}.{threading.get_ident()}.partial"
        self.handle: BinaryIO | None
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            self.handle = self.tmp.open("wb", buffering=1 << 20)
        except OSError:
            self.handle = None

    def write(self, data: bytes) -> None:
        if self.handle is not None:
            self.handle.write(data)

    def finish(self, complete: bool) -> None:
        """Publish the copy if ``complete``, else drop it."""
        if self.handle is None:
            return
        self.handle.close()
        if complete:
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)


def _teed(chunks: Iterator[bytes], cache_dir: Path, filename: str) -> Iterator[bytes]:
    """``chunks``, also written to ``cache_dir/filename`` (kept only if complete)."""
    tee = _Tee(cache_dir, filename)
    complete = False
    try:
        for chunk in chunks:
            tee.write(chunk)
            yield chunk
        complete = True
    finally:
        tee.finish(complete)


async def _stream(
    snap: Snapshot, fmt: DumpFormat, gz: bool, local: LocalStore, cache_dir: Path, filename: str
) -> AsyncIterator[bytes]:
    q: queue.Queue = queue.Queue(maxsize=32)  # ≤ 2 MiB in flight: constant memory
    tee = _Tee(cache_dir, filename)
    writer = _QueueWriter(q, tee)
    done = object()

    def produce() -> None:
        ok = False
        try:
            store = ox.Store.read_only(str(snap.path))
            write_dump_maybe_gzip(store, writer, fmt, gz=gz)  # type: ignore[arg-type]
            writer.close_stream()
            ok = True
        except BaseException as exc:  # noqa: BLE001 - reported to the consumer
            if not writer.cancelled.is_set():
                try:
                    q.put(exc, timeout=5)
                except queue.Full:
                    pass
        finally:
            tee.finish(ok)
            if ok:
                writer._put(done)

    thread = threading.Thread(target=produce, name="bibkg-dump", daemon=True)
    thread.start()
    loop = asyncio.get_running_loop()
    empty = object()

    def get() -> object:
        try:
            return q.get(timeout=1.0)
        except queue.Empty:
            return empty

    try:
        while True:
            item = await loop.run_in_executor(None, get)
            if item is empty:
                if not thread.is_alive() and q.empty():
                    break
                continue
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            yield cast(bytes, item)  # what is left: a chunk (_QueueWriter puts bytes, `done` or an exception)
    finally:
        writer.cancelled.set()
