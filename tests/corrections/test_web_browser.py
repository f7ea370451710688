"""The correction doors on a real server: refused requests over HTTP, and the seed's flow end to
end in headless Chromium (driven through chromedriver's W3C WebDriver protocol)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMEDRIVER = shutil.which("chromedriver")
BIBKG = str(Path(sys.executable).with_name("bibkg"))
MOVE = {
    "change": {
        "kind": "reassign",
        "from": "juntao-dai",
        "authorships": [{"paper": "2025.findings-acl.721", "position": 7, "name": {"first": "Josef", "last": "Dai"}}],
        "to": {"type": "new", "name": "Dai, Josef", "disambiguator": "sample"},
    },
    "reason": "a namesake",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(root: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [BIBKG, "serve", "--store", str(root), "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=1).status_code in (200, 503):
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_copy):
    base = tmp_path_factory.mktemp("corrections-web")
    root = sample_copy(base / "store").root
    tokens = {}
    for name, role in (("maria", "maintainer"), ("carl", "contributor")):
        out = subprocess.run(
            [BIBKG, "token", "create", name, "--role", role, "--store", str(root)],
            capture_output=True,
            text=True,
            check=True,
        )
        tokens[name] = out.stdout.strip()
    proc, url = serve(root, "--corrections")
    yield url, tokens, root
    proc.terminate()
    proc.wait(10)


def test_read_only_unless_enabled(site):
    _url, _tokens, root = site
    proc, url = serve(root)
    try:
        assert httpx.get(url + "/corrections").status_code == 404
        assert httpx.post(url + "/corrections", json=MOVE).status_code in (404, 405)
        assert httpx.get(url + "/corrections/fix/juntao-dai").status_code == 404
    finally:
        proc.terminate()
        proc.wait(10)


def test_refusals(site):
    url, tokens, _root = site
    bearer = {"Authorization": f"Bearer {tokens['carl']}"}
    r = httpx.post(url + "/corrections", json=MOVE)
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated" and "Bearer" in r.headers["www-authenticate"]
    assert httpx.post(url + "/corrections", json=MOVE, headers={"Authorization": "Bearer bkt_nope"}).status_code == 401
    assert (
        httpx.post(
            url + "/corrections", content=b"{", headers={**bearer, "content-type": "application/json"}
        ).status_code
        == 400
    )
    assert (
        httpx.post(url + "/corrections", content=b"x", headers={**bearer, "content-type": "text/plain"}).status_code
        == 415
    )
    bad = {
        **MOVE,
        "change": {
            **MOVE["change"],
            "authorships": [{"paper": "2025.findings-acl.721", "position": 99, "name": "Dai, Josef"}],
        },
    }
    r = httpx.post(url + "/corrections", json=bad, headers=bearer)
    assert r.status_code == 404 and r.json()["field"] == "authorships[0].position"
    stale = {
        **MOVE,
        "change": {
            **MOVE["change"],
            "authorships": [{"paper": "2025.findings-acl.721", "position": 7, "name": "Dai, Juntao"}],
        },
    }
    assert httpx.post(url + "/corrections", json=stale, headers=bearer).status_code == 409
    r = httpx.post(url + "/corrections", json={**MOVE, "apply": True}, headers=bearer)
    assert r.status_code == 403  # a contributor cannot apply
    # a form without its CSRF token
    r = httpx.post(
        url + "/corrections/fix/juntao-dai",
        data={"token": tokens["carl"], "paper": "x|1|a|b"},
        headers={"Accept": "text/html"},
    )
    assert r.status_code == 403 and "CSRF" in r.text
    r = httpx.post(
        url + "/corrections/c-0000000000000000/approve", headers={"Authorization": f"Bearer {tokens['maria']}"}
    )
    assert r.status_code == 404


class WebDriver:
    """The few W3C WebDriver commands the test needs, over HTTP to chromedriver."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                    }
                }
            }
        }
        r = httpx.post(self.base + "/session", json=caps, timeout=60).json()
        self.session = f"{self.base}/session/{r['value']['sessionId']}"

    def cmd(self, method: str, path: str, body: dict | None = None):
        r = httpx.request(method, self.session + path, json=body, timeout=60)
        value = r.json()["value"]
        if r.status_code >= 400:
            raise AssertionError(f"{path}: {value}")
        return value

    def go(self, url: str) -> None:
        self.cmd("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        return next(iter(self.cmd("POST", "/element", {"using": "css selector", "value": css}).values()))

    def finds(self, css: str) -> list[str]:
        return [next(iter(e.values())) for e in self.cmd("POST", "/elements", {"using": "css selector", "value": css})]

    def click(self, css: str) -> None:
        self.cmd("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        self.cmd("POST", f"/element/{self.find(css)}/value", {"text": text})

    def text(self, css: str) -> str:
        return self.cmd("GET", f"/element/{self.find(css)}/text")

    def wait(self, css: str, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.finds(css):
                return
            time.sleep(0.1)
        raise AssertionError(f"{css} did not appear")

    def close(self) -> None:
        httpx.delete(self.session, timeout=30)


@pytest.fixture()
def browser(tmp_path):
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium and chromedriver are not installed (scripts/browser.sh installs them)")
    port = free_port()
    proc = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/status", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    driver = WebDriver(port)
    yield driver
    driver.close()
    proc.terminate()
    proc.wait(10)


def test_fix_paper_assignments_in_chromium(site, browser):
    url, tokens, _root = site
    before = httpx.get(url + "/people/juntao-dai/", headers={"Accept": "text/html"}).text
    assert "SafeLawBench" in before
    browser.go(url + "/corrections/fix/juntao-dai")
    assert "Please select all papers that do not belong to this person." in browser.text("body")
    # the author search finds a person by a name in another script and order
    browser.type("#search", "杨耀东")
    browser.wait("#results li")
    assert "yaodong-yang" in browser.text("#results li")
    # tick SafeLawBench, assign it to a new person, say why, submit as a contributor
    browser.click("input[value^='2025.findings-acl.721|7|']")
    browser.click("#target-new")
    browser.type("#new_name", "Dai, Josef")
    browser.type("#disambiguator", "sample")
    browser.type("#reason", "A namesake wrote SafeLawBench")
    browser.type("#token", tokens["carl"])
    browser.click("#submit")
    browser.wait("#submitted")
    assert "pending" in browser.text("#submitted") and "2025.findings-acl.721" in browser.text("#pending")
    # a maintainer reviews it, with both persons' evidence side by side, and applies it
    browser.go(url + "/corrections/review")
    browser.wait("section.proposal")
    assert "Josef Dai" in browser.text("section.proposal .cols")
    browser.type("section.proposal input[name=token]", tokens["maria"])
    browser.click("section.proposal button[value=apply]")
    browser.wait("#none")
    # live: the new person's page and the old one's, within seconds
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and httpx.get(url + "/people/josef-dai-sample/").status_code != 200:
        time.sleep(0.2)
    page = httpx.get(url + "/people/josef-dai-sample/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "SafeLawBench" in page.text
    assert "SafeLawBench" not in httpx.get(url + "/people/juntao-dai/", headers={"Accept": "text/html"}).text
    listed = httpx.get(url + "/corrections", params={"status": "applied"}).json()
    assert [e["proposer"] for e in listed] == ["carl"]


LIST = '{ corrections(status: "applied") { id kind status proposer moved { item previousPerson newPerson } } }'
PROPOSE = """mutation($change: JSON!) { proposeCorrection(change: $change, reason: "gql", apply: true) {
  id status moved { item position previousPerson newPerson } } }"""


def test_graphql_mutations(site):
    url, tokens, _root = site
    change = {
        "kind": "reassign",
        "from": "unverified/yi-liu",
        "authorships": [{"paper": "2025.naacl-demo.23", "position": 23, "name": "Liu, Yi"}],
        "to": {"type": "person", "id": "yi-liu-sample-b"},
    }
    r = httpx.post(url + "/graphql", json={"query": PROPOSE, "variables": {"change": change}}).json()
    assert r["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" and r["errors"][0]["extensions"]["status"] == 401
    carl = {"Authorization": f"Bearer {tokens['carl']}"}
    r = httpx.post(url + "/graphql", json={"query": PROPOSE, "variables": {"change": change}}, headers=carl).json()
    assert r["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = {**change, "authorships": [{"paper": "2025.naacl-demo.23", "position": 23, "name": "Liu, Yu"}]}
    maria = {"Authorization": f"Bearer {tokens['maria']}"}
    r = httpx.post(url + "/graphql", json={"query": PROPOSE, "variables": {"change": bad}}, headers=maria).json()
    assert r["errors"][0]["extensions"] == {"code": "CONFLICT", "status": 409, "field": "authorships[0].name"}
    r = httpx.post(url + "/graphql", json={"query": PROPOSE, "variables": {"change": change}}, headers=maria).json()
    done = r["data"]["proposeCorrection"]
    assert done["status"] == "applied"
    assert done["moved"] == [
        {
            "item": "2025.naacl-demo.23",
            "position": 23,
            "previousPerson": "unverified/yi-liu",
            "newPerson": "yi-liu-sample-b",
        }
    ]
    listed = httpx.post(url + "/graphql", json={"query": LIST}).json()["data"]["corrections"]
    assert done["id"] in [c["id"] for c in listed]
    # mutations never run over GET
    r = httpx.get(
        url + "/graphql",
        params={"query": 'mutation { rejectCorrection(id: "c-0000000000000000") { id } }'},
        headers=maria,
    )
    assert r.status_code in (400, 405) or "errors" in r.json()
