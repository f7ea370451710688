"""HTTP routes of the SPARQL side: ``/sparql``, ``/queries``, ``/.well-known/void``, ``/health``,
and the query page.  The protocol rules live in :mod:`bibkg.sparql.protocol`; evaluation in the
deadline executor; this module only translates between them and HTTP."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..sparql.catalog import ParameterError, UnknownQueryError
from ..sparql.formats import graph_bytes
from ..sparql.protocol import (
    FORMATS,
    ProtocolError,
    SparqlRequest,
    negotiate,
    parse_request,
    prefers_html,
    query_form,
    result_kind,
)
from .description import GRAPHS_QUERY, PREFIXES, VOID_QUERY, service_description, void_extra
from .edge import public_base
from .executor import Busy, ClientGone, DeadlineExceeded, WorkerFailed
from .settings import ServerSettings
from .streaming import ChunkedBody, ResponseBudget
from .worker import Job

STATIC_DIR = Path(__file__).resolve().parent / "static"
SPARQL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


class _QueryNameConvertor(Convertor[str]):
    """A named query's name: no dots, so ``/queries/NAME.bib`` (BibTeX of a query's papers,
    served by the Linked Data router) is not taken for a query called ``NAME.bib``."""

    regex = "[A-Za-z0-9][A-Za-z0-9_-]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Errors raised by routing itself (an unknown path, a method a route does not take): a
    small HTML page for a client that prefers HTML (a browser), FastAPI's JSON otherwise."""
    if not prefers_html(request.headers.get("accept")):
        return await http_exception_handler(request, exc)
    reason = _REASONS.get(exc.status_code, "Error")
    detail = "There is nothing at this address." if exc.status_code == 404 else str(exc.detail)
    body = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{exc.status_code} {reason}</title>"
        "<link rel=stylesheet href=/static/app.css></head><body><main>"
        f"<h1>{exc.status_code} {reason}</h1><p>{html.escape(detail)} <code>{html.escape(request.url.path)}</code></p>"
        '<p><a href="/">Query page</a> · <a href="/queries">named queries</a> · <a href="/graphql">GraphQL</a></p>'
        "</main></body></html>"
    )
    return HTMLResponse(
        body, status_code=exc.status_code, headers={**(getattr(exc, "headers", None) or {}), "Vary": "Accept"}
    )


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Errors are plain text: what went wrong and where (the parser reports line:column)."""
    return Response(
        f"{status} {_REASONS.get(status, 'Error')}: {message}\n",
        status_code=status,
        media_type="text/plain; charset=utf-8",
        headers=headers,
    )


_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    413: "Payload Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) more than ``limit`` bytes without reading it all."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise ProtocolError(413, f"the request body is {int(length):,} bytes; at most {limit:,} are accepted")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body exceeds {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def build_router(app_state: Any) -> APIRouter:
    """The SPARQL router; ``app_state`` is ``app.state`` (services and executor set by lifespan)."""
    router = APIRouter()

    def settings() -> ServerSettings:
        return app_state.settings

    async def execute(
        request: Request,
        query: str,
        *,
        bindings: dict[str, Any] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        fmt: str | None = None,
    ) -> Response:
        s = settings()
        accept = request.headers.get("accept")
        form = query_form(query)
        if form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            kind = result_kind(form)
            chosen, media_type = negotiate(accept, kind, fmt, ask=form == "ASK")
            tabular = chosen.name if kind == "tabular" else "json"
            graph = chosen.name if kind == "graph" else "turtle"
        else:  # let the parser say what is wrong
            tabular, graph, media_type = "json", "turtle", None
        deadline = s.query_timeout if timeout is None else min(timeout, s.query_timeout)
        job = Job(
            query=query,
            bindings=bindings or {},
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            base_iri=s.base_iri,
            tabular_format=tabular,
            graph_format=graph,
            max_rows=s.max_rows,
            max_bytes=s.max_bytes,
            federation_allow=tuple(s.federation_allow),
        )
        try:
            outcome = await app_state.executor.run(
                job,
                deadline,
                disconnected=request.is_disconnected,
                client=request.client.host if request.client else "",
            )
        except ClientGone:
            return error_response(499, "the client went away")
        except Busy as exc:
            return error_response(503, str(exc), {"Retry-After": str(exc.retry_after)})
        except DeadlineExceeded as exc:
            return error_response(504, str(exc))
        except WorkerFailed as exc:
            return error_response(503, str(exc), {"Retry-After": "1"})
        if outcome.error is not None:
            status, message = outcome.error
            return error_response(status, message)
        result = outcome.result
        assert result is not None
        fmt_obj = FORMATS[result.format]
        if media_type is None or (result.kind == "graph") != (fmt_obj.kind == "graph"):
            media_type = fmt_obj.media_type
        headers = {
            "Vary": "Accept",
            "X-Bibkg-Rows": str(result.rows),
            "X-Bibkg-Query-Seconds": f"{outcome.seconds:.4f}",
        }
        if result.truncated:
            limit = s.max_rows if result.truncated == "max_rows" else s.max_bytes
            headers["X-Bibkg-Truncated"] = f"{result.truncated}={limit}"
            headers["Warning"] = (
                f'199 bibkg "result truncated after {result.rows} '
                f'{"rows" if result.kind == "tabular" else "triples"} ({result.truncated}={limit})"'
            )
        if request.query_params.get("download"):
            headers["Content-Disposition"] = f'attachment; filename="result.{fmt_obj.extension}"'
        budget: ResponseBudget = app_state.response_budget
        if not budget.try_acquire(len(result.payload)):
            return error_response(
                503,
                f"results of {budget.in_flight:,} bytes are being sent to other clients; this one "
                f"({len(result.payload):,} bytes) would exceed the server's {budget.limit:,} (BIBKG_RESPONSE_BUFFER_BYTES)",
                {"Retry-After": "2"},
            )
        return ChunkedBody(result.payload, budget=budget, media_type=fmt_obj.content_type(media_type), headers=headers)

    # -- /sparql -------------------------------------------------------------------------------
    async def sparql(request: Request) -> Response:
        s = settings()
        try:
            body = b""
            if request.method == "POST":
                body = await read_body(request, 3 * s.max_query_bytes + 10_000)
            req: SparqlRequest = parse_request(
                request.method,
                request.scope.get("query_string", b""),
                request.headers.get("content-type"),
                body,
                max_query_bytes=s.max_query_bytes,
            )
            if req.query is None:
                if request.method == "POST":
                    raise ProtocolError(
                        400, "no query: send 'query=' (form) or the query text (application/sparql-query)"
                    )
                return await describe_service(request)
            if req.format is None and request.method == "GET" and prefers_html(request.headers.get("accept")):
                return page()
            return await execute(
                request,
                req.query,
                default_graphs=req.default_graphs if req.has_dataset else None,
                named_graphs=req.named_graphs if req.has_dataset else None,
                timeout=req.timeout,
                fmt=req.format,
            )
        except ProtocolError as exc:
            return error_response(exc.status, exc.message, exc.headers)

    router.add_api_route(
        "/sparql", sparql, methods=SPARQL_METHODS, include_in_schema=True, summary="SPARQL 1.1 Protocol endpoint"
    )
    router.add_api_route("/sparql/", sparql, methods=SPARQL_METHODS, include_in_schema=False)

    def cacheable() -> bool:
        """Dataset facts and VoID are kept only for an immutable store (a snapshot), with the
        request's snapshot (bibkg.services.Generation); an external endpoint's data can change,
        so they are asked for each time."""
        store = getattr(getattr(app_state, "services", None), "store", None)
        return bool(getattr(store, "immutable", False))

    class _GraphCache:
        """The dataset-facts cache of the request's snapshot (nothing is kept otherwise)."""

        def _of(self) -> dict[str, Any]:
            return app_state.services.generation.cache("dataset-facts", dict) if cacheable() else {}

        def __contains__(self, key: str) -> bool:
            return key in self._of()

        def __getitem__(self, key: str) -> Any:
            return self._of()[key]

        def __setitem__(self, key: str, value: Any) -> None:
            self._of()[key] = value

    _graph_cache = _GraphCache()

    async def dataset_facts() -> tuple[list[str] | None, int | None]:
        if "graphs" not in _graph_cache or not cacheable():
            graphs: list[str] | None = None
            triples: int | None = None
            try:
                outcome = await app_state.executor.run(
                    Job(GRAPHS_QUERY, tabular_format="json", max_rows=100_000), settings().query_timeout
                )
                if outcome.result is not None:
                    data = json.loads(outcome.result.payload)
                    graphs = [b["g"]["value"] for b in data["results"]["bindings"]]
                void = await void_triples()
                for t in void:
                    if t.predicate.value.endswith("void#triples"):
                        triples = int(t.object.value)  # type: ignore[union-attr]  # a triple term (RDF 1.2) has no .value
            except (Busy, DeadlineExceeded, WorkerFailed, ValueError, KeyError):
                return None, None
            _graph_cache["graphs"] = (graphs, triples)
            return graphs, triples
        return _graph_cache["graphs"]

    async def void_triples() -> list[ox.Triple]:
        if "void" not in _graph_cache or not cacheable():
            outcome = await app_state.executor.run(
                Job(VOID_QUERY, graph_format="ntriples", max_rows=100_000), settings().query_timeout
            )
            if outcome.result is None:
                raise WorkerFailed(outcome.error[1] if outcome.error else "no VoID description")
            triples = list(ox.parse(outcome.result.payload, format=ox.RdfFormat.N_TRIPLES))
            _graph_cache["void"] = triples
            return triples
        return _graph_cache["void"]

    async def describe_service(request: Request) -> Response:
        accept = request.headers.get("accept")
        if prefers_html(accept):
            return page()
        base = public_base(request, settings())
        graphs, triples = await dataset_facts()
        triples_ = service_description(
            base + "/sparql",
            base_iri=settings().base_iri,
            void_url=base + "/.well-known/void",
            graphs=graphs,
            triples=triples,
        )
        return graph_response(triples_, accept, request.query_params.get("format"))

    def graph_response(
        triples: list[ox.Triple], accept: str | None, fmt: str | None, title: str | None = None
    ) -> Response:
        """``triples`` in the RDF format the client asked for.  A document with a ``title`` is
        shown to a browser (HTML preferred, no ``format=``) as an HTML page with its Turtle
        instead of whatever ``*/*`` would pick (RDF/XML, which browsers download or mangle)."""
        if title is not None and fmt is None and prefers_html(accept):
            turtle = cast(bytes, ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)).decode("utf-8")
            links = " · ".join(f'<a href="?format={f}">{f}</a>' for f in ("turtle", "ntriples", "jsonld", "rdfxml"))
            return HTMLResponse(
                f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
                "<link rel=stylesheet href=/static/app.css></head><body><main>"
                f"<h1>{html.escape(title)}</h1><p>Download: {links}</p><pre id=raw>{html.escape(turtle)}</pre>"
                "</main></body></html>",
                headers={"Vary": "Accept"},
            )
        chosen, media_type = negotiate(accept, "graph", fmt)
        rdf_format = {
            "turtle": ox.RdfFormat.TURTLE,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD,
            "rdfxml": ox.RdfFormat.RDF_XML,
        }[chosen.name]
        if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
            data = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)
        else:
            data = graph_bytes(triples, rdf_format)
        return Response(data, media_type=chosen.content_type(media_type), headers={"Vary": "Accept"})

    # -- VoID ------------------------------------------------------------------------------------
    async def void(request: Request) -> Response:
        try:
            base = public_base(request, settings())
            try:
                triples = await void_triples()
            except (Busy, DeadlineExceeded, WorkerFailed) as exc:
                return error_response(503, f"the VoID description is not available: {exc}", {"Retry-After": "1"})
            if not triples:
                return error_response(
                    404, "this store has no statistics graph (re-ingest it with this version of bibkg)"
                )
            out = triples + void_extra(base + "/sparql", base + "/.well-known/void")
            return graph_response(
                out,
                request.headers.get("accept"),
                request.query_params.get("format"),
                "VoID description of the dataset",
            )
        except ProtocolError as exc:
            return error_response(exc.status, exc.message)

    router.add_api_route("/.well-known/void", void, methods=["GET"], summary="VoID description of the dataset")

    # -- named queries ------------------------------------------------------------------------------
    def query_info(request: Request, q: Any) -> dict[str, Any]:
        example = {p.name: p.example for p in q.params if p.example is not None}
        return {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "params": [
                {
                    "name": p.name,
                    "type": p.type,
                    "description": p.description,
                    "example": p.example,
                    "required": p.required,
                    "default": p.default,
                }
                for p in q.params
            ],
            "tags": list(q.tags),
            "returns": q.returns,
            "text": q.text,
            "url": f"{public_base(request, settings())}/queries/{q.name}",
            "example_url": f"{public_base(request, settings())}/queries/{q.name}"
            + (f"?{urlencode(example)}" if example else ""),
        }

    async def list_queries(request: Request) -> Response:
        catalog = app_state.services.catalog
        items = [query_info(request, q) for q in catalog.public()]
        if prefers_html(request.headers.get("accept")) and request.query_params.get("format") != "json":
            rows = "".join(
                f'<tr><td><a href="/?name={html.escape(i["name"])}">{html.escape(i["name"])}</a></td>'
                f"<td>{html.escape(i['summary'])}</td>"
                f"<td>{html.escape(', '.join(p['name'] + ': ' + p['type'] for p in i['params']))}</td>"
                f'<td><a href="{html.escape(i["example_url"])}">example</a></td></tr>'
                for i in items
            )
            return HTMLResponse(
                "<!doctype html><html lang=en><head><meta charset=utf-8><title>bibkg named queries</title>"
                "<link rel=stylesheet href=/static/app.css></head><body><main><h1>Named queries</h1>"
                "<p>Run one with <code>GET /queries/NAME?param=value</code> or <code>bibkg query --name NAME --param k=v</code>; "
                '<a href="/queries?format=json">JSON</a>.</p>'
                f"<table class=results><thead><tr><th>name</th><th>summary</th><th>parameters</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
                "</main></body></html>"
            )
        return JSONResponse({"queries": items}, headers={"Vary": "Accept"})

    router.add_api_route("/queries", list_queries, methods=["GET"], summary="The named queries")

    async def run_named(name: str, request: Request) -> Response:
        catalog = app_state.services.catalog
        try:
            named = catalog.public_query(name)  # an internal query is no public API
        except UnknownQueryError as exc:
            return error_response(404, str(exc))
        values: dict[str, str] = {}
        timeout: float | None = None
        fmt: str | None = None
        for key, value in request.query_params.multi_items():
            if key == "timeout":
                try:
                    timeout = float(value)
                    if not timeout > 0 or math.isnan(timeout):
                        raise ValueError
                except ValueError:
                    return error_response(400, f"timeout: '{value}' is not a positive number of seconds")
            elif key in ("format", "output", "results"):
                fmt = value if fmt is None else f"{fmt},{value}"  # a list, as /sparql takes it
            elif key == "download":
                continue
            elif key in values:
                return error_response(400, f"parameter '{key}' is given twice")
            else:
                values[key] = value
        try:
            bindings = named.bind(values)
            return await execute(request, named.text, bindings=bindings, timeout=timeout, fmt=fmt)
        except ParameterError as exc:
            return error_response(400, str(exc))
        except ProtocolError as exc:
            return error_response(exc.status, exc.message, exc.headers)

    register_url_convertor("queryname", _QueryNameConvertor())
    router.add_api_route(
        "/queries/{name:queryname}", run_named, methods=["GET"], summary="Run a named query with typed parameters"
    )

    # -- health, page, static -----------------------------------------------------------------------
    async def health() -> JSONResponse:
        executor = app_state.executor
        alive = executor.alive if executor is not None else 0
        ready = executor is not None and executor.ready  # a worker alive or being restarted
        broken = getattr(executor, "broken", None)
        status = "ok" if ready else ("failing" if broken else "starting")
        body = {
            "status": status,
            "store": app_state.store_label,
            "workers": alive,
            "killed": executor.killed if executor else 0,
        }
        if broken:
            body["error"] = broken
        store = getattr(getattr(app_state, "services", None), "store", None)
        check = getattr(store, "health_problem", None)
        if ready and check is not None:  # an external endpoint: does it answer, with bibkg's data?
            problem = await run_in_threadpool(check)
            if problem is not None:
                body.update(status="failing", error=problem)
                ready = False
            elif getattr(store, "companion", None) is not None:  # the local snapshot's cards and counts
                unused = await run_in_threadpool(store.companion_problem)  # type: ignore[union-attr]
                body["snapshot_files"] = "used" if unused is None else f"not used: {unused}"
        return JSONResponse(body, status_code=200 if ready else 503)

    router.add_api_route("/health", health, methods=["GET"], summary="Liveness/readiness probe")

    def page() -> Response:
        return FileResponse(
            STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers={"Vary": "Accept"}
        )

    async def index(request: Request) -> Response:
        return page()

    router.add_api_route("/", index, methods=["GET"], include_in_schema=False)

    async def static(path: str) -> Response:
        target = (STATIC_DIR / path).resolve()
        if STATIC_DIR not in target.parents or not target.is_file():
            return error_response(404, f"no static file '{path}'")
        return FileResponse(target, headers={"Cache-Control": "public, max-age=3600"})

    router.add_api_route("/static/{path:path}", static, methods=["GET"], include_in_schema=False)
    return router
