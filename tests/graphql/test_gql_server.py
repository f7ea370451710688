"""A real server (uvicorn on 127.0.0.1, free port) and a plain httpx GraphQL client; GraphiQL in
headless Chromium without internet access."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

EXPECTED = json.loads(
    (Path(__file__).resolve().parents[2] / "data/expected/coauthors-yaodong-yang.ids.json").read_text()
)
SEED = """query Seed($event: ID, $venue: ID, $year: Int) {
  coauthors(name: "Yaodong Yang", event: $event, venue: $venue, year: $year) {
    totalCount edges { count node { id } } } }"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Server:
    def __init__(self, app) -> None:
        self.port = _free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def _check_seed(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for reading, variables in (
            ("event:acl-2025", {"event": "acl-2025"}),
            ("venue:acl:2025", {"venue": "acl", "year": 2025}),
        ):
            response = client.post(
                "/graphql",
                json={"query": SEED, "variables": variables, "operationName": "Seed"},
                headers={"accept": "application/graphql-response+json"},
            )
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("application/graphql-response+json")
            edges = response.json()["data"]["coauthors"]["edges"]
            assert {e["node"]["id"]: e["count"] for e in edges} == EXPECTED[reading]
        get = client.get("/graphql", params={"query": '{ person(id: "juntao-dai") { name names } }'})
        assert get.json() == {"data": {"person": {"name": "Josef Dai", "names": ["Josef Dai", "Juntao Dai"]}}}


def test_own_app_over_real_http(app):
    with _Server(app) as base:
        _check_seed(base)


@pytest.fixture(scope="module")
def server_app(sample_copy, tmp_path_factory):
    """The project's app factory (bibkg.server.app.create_app) on a fresh copy of the sample store."""
    try:
        from bibkg.server.app import create_app
        from bibkg.server.settings import ServerSettings
    except ImportError as exc:  # pragma: no cover - before the server package landed
        pytest.skip(f"bibkg.server.app.create_app not available: {exc}")
    root = sample_copy(tmp_path_factory.mktemp("gql-app-store")).root
    return create_app(ServerSettings(store_dir=root, query_workers=1))


def test_through_the_app_factory(server_app):
    with _Server(server_app) as base:
        _check_seed(base)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (scripts/browser.sh installs it)")
def test_graphiql_renders_offline_in_headless_chromium(app, tmp_path):
    seen: list[tuple[str, str]] = []

    @app.middleware("http")
    async def record(request, call_next):
        seen.append((request.method, request.url.path))
        return await call_next(request)

    with _Server(app) as base:
        # every host but the test server is unreachable: GraphiQL must not need the internet
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path}",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--virtual-time-budget=15000",
                "--dump-dom",
                f"{base}/graphql",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    dom = result.stdout
    assert "graphiql-container" in dom, result.stderr[-2000:]
    assert "Loading GraphiQL" not in dom
    assert ("POST", "/graphql") in seen  # GraphiQL fetched the schema (introspection) from bibkg
    assert all(path.startswith("/graphql") or path == "/favicon.ico" for _m, path in seen), seen
