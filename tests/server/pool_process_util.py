"""A real ``bibkg serve`` process for the worker-pool and snapshot-lease tests (issue 10 #3 #5 #7
#13): its query workers are real processes that get killed, respawned and leased, which only an
operator's server shows.  ``BIBKG_*`` settings go in through the environment, as an operator's do.

Run against the code before issue 10 with ``PYTHONPATH=/work/base/src``: the server subprocess
inherits the environment, so it runs that code too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PORTS = range(18300, 18400)  # this suite's port range on the shared machine

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
"""A cartesian product over the sample: runs for minutes unless stopped."""


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


@dataclass
class Served:
    url: str
    proc: subprocess.Popen
    log: list[str] = field(default_factory=list)

    def workers(self) -> list[int]:
        """Pids of the server's query worker processes (its children running the worker)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.proc.pid and fields[0] != "Z" and b"bibkg.server.worker" in cmdline:
                found.append(int(entry.name))
        return found

    def output(self) -> str:
        return "".join(self.log)


@contextmanager
def serve(store_root: Path, *, query_workers: int = 2, **env: object) -> Iterator[Served]:
    """``bibkg serve --store store_root`` on a port of this suite's range with ``BIBKG_*`` ``env``;
    stopped (SIGTERM to its process group, then SIGKILL) on exit, and only then left: once every
    process of the group is gone (a query worker that outlives the server for a moment still
    holds its lease on the snapshot it read)."""
    port = free_port()
    full_env = {**os.environ, **{k: str(v) for k, v in env.items()}}
    full_env.pop("BIBKG_STORE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bibkg", "serve", "--store", str(store_root), "--port", str(port),
         "--query-workers", str(query_workers)],
        env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    served = Served(f"http://127.0.0.1:{port}", proc)

    def drain() -> None:  # keep the pipe from filling; the log helps when a test fails
        assert proc.stdout is not None
        for line in proc.stdout:
            served.log.append(line)

    threading.Thread(target=drain, daemon=True).start()
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                time.sleep(0.2)
                raise RuntimeError(f"the server exited:\n{served.output()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /health within 120 s:\n{served.output()}")
            try:
                if httpx.get(served.url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield served
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        _wait_for_group_end(proc.pid)


def _wait_for_group_end(group: int, seconds: float = 20.0) -> None:
    """Wait for the processes of ``group`` to exit (SIGKILL after ``seconds``); a zombie left
    unreaped counts as gone after that (it holds no file, so no lease)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    time.sleep(0.5)


def wait_until_ok(url: str, seconds: float) -> httpx.Response:
    """GET ``url`` until it answers 200 or ``seconds`` pass; the last response."""
    end = time.monotonic() + seconds
    while True:
        try:
            response = httpx.get(url, timeout=5)
        except httpx.HTTPError:
            response = None
        if (response is not None and response.status_code == 200) or time.monotonic() > end:
            if response is None:
                raise AssertionError(f"{url} never answered within {seconds} s")
            return response
        time.sleep(0.1)
