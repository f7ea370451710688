"""Collection files are hashed once per process while they stay as they are, and read again as
soon as they change, even when a change keeps the size and the modification time."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from bibkg.errors import SourceError
from bibkg.ingest import state


def _old(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``path`` as old as the files of a data directory: an old modification time, and no
    racy window (its change time, which utime sets to now, cannot be moved back)."""
    past = time.time_ns() - 10 * state._RACY_NS
    os.utime(path, ns=(past, past))
    monkeypatch.setattr(state, "_RACY_NS", 0)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = state.read_source

    def counting(path: Path) -> bytes:
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(state, "read_source", counting)
    return seen


def test_an_unchanged_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    path = tmp_path / "2099.x.xml"
    path.write_bytes(b'<collection id="2099.x"><variant/></collection>')
    _old(path, monkeypatch)
    first = state.scan_source(path)
    assert first == state.Scanned(hashlib.sha256(path.read_bytes()).hexdigest(), True)
    assert state.scan_source(path) == first and reads == [path]


def test_a_changed_file_is_read_again_even_with_its_old_size_and_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(monkeypatch)
    path = tmp_path / "2099.y.xml"
    path.write_bytes(b'<collection id="2099.y">AAAA</collection>')
    _old(path, monkeypatch)
    before = path.stat()
    first = state.scan_source(path)
    path.write_bytes(b'<collection id="2099.y">BBBB</collection>')  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old mtime: the ctime still moved
    second = state.scan_source(path)
    assert second.digest != first.digest and second.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(reads) == 2


def test_a_file_changed_just_now_is_not_trusted_to_its_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(monkeypatch)
    path = tmp_path / "2099.z.xml"
    path.write_bytes(b"<collection/>")
    time.sleep(0.01)
    state.scan_source(path)
    state.scan_source(path)
    assert len(reads) == 2  # within the racy window: read each time


def test_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        state.scan_source(tmp_path / "gone.xml")
