"""Every error a route raises is answered by one handler (bibkg.server.error_responses.bibkg_error)
with the status and headers its class or instance carries and its message, never a traceback, in
the format of its family: plain text for the SPARQL side, a page or plain text for the Linked
Data pages, JSON for the dumps, GraphQL's error format for /graphql, JSON or a page for the
corrections.  No route builds an error answer itself."""

from __future__ import annotations

import ast
import dataclasses
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bibkg.errors import (
    BibkgError,
    NotFound,
    QueryError,
    RequestError,
    StoreBusy,
    StoreError,
    Unavailable,
    UnknownEntityError,
)
from bibkg.server.app import create_app
from bibkg.server.executor import Busy, DeadlineExceeded, WorkerFailed
from bibkg.server.settings import ServerSettings
from bibkg.sparql.catalog import ParameterError, UnknownQueryError
from bibkg.sparql.protocol import ProtocolError
from bibkg.sparql.terms import TermError
from bibkg.web.ld import NotAcceptable

SRC = Path(__file__).resolve().parents[2] / "src" / "bibkg"


def _app(sample_store, **changes):
    return create_app(dataclasses.replace(ServerSettings.from_env(), store_dir=str(sample_store.root), **changes))


@pytest.mark.parametrize(
    ("error", "status", "headers"),
    [
        (UnknownEntityError("no person 'nobody-at-all' in the graph"), 404, {}),
        (NotFound("no static file 'x'"), 404, {}),
        (UnknownQueryError("nope", ["person-papers"]), 404, {}),
        (QueryError("line 1, column 7: syntax error"), 400, {}),
        (ParameterError("parameter 'person' is missing"), 400, {}),
        (RequestError("'x' is not a day"), 400, {}),
        (TermError("'<x' is not an IRI"), 400, {}),
        (NotAcceptable("format 'docx' is not offered"), 406, {}),
        (
            ProtocolError(405, "method PUT is not allowed: use GET or POST", {"Allow": "GET, POST"}),
            405,
            {"allow": "GET, POST"},
        ),
        (ProtocolError(413, "the query is 9 bytes; at most 1 are accepted"), 413, {}),
        (Busy("no query worker became free within 2 s", retry_after=3), 503, {"retry-after": "3"}),
        (WorkerFailed("the worker died"), 503, {"retry-after": "1"}),
        (DeadlineExceeded(1.5), 504, {}),
        (Unavailable("not yet", headers={"Retry-After": "5"}), 503, {"retry-after": "5"}),
        (StoreBusy("another ingest is writing"), 503, {}),
        (StoreError("the store is gone"), 503, {}),
        (BibkgError("an error of bibkg itself"), 500, {}),
        (BibkgError("a status given with it", status=502), 502, {}),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_an_error_a_route_raises_gets_its_status_headers_and_message(sample_store, error, status, headers) -> None:
    app = _app(sample_store)

    @app.get("/test-raises")
    async def raises() -> None:
        raise error

    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        answer = client.get("/test-raises")
        assert client.get("/health").status_code == 200  # the server goes on
    assert answer.status_code == status
    assert {k: answer.headers.get(k) for k in headers} == headers
    assert answer.headers["content-type"].startswith("text/plain")
    assert str(error) in answer.text and "Traceback" not in answer.text and 'File "' not in answer.text


def test_a_5xx_is_logged_with_its_traceback_a_refusal_without(sample_store, caplog) -> None:
    app = _app(sample_store)

    @app.get("/test-fault")
    async def fault() -> None:
        raise StoreError("the store is gone")

    @app.get("/test-busy")
    async def busy() -> None:
        raise Busy("no query worker became free")

    caplog.set_level(logging.INFO, logger="bibkg.server")
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        assert client.get("/test-fault").status_code == 503
        assert client.get("/test-busy").status_code == 503
    faults = [r for r in caplog.records if r.levelno >= logging.ERROR and "the store is gone" in r.getMessage()]
    assert len(faults) == 1 and faults[0].exc_info is not None
    refused = [r for r in caplog.records if "no query worker became free" in r.getMessage()]
    assert refused and all(r.levelno < logging.WARNING and not r.exc_info for r in refused)


def test_each_family_answers_in_its_format_through_the_real_routes(sample_store) -> None:
    with TestClient(_app(sample_store), base_url="http://localhost") as client:
        # the SPARQL side: plain text, "<status> <reason>: <message>"
        r = client.get("/queries/no-such-query")
        assert r.status_code == 404 and r.text.startswith("404 Not Found: no named query 'no-such-query'")
        assert r.headers["content-type"].startswith("text/plain")
        r = client.get("/queries/person-papers", params={"person": "yaodong-yang", "timeout": "soon"})
        assert r.status_code == 400 and "timeout: 'soon' is not a positive number of seconds" in r.text
        r = client.get("/queries/person-papers", params=[("person", "a"), ("person", "b")])
        assert r.status_code == 400 and "parameter 'person' is given twice" in r.text
        assert client.get("/queries/person-papers").status_code == 400  # missing parameter
        r = client.put("/sparql", content=b"ASK {}")
        assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
        r = client.get(
            "/sparql", params={"query": "SELEC ?s WHERE { ?s ?p ?o }"}, headers={"Accept": "application/json"}
        )
        assert r.status_code == 400 and r.text.startswith("400 Bad Request: query error")
        r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
        assert r.status_code == 406
        assert client.get("/static/no-such-file.css").status_code == 404
        # the Linked Data pages: a page for a browser, the message as plain text otherwise
        r = client.get("/people/nobody-at-all/", headers={"Accept": "text/html"})
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "<h1>Not found</h1>" in r.text and "not in the graph" in r.text and "Accept" in r.headers["vary"]
        r = client.get("/people/nobody-at-all/", headers={"Accept": "text/turtle"})
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/plain")
        assert r.text == "https://aclanthology.org/people/nobody-at-all/ is not in the graph\n"
        r = client.get("/people/yaodong-yang/", headers={"Accept": "image/png"})
        assert r.status_code == 406 and "text/turtle" in r.text and "Accept" in r.headers["vary"]
        r = client.get("/daily-papers/yesterday", headers={"Accept": "text/html"})
        assert r.status_code == 400 and "<h1>Error 400</h1>" in r.text
        assert client.get("/queries/no-such-query.bib").status_code == 404
        r = client.get("/queries/person-papers.bib", params=[("person", "a"), ("person", "b")])
        assert r.status_code == 400 and r.text == "parameter 'person' is given twice\n"
        # the dumps: JSON
        r = client.get("/dumps/bibkg.docx")
        assert r.status_code == 404 and r.json()["error"].startswith("no dump 'bibkg.docx'; available:")
        # GraphQL: its error format, in the negotiated media type
        r = client.post("/graphql", json={"query": "{ __typename }"}, headers={"Accept": "text/plain"})
        assert r.status_code == 406 and r.headers["content-type"].startswith("application/json")
        assert r.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"
        r = client.post(
            "/graphql",
            content=b"{ __typename }",
            headers={"Content-Type": "text/plain", "Accept": "application/graphql-response+json"},
        )
        assert r.status_code == 415 and r.headers["content-type"].startswith("application/graphql-response+json")
        assert r.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
        r = client.get("/graphql", params={"query": "mutation { __typename }"}, headers={"Accept": "application/json"})
        assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
        assert client.get("/graphql/static/no-such-asset.js").status_code == 404


def test_corrections_answer_json_or_a_page_for_a_browsers_form(sample_store) -> None:
    with TestClient(_app(sample_store, corrections=True), base_url="http://localhost") as client:
        r = client.post("/corrections", json={"change": {}})
        assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
        assert r.headers["www-authenticate"] == 'Bearer realm="bibkg corrections"'
        r = client.get("/corrections", params={"status": "lost"})
        assert r.status_code == 400 and r.json() == {
            "error": "invalid-correction",
            "status": 400,
            "message": r.json()["message"],
            "field": "status",
        }
        r = client.post(
            "/corrections/review",
            content=b"action=approve&id=x",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
        )
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html") and "CSRF" in r.text
        r = client.post("/corrections/review", content=b"x" * 300_000, headers={"Accept": "application/json"})
        assert r.status_code == 413 and r.json()["error"] == "too-large"


# -- no route builds an error answer itself ---------------------------------------------------------

ROUTE_PACKAGES = ("server", "web", "graphql", "corrections/web")
ALLOWED = {
    # the readiness probe's own JSON body: 503 while not ready is the probe's answer, not an error
    ("server/routes.py", "health"),
    # the edge's limits (Host, header and body sizes): raw ASGI before routing or while the body is
    # read, outside the app's exception handlers; plain text that closes the connection
    ("server/edge.py", "__call__"),
    ("server/edge.py", "counting_receive"),
}


def _error_answers(path: Path) -> list[tuple[str, int, str]]:
    """(enclosing function, line, what) of each error answer built in ``path``: a call of
    ``error_response``, a call with a ``status_code`` of 400 or more (keyword, or a response's
    second argument), or a call of a helper named like ``_error`` with such a status."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, str]] = []

    def error_status(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Constant) and type(n.value) is int and n.value >= 400 for n in ast.walk(node))

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call):
                callee = ast.unparse(child.func)
                if callee.rsplit(".", 1)[-1] == "error_response":
                    found.append((function, child.lineno, callee))
                for keyword in child.keywords:
                    if keyword.arg == "status_code" and error_status(keyword.value):
                        found.append((function, child.lineno, f"{callee}(status_code={ast.unparse(keyword.value)})"))
                if callee.endswith("Response") and len(child.args) > 1 and error_status(child.args[1]):
                    found.append((function, child.lineno, f"{callee}(…, {ast.unparse(child.args[1])})"))
                short = callee.rsplit(".", 1)[-1]
                helper = "error" in short.lower() and not short.endswith(("Error", "Exception", "error_response"))
                if helper and any(error_status(arg) for arg in child.args):  # an exception is raised, not built
                    found.append((function, child.lineno, f"{callee}(…)"))
            visit(child, name)

    visit(tree, "<module>")
    return found


def test_no_route_builds_an_error_answer_itself() -> None:
    built = []
    for package in ROUTE_PACKAGES:
        for path in sorted((SRC / package).glob("*.py")):
            relative = path.relative_to(SRC).as_posix()
            if relative == "server/error_responses.py":
                continue
            built += [
                f"{relative}:{line} in {function}: {what}"
                for function, line, what in _error_answers(path)
                if (relative, function) not in ALLOWED
            ]
    assert not built, "raise a BibkgError instead (bibkg.server.error_responses answers it):\n" + "\n".join(built)


def test_the_check_sees_an_error_answer(tmp_path: Path) -> None:
    route = tmp_path / "route.py"
    route.write_text(
        "def a(): return JSONResponse({'error': 'x'}, status_code=404)\n"
        "def b(): return error_response(400, 'x')\n"
        "def c(): return Response('x', 503)\n"
        "def d(): return Response('x', status_code=200 if ok else 503)\n"
        "def e(): return Response(status_code=304)\n"
        "def f(): return _error(request, 404, 'x')\n"
        "def g(): raise ProtocolError(405, 'x')\n",
        encoding="utf-8",
    )
    assert [f for f, _, _ in _error_answers(route)] == ["a", "b", "c", "d", "f"]
