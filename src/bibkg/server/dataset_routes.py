"""The description of the service and its dataset over HTTP: the SPARQL service description
(``GET /sparql`` with no query) and the VoID description (``/.well-known/void``), with the dataset
facts they are made of (the named graphs, the number of triples)."""

from __future__ import annotations

import html
import json
from typing import Any, cast

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from ..errors import NotFound, Unavailable
from ..sparql.formats import graph_bytes
from ..sparql.negotiation import GRAPH_FORMATS, negotiate, prefers_html
from .description import GRAPHS_QUERIES, PREFIXES, VOID_QUERY, service_description, void_extra
from .edge import public_base
from .executor import Busy, DeadlineExceeded, WorkerFailed
from .job import Job


class DatasetDescription:
    """The service and VoID descriptions of the store served; ``app_state`` is ``app.state``
    (services and executor set by lifespan)."""

    def __init__(self, app_state: Any) -> None:
        self.app_state = app_state

    def cacheable(self) -> bool:
        """Dataset facts and VoID are kept only for an immutable store (a snapshot), with the
        request's snapshot (bibkg.services.Generation); an external endpoint's data can change,
        so they are asked for each time."""
        store = self.app_state.services.store
        return bool(getattr(store, "immutable", False))

    def _cache(self) -> dict[str, Any]:
        """The dataset-facts cache of the request's snapshot (nothing is kept otherwise)."""
        return self.app_state.services.generation.cache("dataset-facts", dict) if self.cacheable() else {}

    async def dataset_facts(self) -> tuple[list[str] | None, int | None]:
        if "graphs" not in self._cache() or not self.cacheable():
            graphs: list[str] | None = None
            triples: int | None = None
            try:
                for query in GRAPHS_QUERIES:  # the second only when the first finds no graph
                    outcome = await self.app_state.executor.run(
                        Job(query, tabular_format="json", max_rows=100_000), self.app_state.settings.query_timeout
                    )
                    if outcome.result is not None:
                        data = json.loads(outcome.result.payload)
                        graphs = [b["g"]["value"] for b in data["results"]["bindings"] if "g" in b]
                    if graphs:
                        break
                void = await self.void_triples()
                for t in void:
                    if t.predicate.value.endswith("void#triples"):
                        triples = int(t.object.value)  # type: ignore[union-attr]  # a triple term (RDF 1.2) has no .value
            except (Busy, DeadlineExceeded, WorkerFailed, ValueError, KeyError):
                return None, None
            self._cache()["graphs"] = (graphs, triples)
            return graphs, triples
        return self._cache()["graphs"]

    async def void_triples(self) -> list[ox.Triple]:
        if "void" not in self._cache() or not self.cacheable():
            outcome = await self.app_state.executor.run(
                Job(VOID_QUERY, tabular_format="json", max_rows=100_000), self.app_state.settings.query_timeout
            )
            if outcome.result is None:
                raise WorkerFailed(outcome.error[1] if outcome.error else "no VoID description")
            solutions = ox.parse_query_results(outcome.result.payload, format=ox.QueryResultsFormat.JSON)
            triples = [ox.Triple(s["s"], s["p"], s["o"]) for s in cast(ox.QuerySolutions, solutions)]
            self._cache()["void"] = triples
            return triples
        return self._cache()["void"]

    async def service(self, request: Request) -> Response:
        """The service description, in the RDF format the client asked for."""
        accept = request.headers.get("accept")
        settings = self.app_state.settings
        base = public_base(request, settings)
        graphs, triples = await self.dataset_facts()
        triples_ = service_description(
            base + "/sparql",
            base_iri=settings.base_iri,
            void_url=base + "/.well-known/void",
            graphs=graphs,
            triples=triples,
        )
        return graph_response(triples_, accept, request.query_params.get("format"))

    async def void(self, request: Request) -> Response:
        base = public_base(request, self.app_state.settings)
        try:
            triples = await self.void_triples()
        except (Busy, DeadlineExceeded, WorkerFailed) as exc:  # the description, not the client's query
            raise Unavailable(f"the VoID description is not available: {exc}", headers={"Retry-After": "1"}) from exc
        if not triples:
            raise NotFound("this store has no statistics graph (re-ingest it with this version of bibkg)")
        out = triples + void_extra(base + "/sparql", base + "/.well-known/void")
        return graph_response(  # ProtocolError (406) when no RDF format is acceptable
            out,
            request.headers.get("accept"),
            request.query_params.get("format"),
            "VoID description of the dataset",
        )


def graph_response(triples: list[ox.Triple], accept: str | None, fmt: str | None, title: str | None = None) -> Response:
    """``triples`` in the RDF format the client asked for.  A document with a ``title`` is
    shown to a browser (HTML preferred, no ``format=``) as an HTML page with its Turtle
    instead of whatever ``*/*`` would pick (RDF/XML, which browsers download or mangle)."""
    if title is not None and fmt is None and prefers_html(accept):
        turtle = cast(bytes, ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)).decode("utf-8")
        links = " · ".join(f'<a href="?format={g.name}">{g.name}</a>' for g in GRAPH_FORMATS)
        return HTMLResponse(
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            "<link rel=stylesheet href=/static/app.css></head><body><main>"
            f"<h1>{html.escape(title)}</h1><p>Download: {links}</p><pre id=raw>{html.escape(turtle)}</pre>"
            "</main></body></html>",
            headers={"Vary": "Accept"},
        )
    chosen, media_type = negotiate(accept, "graph", fmt)
    rdf_format = chosen.rdf
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        data = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)
    else:
        data = graph_bytes(triples, rdf_format)
    return Response(data, media_type=chosen.content_type(media_type), headers={"Vary": "Accept"})
