"""Helpers of the server tests: real uvicorn servers on 127.0.0.1 (free port, background thread)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import httpx
import uvicorn

from bibkg.server.app import create_app
from bibkg.server.settings import ServerSettings

try:
    from bibkg.server.http_protocol import uvicorn_options
except ImportError:  # the code before issue 10 (run to show that the new tests fail there)

    def uvicorn_options(settings: ServerSettings) -> dict:
        return {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    settings: ServerSettings
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def app(self):
        return self.server.config.app

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def start_server(settings: ServerSettings) -> RunningServer:
    port = free_port()
    settings = settings.replace(host="127.0.0.1", port=port)
    config_ = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config_)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the test server died while starting")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return RunningServer(url, settings, server, thread)
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    server.should_exit = True
    raise RuntimeError("the test server did not start within 60 s")
