"""``bibkg serve --workers 2`` on a fresh machine: the bundled sample is ingested once, by the
parent, and both worker processes serve it (they used to race to ingest it, and one failed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from sparql_server_util import free_port

QUESTION = '{ coauthors(name: "Yaodong Yang", event: "acl-2025") { totalCount } }'


def test_serve_two_workers_on_a_fresh_sample(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path), "BIBKG_CACHE": str(tmp_path / "cache"),
           "XDG_DATA_HOME": str(tmp_path / "data")}  # fmt: skip
    env.pop("BIBKG_STORE", None)
    proc = subprocess.Popen([sys.executable, "-m", "bibkg", "serve", "--workers", "2", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"the server exited:\n{proc.stdout.read() if proc.stdout else ''}"
            assert time.monotonic() < deadline, "the server did not answer within 120 s"
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=30) as client:
            answers = {client.post("/graphql", json={"query": QUESTION}).text for _ in range(8)}
        assert len(answers) == 1 and '"totalCount":' in answers.pop()
        assert len(list((tmp_path / "cache").glob("sample-*"))) == 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
