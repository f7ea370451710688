from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).parent))
from web_support import make_app, make_runner

from bibkg.store.local import LocalStore


@pytest.fixture(scope="session")
def web_runner(sample_store: LocalStore):
    """A query runner on the sample (for calling the page functions directly)."""
    return make_runner(sample_store)


@pytest.fixture(scope="session")
def web_app(sample_store: LocalStore) -> FastAPI:
    return make_app(sample_store)


@pytest.fixture(scope="session")
def client(web_app: FastAPI):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(web_app: FastAPI):
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)
