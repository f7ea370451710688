"""Helpers of the external-server tests (a module with a unique name: ``conftest`` is ambiguous
when the whole suite runs)."""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "external-servers.sh"
SERVERS = ("oxigraph", "virtuoso")
VIRTUOSO_TEST_MAX_ROWS = 300
"""Small enough that the name index and ``/sparql`` results over the sample exceed it."""


@dataclass(frozen=True)
class External:
    kind: str
    endpoint: str
    directory: Path


def free_port_pair() -> int:
    """A port ``p`` with ``p`` and ``p + 1`` free on 127.0.0.1 (Virtuoso takes both)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as t:
            try:
                t.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two consecutive free ports")


def run_script(*args: str, env: dict[str, str] | None = None, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def unavailable(reason: str) -> None:
    """Skip — or fail in CI, which must run these tests."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the external-server tests: {reason}")
    pytest.skip(reason)


def start_external(kind: str, dump: Path, directory: Path, env: dict[str, str] | None = None) -> External:
    if not SCRIPT.is_file():
        unavailable(f"{SCRIPT} is missing")
    installed = run_script("install", kind)
    if installed.returncode != 0:
        unavailable(f"cannot install {kind} here: {installed.stderr.strip() or installed.returncode}")
    started = run_script("start", kind, str(dump), str(directory), str(free_port_pair()), env=env)
    if started.returncode != 0:
        pytest.fail(f"scripts/external-servers.sh start {kind} failed: {started.stderr.strip()}")
    return External(kind, started.stdout.strip().splitlines()[-1], directory)
