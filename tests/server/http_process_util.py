"""A real ``bibkg serve`` process for the HTTP-edge tests (its own process, so the bounded uvicorn
protocol, the limits read from ``BIBKG_*`` and its RSS are the ones an operator gets), plus raw
socket helpers for requests no HTTP client library sends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PORTS = range(18400, 18500)  # this test suite's port range on the shared machine


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
class ServerProcess:
    url: str
    port: int
    proc: subprocess.Popen

    def rss_mib(self) -> float:
        """Resident memory of the server process (not of its query workers), in MiB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def connect(self, rcvbuf: int | None = None) -> socket.socket:
        sock = socket.socket()
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(30)
        sock.connect(("127.0.0.1", self.port))
        return sock


@contextmanager
def serve(store_root: Path, **env: str) -> Iterator[ServerProcess]:
    """``bibkg serve --store store_root`` on a free port of this suite's range, with ``env``
    (``BIBKG_*`` settings) added; stopped (SIGTERM to its process group) on exit."""
    port = free_port()
    full_env = {**os.environ, **{k: str(v) for k, v in env.items()}}
    full_env.pop("BIBKG_STORE", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bibkg",
            "serve",
            "--store",
            str(store_root),
            "--port",
            str(port),
            "--query-workers",
            "2",
        ],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited:\n{proc.stdout.read() if proc.stdout else ''}")
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /health within 90 s")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield ServerProcess(url, port, proc)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def read_all(sock: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """Everything the server sends until it closes (True) or ``timeout`` passes (False)."""
    sock.settimeout(0.5)
    data = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            chunk = sock.recv(1 << 20)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def status_of(response: bytes) -> int | None:
    if not response.startswith(b"HTTP/1."):
        return None
    return int(response.split(b" ", 2)[1])
