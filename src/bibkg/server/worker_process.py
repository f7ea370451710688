"""One query worker process as the server sees it: start it, and reap it once killed.

Workers are fresh interpreters (``python -c "from bibkg.server.worker import main; main()"``,
connected by a socket pair) rather than forks: the server process has threads and an open
RocksDB, which a fork would copy in an undefined state, and ``multiprocessing``'s
spawn/forkserver would re-import the caller's ``__main__``.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..errors import BibkgError

log = logging.getLogger("bibkg.server")


@dataclass(slots=True)
class WorkerProcess:
    process: Any
    conn: Any
    pid: int


def spawn(spec: tuple[str, str]) -> WorkerProcess:
    """Start one worker on the store ``spec`` and wait until it has opened the store (blocks:
    call it in a thread)."""
    parent_sock, child_sock = socket.socketpair()
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from bibkg.server.worker import main; main()",
                str(child_sock.fileno()),
                *spec,
            ],
            pass_fds=[child_sock.fileno()],
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
    finally:
        child_sock.close()
    parent = Connection(parent_sock.detach())
    try:
        status, detail = parent.recv()
    except EOFError:
        status, detail = "failed", f"worker exited with status {process.wait()}"
    if status != "ready":
        process.kill()
        process.wait()
        parent.close()
        raise BibkgError(f"query worker could not open the store: {detail}")
    return WorkerProcess(process, parent, process.pid)


def reap(worker: WorkerProcess) -> None:
    """Wait for a killed ``worker`` to exit and close its connection (blocks: call it in a thread)."""
    try:
        worker.process.wait(10)
    except subprocess.TimeoutExpired:
        log.error("query worker %s did not exit after SIGKILL", worker.pid)
    try:
        worker.conn.close()
    except OSError:
        pass
