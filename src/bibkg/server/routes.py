"""HTTP routes of the SPARQL side: ``/sparql``, ``/queries``, ``/.well-known/void``, ``/health``,
and the query page.  The protocol rules live in :mod:`bibkg.sparql.protocol`; evaluation in the
deadline executor; this module only translates between them and HTTP (errors are raised, and answered by the
server's one handler, :mod:`bibkg.server.error_responses`; one query's answer:
:mod:`bibkg.server.query_response`; the service and VoID descriptions:
:mod:`bibkg.server.dataset_routes`; the named queries: :mod:`bibkg.server.named_query_routes`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ..errors import NotFound
from ..sparql.negotiation import prefers_html
from ..sparql.protocol import ProtocolError, SparqlRequest, parse_request
from .dataset_routes import DatasetDescription
from .named_query_routes import add_named_query_routes
from .query_response import query_response
from .settings import ServerSettings

STATIC_DIR = Path(__file__).resolve().parent / "static"
SPARQL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


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

    description = DatasetDescription(app_state)

    # -- /sparql -------------------------------------------------------------------------------
    async def sparql(request: Request) -> Response:
        s = settings()
        body = b""
        if request.method == "POST":
            body = await read_body(request, 3 * s.max_query_bytes + 10_000)
        req: SparqlRequest = parse_request(  # ProtocolError: the status the protocol prescribes
            request.method,
            request.scope.get("query_string", b""),
            request.headers.get("content-type"),
            body,
            max_query_bytes=s.max_query_bytes,
        )
        if req.query is None:
            if request.method == "POST":
                raise ProtocolError(400, "no query: send 'query=' (form) or the query text (application/sparql-query)")
            if prefers_html(request.headers.get("accept")):
                return page()
            return await description.service(request)
        if req.format is None and request.method == "GET" and prefers_html(request.headers.get("accept")):
            return page()
        return await query_response(
            app_state,
            request,
            req.query,
            default_graphs=req.default_graphs if req.has_dataset else None,
            named_graphs=req.named_graphs if req.has_dataset else None,
            timeout=req.timeout,
            fmt=req.format,
        )

    router.add_api_route(
        "/sparql", sparql, methods=SPARQL_METHODS, include_in_schema=True, summary="SPARQL 1.1 Protocol endpoint"
    )
    router.add_api_route("/sparql/", sparql, methods=SPARQL_METHODS, include_in_schema=False)

    router.add_api_route(
        "/.well-known/void", description.void, methods=["GET"], summary="VoID description of the dataset"
    )
    add_named_query_routes(router, app_state)

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
        store = app_state.services.store
        check = getattr(store, "health_problem", None)
        if ready and check is not None:  # an external endpoint: does it answer, with bibkg's data?
            problem = await run_in_threadpool(check)
            if problem is not None:
                body.update(status="failing", error=problem)
                ready = False
            elif getattr(store, "companion", None) is not None:  # the local snapshot's cards and counts
                unused = await run_in_threadpool(store.companion_problem)
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
            raise NotFound(f"no static file '{path}'")
        return FileResponse(target, headers={"Cache-Control": "public, max-age=3600"})

    router.add_api_route("/static/{path:path}", static, methods=["GET"], include_in_schema=False)
    return router
