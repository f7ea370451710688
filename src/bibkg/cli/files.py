"""The files a command is given and the output it writes: read as UTF-8, written in full."""

from __future__ import annotations

from pathlib import Path

from ..errors import BibkgError


def write_all(out, data: bytes) -> None:  # noqa: ANN001 - a binary stream
    """Write all of ``data``: a buffered write that fails part-way (the reader of a pipe went
    away, a full disk) returns a short count instead of raising, and the rest would be dropped
    silently; the next write raises the error."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        if not written:
            raise OSError(f"could not write to {getattr(out, 'name', 'the output')}")
        view = view[written:]


def read_text_file(option: str, path: str) -> str:
    """The UTF-8 text of ``path``, given by ``option``; a missing or unreadable file is a
    :class:`BibkgError` naming both."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BibkgError(f"{option} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BibkgError(f"{option} {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
