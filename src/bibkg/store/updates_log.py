"""The store's update log, ``STORE/updates.log``: one JSON line per write (begun, published,
failed or abandoned), appended and read back, and what a record says of the writer (when, by
which command and user)."""

from __future__ import annotations

import getpass
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

LOG_FILE = "updates.log"


def append_record(root: Path, record: dict[str, Any], *, sync: bool = True) -> None:
    """Append one record to ``root``'s ``updates.log``, flushed to disk unless ``sync`` is false."""
    line = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n"
    fd = os.open(root / LOG_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, line.encode())
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def read_records(root: Path) -> list[dict[str, Any]]:
    """The records of ``root``'s ``updates.log``, oldest first (a torn last line is skipped)."""
    path = root / LOG_FILE
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def iso_time(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


def command_line() -> str:
    argv = list(sys.argv)
    if argv:
        argv[0] = os.path.basename(argv[0])
    return " ".join(argv)[:1000]


def user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"
