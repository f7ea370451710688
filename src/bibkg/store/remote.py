"""A :class:`~bibkg.store.base.GraphStore` over any SPARQL 1.1 Protocol endpoint (Virtuoso,
QLever, GraphDB, Fuseki, Oxigraph server, another bibkg…), with httpx.

Results are parsed into pyoxigraph's result types, so the layers above cannot tell a remote
store from the local one.  Query text is sent as is; the only composition is for ``bindings``:
the protocol has no parameter binding, so they become a trailing ``VALUES`` block rendered from
the pyoxigraph terms' N-Triples form (``str(term)``), never from user strings.  A trailing
``VALUES`` joins after grouping, i.e. it has exactly the meaning of pyoxigraph's substitutions
for variables of the projection (the convention of ``queries/*.rq``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx
import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..sparql.protocol import query_form
from .base import QueryResult, Term

_TABULAR_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


def values_block(bindings: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (<…> "…") }`` from RDF terms (their N-Triples serialization)."""
    names = list(bindings)
    for name in names:
        if not name.isidentifier():
            raise QueryError(f"'{name}' is not a valid variable name")
    terms = []
    for name in names:
        term = bindings[name]
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise QueryError(f"binding ?{name}: only IRIs and literals can be sent to a remote store")
        terms.append(str(term))
    return "\nVALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(terms) + ") }\n"


class RemoteStore:
    """Read-only SPARQL over HTTP; ``timeout`` (seconds) bounds each request."""

    immutable = False
    """The server's data can change at any time."""
    paper_cards = None
    """Listings are read from the graph."""

    def __init__(self, endpoint: str, *, timeout: float = 10.0, client: httpx.Client | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._client = client or httpx.Client(headers={"User-Agent": "bibkg"}, follow_redirects=True)
        self._owns_client = client is None

    def with_timeout(self, timeout: float) -> RemoteStore:
        """The same store (sharing its connection pool) with another per-request timeout."""
        clone = RemoteStore(self.endpoint, timeout=timeout, client=self._client)
        clone._owns_client = False
        return clone

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        text = sparql
        if base_iri:
            text = f"BASE {ox.NamedNode(base_iri)}\n" + text
        if bindings:
            text = text.rstrip() + values_block(bindings)
        form = query_form(sparql)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        params: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        try:
            response = self._client.post(
                self.endpoint,
                params=params,
                content=text.encode("utf-8"),
                headers={
                    "Content-Type": "application/sparql-query; charset=utf-8",
                    "Accept": _GRAPH_ACCEPT if graph else _TABULAR_ACCEPT,
                },
                timeout=self.timeout,
            )
        except httpx.TimeoutException:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.endpoint}: {exc}") from None
        if response.status_code == 400:
            raise QueryError(f"{self.endpoint} rejected the query: {response.text.strip()[:500]}")
        if response.status_code >= 300:
            raise StoreError(f"{self.endpoint} answered {response.status_code}: {response.text.strip()[:300]}")
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return _parse(response.content, media, graph)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


def _parse(data: bytes, media: str, graph: bool) -> QueryResult:
    if not graph:
        fmt = ox.QueryResultsFormat.from_media_type(media) if media else ox.QueryResultsFormat.JSON
        if fmt is None:
            raise StoreError(f"the endpoint answered an unsupported result type '{media}'")
        return ox.parse_query_results(data, format=fmt)
    fmt = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.N_TRIPLES
    if fmt is None:
        raise StoreError(f"the endpoint answered an unsupported RDF type '{media}'")
    # QueryTriples cannot be built directly: load into a scratch store and read it back.
    scratch = ox.Store()
    scratch.bulk_load(input=data, format=fmt, to_graph=ox.DefaultGraph())
    return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
