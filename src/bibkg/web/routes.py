"""The Linked Data, BibTeX and dump routes: ``build_router(services) -> APIRouter``.

Paths mirror the Anthology's (``/people/{id}/``, ``/{paper-id}/``, ``/volumes/{id}/``,
``/venues/{id}/``, ``/events/{id}/``, ``/sigs/{id}/``), plus ``/resource?iri=…`` for any IRI of
the graph.  Each answers with content negotiation (Turtle, N-Triples, JSON-LD, RDF/XML, HTML;
``?format=ttl|nt|jsonld|rdf|html`` overrides ``Accept``), ``Vary: Accept``, 404 for unknown
entities and 406 for types not offered: errors are raised and answered by the server's one
handler, as a page to a browser (:func:`bibkg.server.error_responses.answer_errors_as`).
BibTeX: ``/{paper-id}.bib``, ``/volumes/{id}.bib``,
``/people/{id}.bib``, ``/queries/{name}.bib?…`` (``.json`` or ``?format=csl``: CSL-JSON).
Dumps: ``/dumps`` and ``/dumps/bibkg.{ttl,nt,nq,trig,jsonld}[.gz]``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import iris
from .. import vocab as V
from ..errors import BibkgError, QueryError, RequestError, UnknownEntityError
from ..export.bibtex import bibtex_document, csl_document
from ..read.citations import fetch_records, papers_in_result, person_papers, volume_papers
from ..server.error_responses import answer_errors_as
from ..services import Services, pinned_snapshot
from ..sparql.catalog import ParameterError
from ..sparql.terms import iri_term
from ..store.local import LocalStore
from . import dumps, ld, page_parts, pages, person

PAPER_ID = r"(?:\d{4}\.[a-z0-9]+(?:-[a-z0-9]+)*\.\d+|[A-Z]\d{2}-\d{4})"
"""Anthology paper ids: ``2025.acl-long.1141``, ``2025.findings-acl.0``, ``P19-1001``."""
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CSS = (Path(__file__).parent / "static" / "bibkg-web.css").read_text(encoding="utf-8")
BIBTEX_TYPE = "application/x-bibtex; charset=utf-8"
CSL_TYPE = "application/vnd.citationstyles.csl+json"
MAX_QUERY_PAPERS = 5000


class PaperIdConvertor(Convertor):
    regex = PAPER_ID

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("aclpaper", PaperIdConvertor())


def build_router(services: Services, local: LocalStore | None = None) -> APIRouter:
    """The routes over ``services``; ``local`` is the store whose snapshots are served (its dump
    files go out at ``/dumps``), ``None`` over an external SPARQL endpoint."""
    router = APIRouter()

    def local_store() -> LocalStore | None:
        return local

    def base_url(request: Request) -> str:
        from ..server.edge import public_base  # the one URL builder (Host checked by the edge)
        from ..server.settings import ServerSettings

        return public_base(request, getattr(services, "settings", None) or ServerSettings())

    # -- entities -----------------------------------------------------------------------------------
    def types_of(iri: str) -> set[str]:
        return {r["t"].value for r in services.runner.solutions_sync("ld-types", entity=iri)}

    def describe(iri: str) -> list[ox.Triple]:
        return ld.sorted_triples(cast(ox.QueryTriples, services.runner.named_sync("ld-describe", entity=iri)))

    def html_for(iri: str) -> str | None:
        types = types_of(iri)
        if not types:
            return None
        if V.Person in types:
            return person.person_page(services.runner, iri)
        if V.Paper in types or V.FrontMatter in types:
            return pages.paper_page(services.runner, iri)
        if V.Volume in types or V.Proceedings in types or V.JournalIssue in types:
            return pages.volume_page(services.runner, iri)
        for cls in (V.Venue, V.Event, V.SIG):
            if cls in types:
                return pages.group_page(services.runner, iri, cls)
        triples = describe(iri)
        return pages.generic_page(iri, triples) if triples else None

    def cached_html_for(iri: str) -> str | None:
        generation = services.generation
        if not getattr(generation.store, "immutable", False):  # an external endpoint's data can change
            return html_for(iri)  # at any time: its pages are built on every request
        # a snapshot: the same page for its whole life; the pages of the request's, dropped with it
        return generation.cache("html-pages", lambda: functools.lru_cache(maxsize=256)(html_for))(iri)

    async def entity(request: Request, iri: str) -> Response:
        media = ld.negotiate(request.headers.get("accept"), request.query_params.get("format"))  # 406
        iri_term(iri, "the requested resource")  # TermError (400)
        headers = {"Vary": "Accept"}
        if media == ld.HTML:
            # every page's store work under the request deadline (services.run_with_deadline: Stopped)
            html = await services.run_with_deadline(
                cached_html_for, iri, disconnected=request.is_disconnected, what="this page"
            )
            if html is None:
                raise UnknownEntityError(f"{iri} is not in the graph")
            return Response(html, media_type="text/html; charset=utf-8", headers=headers)
        triples = await services.run_with_deadline(
            describe, iri, disconnected=request.is_disconnected, what="this description"
        )
        if not any(t.subject.value == iri for t in triples):  # type: ignore[union-attr]  # stubs: a subject is never a Triple
            raise UnknownEntityError(f"{iri} is not in the graph")
        body = ld.serialize(triples, media, context_url=base_url(request) + "/context.jsonld")
        headers["Link"] = f'<{base_url(request)}/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'
        ctype = media if media == ld.JSON_LD else f"{media}; charset=utf-8"
        return Response(body, media_type=ctype, headers=headers)

    async def bib(request: Request, papers_of: Any, what: str, suffix: str) -> Response:
        def build() -> tuple[list, str]:
            targets = papers_of()
            return fetch_records(services.runner.query_sync, targets, services.catalog), ""

        # finding the papers and their records: one deadline (services.run_with_deadline: Stopped)
        records, _ = await services.run_with_deadline(
            build, disconnected=request.is_disconnected, what="this bibliography"
        )
        if not records:
            raise UnknownEntityError(f"no papers for {what}")
        if suffix == "json" or request.query_params.get("format") == "csl":
            return Response(csl_document(records), media_type=CSL_TYPE)
        abstract = request.query_params.get("abstract") in ("1", "true", "yes")
        return Response(bibtex_document(records, with_abstract=abstract), media_type=BIBTEX_TYPE)

    # -- papers ----------------------------------------------------------------------------------------
    async def paper(request: Request) -> Response:
        return await entity(request, iris.paper_iri(request.path_params["pid"]))

    async def paper_redirect(request: Request) -> Response:
        return RedirectResponse(f"/{request.path_params['pid']}/", status_code=301)

    async def paper_bib(request: Request) -> Response:
        pid = request.path_params["pid"]
        suffix = request.url.path.rsplit(".", 1)[-1]
        return await bib(request, lambda: [iris.paper_iri(pid)], f"paper {pid}", suffix)

    router.add_route("/{pid:aclpaper}/", paper, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_route("/{pid:aclpaper}", paper_redirect, methods=["GET", "HEAD"], include_in_schema=False)
    router.add_route("/{pid:aclpaper}.bib", paper_bib, methods=["GET"], include_in_schema=False)
    router.add_route("/{pid:aclpaper}.json", paper_bib, methods=["GET"], include_in_schema=False)

    # -- people ----------------------------------------------------------------------------------------
    async def people(request: Request) -> Response:
        rest: str = request.path_params["rest"]
        for suffix in ("bib", "json"):
            if rest.endswith("." + suffix):
                pid = _person_id(rest[: -len(suffix) - 1])
                if pid is None:
                    raise UnknownEntityError(f"no person '{rest}'")
                iri = iris.person_iri(pid)
                return await bib(
                    request,
                    lambda iri=iri: person_papers(services.store, iri, services.catalog),
                    f"person {pid}",
                    suffix,
                )
        if not rest.endswith("/"):
            return RedirectResponse(f"/people/{quote(rest)}/", status_code=301)
        pid = _person_id(rest[:-1])
        if pid is None:
            raise UnknownEntityError(f"no person '{rest}'")
        return await entity(request, iris.person_iri(pid))

    router.add_route("/people/{rest:path}", people, methods=["GET", "HEAD"], include_in_schema=False)

    # -- volumes, venues, events, SIGs ------------------------------------------------------------------
    def group_route(prefix: str, make_iri: Any, bibtex: bool) -> None:
        async def handler(request: Request) -> Response:
            rest: str = request.path_params["rest"]
            if bibtex:
                for suffix in ("bib", "json"):
                    if rest.endswith("." + suffix) and _SLUG.match(rest[: -len(suffix) - 1]):
                        vid = rest[: -len(suffix) - 1]
                        iri = make_iri(vid)
                        return await bib(
                            request,
                            lambda iri=iri: volume_papers(services.store, iri, services.catalog),
                            f"volume {vid}",
                            suffix,
                        )
            ident = rest[:-1] if rest.endswith("/") else rest
            if not _SLUG.match(ident):
                raise UnknownEntityError(f"no such {prefix[:-1]}: '{rest}'")
            if not rest.endswith("/"):
                return RedirectResponse(f"/{prefix}/{ident}/", status_code=301)
            return await entity(request, make_iri(ident))

        router.add_route(f"/{prefix}/{{rest:path}}", handler, methods=["GET", "HEAD"], include_in_schema=False)

    group_route("volumes", iris.volume_iri, True)
    group_route("venues", iris.venue_iri, False)
    group_route("events", iris.event_iri, False)
    group_route("sigs", iris.sig_iri, False)

    # -- Hugging Face Daily Papers ------------------------------------------------------------------------
    async def daily_papers(request: Request) -> Response:
        from .preprints import DAY, day_page

        day = request.path_params["day"]
        if not DAY.match(day):
            raise RequestError(f"'{day[:40]}' is not a day: /daily-papers/YYYY-MM-DD")
        html = await services.run_with_deadline(
            day_page, services.runner, day, disconnected=request.is_disconnected, what="this page"
        )
        if html is None:
            raise UnknownEntityError(f"no Daily Papers of {day} in the graph")
        return Response(html, media_type="text/html; charset=utf-8")

    router.add_route("/daily-papers/{day}", daily_papers, methods=["GET", "HEAD"], include_in_schema=False)

    # -- any IRI ---------------------------------------------------------------------------------------------
    async def resource(request: Request) -> Response:
        iri = request.query_params.get("iri")
        if not iri:
            raise ParameterError("give the IRI to describe: /resource?iri=https://aclanthology.org/…")
        return await entity(request, iri)

    router.add_route("/resource", resource, methods=["GET", "HEAD"], include_in_schema=False)

    async def context(request: Request) -> Response:
        return JSONResponse(ld.context(), media_type=ld.JSON_LD,
                            headers={"Cache-Control": "public, max-age=86400", "Access-Control-Allow-Origin": "*"})  # fmt: skip

    router.add_route("/context.jsonld", context, methods=["GET"], include_in_schema=False)

    async def css(request: Request) -> Response:
        return Response(_CSS, media_type="text/css; charset=utf-8", headers={"Cache-Control": "public, max-age=3600"})

    router.add_route(page_parts.CSS_PATH, css, methods=["GET"], include_in_schema=False)

    # -- named queries as bibliographies ----------------------------------------------------------------
    async def query_bib(request: Request) -> Response:
        name = request.path_params["name"]
        suffix = request.url.path.rsplit(".", 1)[-1]
        named = services.catalog.public_query(name)  # an internal query is no public API (404)
        values: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            if key in ("format", "abstract"):
                continue
            if key in values:
                raise ParameterError(f"parameter '{key}' is given twice")
            values[key] = value
        bindings = named.bind(values)  # ParameterError (400)

        def run() -> list[str]:
            try:
                result = services.runner.query_sync(named.text, bindings)
            except BibkgError:  # a malformed query (QueryError), an unavailable store…: as they are
                raise
            except (RuntimeError, ValueError) as exc:  # pyoxigraph's: e.g. a parameter the query does not project
                raise ParameterError(f"query '{name}' cannot be run with these parameters: {exc}") from exc
            is_select = isinstance(result, ox.QuerySolutions)
            papers = papers_in_result(result)[:MAX_QUERY_PAPERS] if is_select else []
            del result  # pyoxigraph results must be dropped on the thread that made them
            if not is_select:
                raise QueryError(f"query '{name}' is not a SELECT query: it returns no papers")
            return papers

        # the query and the records of its papers under one deadline (in bib)
        return await bib(request, run, f"query '{name}' (it must return papers in ?paper)", suffix)

    router.add_route("/queries/{name}.bib", query_bib, methods=["GET"], include_in_schema=False)
    router.add_route("/queries/{name}.csl.json", query_bib, methods=["GET"], include_in_schema=False)

    # -- dumps ------------------------------------------------------------------------------------------------
    async def dump_list(request: Request) -> Response:
        return dumps.listing(local_store(), base_url(request), pinned_snapshot())

    async def dump_file(request: Request) -> Response:  # the request's snapshot (the server pins each request)
        return dumps.serve(request, local_store(), request.path_params["filename"], pinned_snapshot())

    router.add_route("/dumps", dump_list, methods=["GET"], include_in_schema=False)
    router.add_route("/dumps/{filename}", dump_file, methods=["GET", "HEAD"], include_in_schema=False)
    # what these routes raise is answered as a page to a browser, as plain text otherwise (the
    # dumps' errors have their own JSON: dumps.DumpUnavailable)
    answer_errors_as("page", [route.endpoint for route in router.routes if isinstance(route, Route)])
    return router


def _person_id(path: str) -> str | None:
    """``yaodong-yang`` → itself; ``jane-doe/unverified`` → ``unverified/jane-doe``."""
    if path.endswith("/unverified"):
        slug = path[: -len("/unverified")]
        return iris.UNVERIFIED_PREFIX + slug if _SLUG.match(slug) else None
    return path if _SLUG.match(path) else None
