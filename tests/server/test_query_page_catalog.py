"""Issue 11 #6: the query page and its catalog, against a real ``bibkg serve`` process.

The page, ``/queries`` and ``bibkg queries`` list the public catalog only, the files of ``queries/``;
the queries bibkg's own code runs (``src/bibkg/read/queries/``) are found by name by that code and
by no public door (``/queries/NAME``, its ``.bib``, ``bibkg query --name``, ``bibkg bibtex
--query``: an internal name is unknown there); result IRIs of the data link to
this server's Linked Data pages; long values wrap instead of widening the page; a browser gets
an HTML 404 for an unknown path and a readable VoID description instead of RDF/XML."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import http_process_util
import httpx
import pytest
from http_process_util import ServerProcess, serve

from bibkg import config
from bibkg.server.routes import STATIC_DIR
from bibkg.sparql.catalog import CatalogError, QueryCatalog, default_catalog
from bibkg.store.local import LocalStore

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
NODE = shutil.which("node")
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
PUBLIC = {"class-counts", "coauthors-at-event", "coauthors-at-venue-year", "event-editors", "event-papers",
          "graph-sizes", "papers-without-verified-authors", "person-names", "person-papers", "person-venues",
          "persons-several-names", "persons-with-orcid", "similar-persons", "top-authors",
          "venue-year-top-authors", "venue-years",
          "preprint", "person-preprints", "daily-papers", "coauthors-across-sources"}  # fmt: skip
"""The everyday questions (README: "20 named queries"); a new public query is added here."""


@pytest.fixture(scope="module")
def page_server(sample_store: LocalStore) -> Iterator[ServerProcess]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(http_process_util, "PORTS", range(18900, 18950))  # a port range of its own
        with serve(sample_store.root) as running:
            yield running


# -- the public catalog ----------------------------------------------------------------------------------


def test_catalog_splits_public_from_internal() -> None:
    catalog = default_catalog()
    public = {q.name for q in catalog.public()}
    assert public == PUBLIC
    # where a file lives decides: the public listing is exactly the files of queries/
    assert public == {p.stem for p in config.queries_dir().glob("*.rq")}
    internal = {q.name for q in catalog if q.internal}
    assert internal == {p.stem for p in config.internal_queries_dir().glob("*.rq")}
    assert all(q.path.parent == config.internal_queries_dir() for q in catalog if q.internal)
    assert all(q.path.parent == config.queries_dir() for q in catalog.public())
    assert len(public) + len(internal) == len(catalog)  # every query is one or the other
    assert "gql-coauthors" in catalog and catalog["gql-coauthors"].internal  # still there, by name


def test_every_internal_query_loads_by_name() -> None:
    """bibkg's own code finds each read-layer query by name (the names its callers use)."""
    catalog = default_catalog()
    names = sorted(p.stem for p in config.internal_queries_dir().glob("*.rq"))
    prefixes = {"gql", "ld", "bib", "link", "void", "schema", "sizes", "stats", "warmup", "params", "remote"}
    assert len(names) >= 60 and {n.split("-", 1)[0] for n in names} == prefixes
    for name in names:
        query = catalog[name]
        assert query.internal and query.name == name and query.summary and query.text
        with pytest.raises(KeyError, match=f"no named query '{name}'"):
            catalog.public_query(name)
    assert catalog.public_query("person-papers") is catalog["person-papers"]


def test_public_and_internal_names_do_not_clash(tmp_path: Path) -> None:
    public = tmp_path / "public"
    public.mkdir()
    (public / "gql-venues.rq").write_text((config.internal_queries_dir() / "gql-venues.rq").read_text())
    with pytest.raises(CatalogError, match=r"'gql-venues'.*cannot share a name"):
        QueryCatalog.load(public)
    (public / "gql-venues.rq").unlink()
    (public / "broken.rq").write_text("#+ params: {}\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(CatalogError, match="summary"):  # the checks of every file, in either folder
        QueryCatalog.load(public)
    (public / "broken.rq").unlink()
    internal = tmp_path / "internal"
    internal.mkdir()
    (internal / "ld-broken.rq").write_text("#+ summary: x\n#+ params: {p: {type: nonsense}}\nSELECT ?p {}\n")
    with pytest.raises(CatalogError, match="unknown type"):
        QueryCatalog.load(public, internal)


def test_queries_lists_the_public_catalog(page_server: ServerProcess) -> None:
    r = httpx.get(page_server.url + "/queries", headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 200
    assert {q["name"] for q in r.json()["queries"]} == PUBLIC
    page = httpx.get(page_server.url + "/queries", headers={"Accept": BROWSER}, timeout=30)
    assert page.headers["content-type"].startswith("text/html")
    listed = set(re.findall(r'href="/\?name=([^"]+)"', page.text))
    assert listed == PUBLIC
    # the page's list is /queries?format=json (app.js)
    r = httpx.get(page_server.url + "/queries?format=json", headers={"Accept": "application/json"}, timeout=30)
    assert {q["name"] for q in r.json()["queries"]} == PUBLIC


def test_internal_queries_are_not_public(page_server: ServerProcess) -> None:
    """An internal name over HTTP is a name that does not exist: the same 404 and message."""
    for name in ("gql-venues", "ld-describe", "bib-cite-person", "link-person-names", "no-such-query"):
        for suffix in ("", ".bib", ".csl.json"):
            r = httpx.get(
                page_server.url + f"/queries/{name}{suffix}",
                params={"person": "yaodong-yang"} if name.startswith("bib-") else {},
                headers={"Accept": "application/sparql-results+json"},
                timeout=30,
            )
            assert r.status_code == 404, (name, suffix, r.text)
            # an unknown name lists what a user can run, not the internal names
            assert f"no named query '{name}'" in r.text and "coauthors-at-event" in r.text, (name, suffix)
            assert "gql-" not in r.text.replace(f"'{name}'", ""), (name, suffix)
    # bibkg's own code still runs them: GraphQL's venues come from gql-venues
    r = httpx.post(page_server.url + "/graphql", json={"query": "{ venues { id } }"}, timeout=30)
    assert r.status_code == 200 and r.json()["data"]["venues"], r.text


def test_cli_does_not_run_internal_queries(tmp_path: Path, sample_store: LocalStore) -> None:
    env = {**os.environ, "BIBKG_STORE": str(sample_store.root), "BIBKG_CACHE": str(tmp_path / "cache")}

    def bibkg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bibkg", *args], capture_output=True, text=True, env=env, timeout=120
        )

    for name in ("gql-venues", "no-such-query"):
        proc = bibkg("query", "--name", name)
        assert proc.returncode == 1 and proc.stdout == "", proc.stderr  # the exit code of any unknown name
        assert proc.stderr.startswith(f"bibkg: error: no named query '{name}'; known: "), proc.stderr
        assert "coauthors-at-event" in proc.stderr and "gql-" not in proc.stderr.replace(f"'{name}'", "")
    for name in ("bib-cite-person", "no-such-query"):
        proc = bibkg("bibtex", "--query", name, "--param", "person=yaodong-yang")
        assert proc.returncode == 1 and proc.stdout == "", proc.stderr
        assert proc.stderr.startswith(f"bibkg: error: no named query '{name}'; known: "), proc.stderr
    proc = bibkg("bibtex", "--query", "person-papers", "--param", "person=yaodong-yang")
    assert proc.returncode == 0 and proc.stdout.count("@inproceedings") >= 1, proc.stderr


def test_cli_lists_the_public_catalog(tmp_path: Path) -> None:
    env = {**os.environ, "BIBKG_STORE": str(tmp_path / "none"), "BIBKG_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "bibkg", "queries"], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    names = {line.split()[0] for line in proc.stdout.splitlines() if line and not line.startswith(" ")}
    assert names == PUBLIC


# -- result IRIs link to this server -------------------------------------------------------------------


def _cell(term: dict) -> dict:
    """Run the page's own ``cell`` function (static/app.js) in node on one result term, with the
    two DOM calls it makes; returns the cell's text and links."""
    source = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    start = source.index("const PREFIXES")
    end = source.index("\n}\n", source.index("function cell(")) + 3
    script = f"""
const document = {{ createElement(tag) {{ return {{ tag, children: [], appendChild(c) {{ this.children.push(c); }} }}; }} }};
{source[start:end]}
const td = cell({json.dumps(term)});
console.log(JSON.stringify({{ text: td.textContent || null, links: td.children.map((a) => a.href) }}));
"""
    out = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize(("iri", "href"), [
    ("https://aclanthology.org/people/yaodong-yang/", "/people/yaodong-yang/"),
    ("https://aclanthology.org/people/jiaming-ji/unverified/", "/people/jiaming-ji/unverified/"),
    ("https://aclanthology.org/2025.acl-long.1544/", "/2025.acl-long.1544/"),
    ("https://aclanthology.org/volumes/2025.acl-long/", "/volumes/2025.acl-long/"),
    ("https://aclanthology.org/events/acl-2025/", "/events/acl-2025/"),
    ("https://aclanthology.org/venues/acl/", "/venues/acl/"),
    ("https://aclanthology.org/sigs/sigdat/", "/sigs/sigdat/"),
    ("https://aclanthology.org/2025.acl-long.1544/#author-1",
     "/resource?iri=https%3A%2F%2Faclanthology.org%2F2025.acl-long.1544%2F%23author-1"),
    ("https://aclanthology.org/2025.acl-long.1544.pdf", "https://aclanthology.org/2025.acl-long.1544.pdf"),
    ("https://doi.org/10.18653/v1/2025.acl-long.1544", "https://doi.org/10.18653/v1/2025.acl-long.1544"),
    ("https://orcid.org/0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097"),
])  # fmt: skip
def test_result_iris_link_to_this_server(iri: str, href: str) -> None:
    assert _cell({"type": "uri", "value": iri})["links"] == [href]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_local_links_resolve_on_this_server(page_server: ServerProcess) -> None:
    """Every data IRI the sample's persons/papers/volumes/events/venues query returns links to a
    page this server has."""
    query = """SELECT ?x WHERE { { ?x a bibkg:Person } UNION { ?x a bibkg:Paper } UNION { ?x a bibkg:Volume }
               UNION { ?x a bibkg:Event } UNION { ?x a bibkg:Venue } } ORDER BY ?x LIMIT 400"""
    r = httpx.get(
        page_server.url + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    terms = [b["x"] for b in r.json()["results"]["bindings"]]
    kinds = {t["value"].split("/")[3] if t["value"].count("/") > 4 else "paper" for t in terms}
    assert {"people", "volumes", "events", "venues", "paper"} <= kinds
    seen: set[str] = set()
    for term in terms:
        [href] = _cell(term)["links"] if term["value"].split("/")[3] not in seen else [None]
        if href is None:
            continue
        seen.add(term["value"].split("/")[3])
        assert href.startswith("/"), href
        page = httpx.get(page_server.url + href, headers={"Accept": BROWSER}, timeout=30)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), href


@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/browser.sh installs it; needs apt-get and root)"
)
def test_query_page_in_chromium(page_server: ServerProcess, tmp_path: Path) -> None:
    query = "SELECT ?p WHERE { BIND(<https://aclanthology.org/people/yaodong-yang/> AS ?p) }"
    url = page_server.url + "/?" + str(httpx.QueryParams({"query": query, "run": "1"}))
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
    assert 'data-ready="true"' in dom.stdout
    cells = re.findall(r'<td><a href="([^"]*)"[^>]*>([^<]*)</a></td>', dom.stdout)
    assert cells == [("/people/yaodong-yang/", "https://aclanthology.org/people/yaodong-yang/")]
    options = set(re.findall(r'<option value="([^"]+)"', dom.stdout))
    assert options == PUBLIC


def test_long_values_wrap_inside_the_page() -> None:
    """Long IRIs and literals wrap in their cell, and a table still too wide scrolls in its own
    box (#output), so the page never gets wider than the window."""
    css = re.sub(r"/\*.*?\*/", "", (STATIC_DIR / "app.css").read_text(encoding="utf-8"), flags=re.S)
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", css))
    rules = {selector.strip(): body for selector, body in rules.items()}
    assert "overflow-x: auto" in rules["#output"]
    cells = rules["table.results th, table.results td"]
    assert "overflow-wrap: anywhere" in cells
    assert "overflow-x: auto" in rules["pre#raw"]


# -- browsers get HTML ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/no/such/page", "/nothing-here/", "/queriesx"])
def test_unknown_path_is_an_html_404_for_a_browser(page_server: ServerProcess, path: str) -> None:
    r = httpx.get(page_server.url + path, headers={"Accept": BROWSER}, timeout=30)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>404 Not Found</h1>" in r.text and 'href="/"' in r.text
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "text/turtle"])
def test_unknown_path_is_json_for_other_clients(page_server: ServerProcess, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    r = httpx.get(page_server.url + "/no/such/page", headers=headers, timeout=30)
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json() == {"detail": "Not Found"}


def test_void_for_a_browser_is_readable(page_server: ServerProcess) -> None:
    r = httpx.get(page_server.url + "/.well-known/void", headers={"Accept": BROWSER}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "void:triples" in r.text and "@prefix void:" in r.text  # the Turtle, shown as text
    assert 'href="?format=turtle"' in r.text and 'href="?format=rdfxml"' in r.text


@pytest.mark.parametrize(("accept", "fmt", "media_type"), [
    ("application/rdf+xml", None, "application/rdf+xml"),
    ("text/turtle", None, "text/turtle"),
    ("application/ld+json", None, "application/ld+json"),
    ("application/n-triples", None, "application/n-triples"),
    (BROWSER, "rdfxml", "application/rdf+xml"),
    (BROWSER, "turtle", "text/turtle"),
])  # fmt: skip
def test_void_explicit_rdf_still_served(
    page_server: ServerProcess, accept: str, fmt: str | None, media_type: str
) -> None:
    params = {"format": fmt} if fmt else {}
    r = httpx.get(page_server.url + "/.well-known/void", params=params, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media_type
    assert "<html" not in r.text[:200]
