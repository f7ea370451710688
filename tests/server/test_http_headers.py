"""Issue 10 (#9, #10): the Host header is not trusted, and HTML is sent with a
Content-Security-Policy, ``nosniff`` and frame denial; a ``javascript:`` value in the data (a
query result, a SIG's URL) never becomes a link.  Against real ``bibkg serve`` processes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from http_process_util import ServerProcess, serve

from bibkg import config
from bibkg.ingest import run_ingest
from bibkg.server.routes import STATIC_DIR
from bibkg.store.local import LocalStore

EVIL = "evil.example"
PUBLIC = "https://kg.example.org/bibkg"
XSS = "javascript:alert(document.domain)"
NODE = shutil.which("node")
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

# every route that writes a URL of this server, and the media type asked for
URL_WRITERS = [
    ("/sparql", "text/turtle"),  # sd:endpoint
    ("/.well-known/void", "text/turtle"),
    ("/people/yaodong-yang/", "application/ld+json"),  # @context and the Link header
    ("/dumps", "application/json"),
    ("/queries", "application/json"),
]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    """The sample with SIGDAT's URL replaced by a ``javascript:`` URL (the data comes from a
    public repository that takes contributions)."""
    data = tmp_path_factory.mktemp("hostile-data") / "data"
    shutil.copytree(config.sample_datadir(), data)
    sig = data / "yaml" / "sigs" / "sigdat.yaml"
    sig.write_text(re.sub(r"(?m)^URL: .*$", f"URL: {XSS}", sig.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    store = LocalStore(tmp_path_factory.mktemp("hostile-store"))
    run_ingest(data, store, jobs=1)
    return store


@pytest.fixture(scope="module")
def plain_server(hostile_store: LocalStore) -> Iterator[ServerProcess]:
    with serve(hostile_store.root) as running:
        yield running


@pytest.fixture(scope="module")
def public_server(hostile_store: LocalStore) -> Iterator[ServerProcess]:
    with serve(hostile_store.root, BIBKG_PUBLIC_URL=PUBLIC) as running:
        yield running


# -- Host ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "accept"), URL_WRITERS)
def test_a_foreign_host_is_refused_and_never_written(plain_server: ServerProcess, path: str, accept: str) -> None:
    r = httpx.get(plain_server.url + path, headers={"Host": EVIL, "Accept": accept}, timeout=30)
    assert r.status_code == 400, r.text[:300]
    assert "BIBKG_ALLOWED_HOSTS" in r.text
    assert r.text.count(EVIL) <= 1  # named once in the message, in no URL
    assert EVIL not in str(r.headers)


@pytest.mark.parametrize(("path", "accept"), URL_WRITERS)
def test_an_allowed_host_builds_the_urls(plain_server: ServerProcess, path: str, accept: str) -> None:
    r = httpx.get(plain_server.url + path, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert f"http://127.0.0.1:{plain_server.port}/" in r.text + str(r.headers)


@pytest.mark.parametrize(("path", "accept"), URL_WRITERS)
def test_the_public_url_is_used_whatever_the_host(public_server: ServerProcess, path: str, accept: str) -> None:
    for host in (f"127.0.0.1:{public_server.port}", "kg.example.org", "localhost"):
        r = httpx.get(public_server.url + path, headers={"Host": host, "Accept": accept}, timeout=30)
        assert r.status_code == 200, (host, r.text[:300])
        written = r.text + str(r.headers)
        assert PUBLIC + "/" in written, (host, path)
        assert "127.0.0.1" not in written and "localhost" not in written, (host, path)
    assert httpx.get(public_server.url + path, headers={"Host": EVIL}, timeout=30).status_code == 400


def test_link_header_and_context_use_the_public_url(public_server: ServerProcess) -> None:
    r = httpx.get(public_server.url + "/people/yaodong-yang/", headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.headers["link"].startswith(f"<{PUBLIC}/context.jsonld>")
    assert json.loads(r.text)["@context"] == f"{PUBLIC}/context.jsonld"


# -- security headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/sparql", "/queries", "/people/yaodong-yang/", "/sigs/sigdat/", "/people/nobody-at-all/"]
)
def test_html_has_csp_nosniff_and_frame_denial(plain_server: ServerProcess, path: str) -> None:
    r = httpx.get(plain_server.url + path, headers={"Accept": "text/html"}, timeout=30)
    assert r.headers["content-type"].startswith("text/html"), (path, r.status_code)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    # the policy forbids inline script: the pages have none
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), path
    assert not re.search(r"\son[a-z]+\s*=", r.text), path


def test_graphiql_gets_a_policy_for_exactly_its_own_script(plain_server: ServerProcess) -> None:
    r = httpx.get(plain_server.url + "/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'", csp), csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]


@pytest.mark.parametrize("path", ["/health", "/sparql?query=ASK%7B%7D", "/static/app.js", "/queries"])
def test_every_response_has_nosniff(plain_server: ServerProcess, path: str) -> None:
    r = httpx.get(plain_server.url + path, timeout=30)
    assert r.status_code == 200 and r.headers["x-content-type-options"] == "nosniff"


# -- javascript: values never become links ----------------------------------------------------------------


def test_sig_page_does_not_link_a_javascript_url(plain_server: ServerProcess) -> None:
    r = httpx.get(plain_server.url + "/sigs/sigdat/", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200
    assert XSS.split("(")[0] in r.text  # the value is shown ...
    assert not re.search(r"""href=["']?\s*javascript:""", r.text, re.I)  # ... but not as a link


def _query_page_cell(term: dict) -> dict:
    """Run the query page's own ``cell`` function (static/app.js) in node on one result term,
    with just the two DOM calls it makes; returns what it built."""
    source = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    start = source.index("const PREFIXES")
    end = source.index("\n}\n", source.index("function cell(")) + 3
    script = f"""
const made = [];
const document = {{ createElement(tag) {{
  const el = {{ tag, children: [], appendChild(c) {{ this.children.push(c); }} }}; made.push(el); return el; }} }};
{source[start:end]}
const td = cell({json.dumps(term)});
console.log(JSON.stringify({{ td: {{ text: td.textContent || null,
  children: td.children.map((a) => ({{ tag: a.tag, href: a.href || null }})) }} }}));
"""
    out = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(out.stdout)["td"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_query_page_shows_a_javascript_iri_as_text(plain_server: ServerProcess) -> None:
    query = f"SELECT ?link WHERE {{ BIND(<{XSS}> AS ?link) }}"
    r = httpx.get(plain_server.url + "/sparql", params={"query": query},
                  headers={"Accept": "application/sparql-results+json"}, timeout=30)  # fmt: skip
    term = r.json()["results"]["bindings"][0]["link"]
    assert term == {"type": "uri", "value": XSS}  # the endpoint answers it as an IRI ...
    shown = _query_page_cell(term)
    assert shown["children"] == [] and XSS in shown["text"]  # ... the page shows it as text
    https = _query_page_cell({"type": "uri", "value": "https://doi.org/10.18653/v1/P19-1001"})
    assert https["children"] == [{"tag": "a", "href": "https://doi.org/10.18653/v1/P19-1001"}]
    # a data IRI links to this server's page (test_query_page_catalog.py)
    local = _query_page_cell({"type": "uri", "value": "https://aclanthology.org/P19-1001/"})
    assert local["children"] == [{"tag": "a", "href": "/P19-1001/"}]


@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed and scripts/browser.sh could not install it (needs apt-get and root)",
)
def test_query_page_in_chromium_renders_no_javascript_link(plain_server: ServerProcess, tmp_path: Path) -> None:
    query = f"SELECT ?link WHERE {{ BIND(<{XSS}> AS ?link) }}"
    url = plain_server.url + "/?" + str(httpx.QueryParams({"query": query, "run": "1"}))
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=15000",
    ]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-ready="true"' in dom.stdout and "alert(document.domain)" in dom.stdout
    assert not re.search(r"""href=["']?javascript:""", dom.stdout, re.I)
