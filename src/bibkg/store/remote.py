"""A :class:`~bibkg.store.base.GraphStore` over any SPARQL 1.1 Protocol endpoint (Virtuoso,
QLever, GraphDB, Fuseki, Oxigraph server, another bibkg…), with httpx.

Results are parsed into pyoxigraph's result types, so the layers above cannot tell a remote
store from the local one.  What the store does so that every server gives the embedded store's
answers (tested against Oxigraph server and Virtuoso in ``tests/external``):

* **Requests** are form POSTs (``application/x-www-form-urlencoded``, ``query=``), the one
  request form every SPARQL 1.1 server must accept (Virtuoso never answers a POST of
  ``application/sparql-query``), with the server's own timeout parameter (``timeout``, in ms:
  Virtuoso stops the query there; others ignore it) so an abandoned query does not keep running.
* **Parameters** are written into the query text as RDF terms: a named query's
  ``VALUES ?x { UNDEF }`` placeholder is filled (:func:`bibkg.sparql.catalog.apply_bindings`),
  and any other bound variable is replaced by its term token by token
  (:func:`bibkg.store.remote_text.substitute_terms`, on the SPARQL tokenizer), never from user strings.  A trailing
  ``VALUES`` block would mean the same but Oxigraph server plans it > 100x slower and Virtuoso
  refuses it in ``CONSTRUCT`` (``SP031``).
* **Result limits** are detected, never silently accepted: a server that caps a result
  (Virtuoso's ``ResultSetMaxRows``, announced only by the ``X-SPARQL-MaxRows`` header) or cuts it
  at its own timeout (``X-SQL-State``) is an error, except that a ``SELECT`` without its own
  ``LIMIT``/``OFFSET`` is fetched again in pages (``ORDER BY`` every projected variable,
  ``LIMIT``/``OFFSET``) of the server's size, so the name index and other big internal queries
  work under the cap.
* **A snapshot's own files** (``companion``, :mod:`bibkg.store.companion`): given the local
  snapshot the endpoint was loaded from, its paper cards and kept schema counts answer what
  they answer in the embedded store, while the endpoint's dataset description is that
  snapshot's.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from ..errors import QueryError, ResultLimitError, StoreError
from ..sparql.catalog import default_catalog
from ..sparql.lexer import significant
from ..sparql.query_text import query_form
from .base import QueryResult, Term
from .remote_text import solution_modifiers, substitute_terms, with_row_limit

if TYPE_CHECKING:
    from ..cards import PaperCards
    from .companion import SnapshotCompanion

_TABULAR_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


_ROW_CAPS: dict[str, int | None] = {}
"""Virtuoso's result-row limit per endpoint, learnt once (see ``RemoteStore._refuse_silent_cut``)."""


class RemoteStore:
    """Read-only SPARQL over HTTP; ``timeout`` (seconds) bounds each request."""

    immutable = False
    """The server's data can change at any time."""

    max_pages = 1000
    """A paged ``SELECT`` (see the module docs) reads at most this many pages."""
    max_response_bytes = 512 * 1024 * 1024
    """The largest answer read when the caller sets no ``max_bytes`` (bibkg's own big queries:
    the name index of the full corpus is ~120 MB of JSON)."""

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        companion: SnapshotCompanion | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._client = client or httpx.Client(headers={"User-Agent": "bibkg"}, follow_redirects=True)
        self._owns_client = client is None
        self.companion = companion
        """The local snapshot the endpoint was loaded from, if the operator named it."""
        self._health: tuple[float, str | None] | None = None
        self._health_lock = threading.Lock()
        self.data_missing = False
        """Set by :meth:`health_problem`: the endpoint answered and its default graph holds no
        bibkg data (a configuration error, unlike an endpoint that is down)."""

    def with_timeout(self, timeout: float) -> RemoteStore:
        """The same store (sharing its connection pool) with another per-request timeout."""
        clone = RemoteStore(self.endpoint, timeout=timeout, client=self._client, companion=self.companion)
        clone._owns_client = False
        return clone

    @property
    def paper_cards(self) -> PaperCards | None:
        """The companion snapshot's paper cards while the endpoint holds its data; else
        ``None``: listings are read from the graph."""
        if self.companion is None or self.companion_problem() is not None:
            return None
        return self.companion.paper_cards

    def companion_problem(self) -> str | None:
        """Why the companion snapshot's files are not used now (``None``: they are)."""
        if self.companion is None:
            return "no snapshot given (serve --store STORE with --sparql-endpoint)"
        from .companion import DESCRIPTION_QUERY

        return self.companion.problem(lambda: self.query(DESCRIPTION_QUERY))

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
        federation_allow: Collection[str] = (),
        row_limit: int | None = None,
        max_bytes: int | None = None,
    ) -> QueryResult:
        """See :meth:`GraphStore.query`.  As with the local store, ``SERVICE`` is refused before
        anything is sent unless its endpoint is in ``federation_allow`` (the remote server would
        make the call), and the project's prefixes are predeclared: the ones the query uses
        without declaring them are sent as ``PREFIX`` lines, since the protocol has no
        predeclared prefixes.  Bindings are written into the text as terms (module docs).

        The answer is read within ``timeout`` seconds in all and at most ``max_bytes`` (default
        :attr:`max_response_bytes`): a query bibkg gave up on is never read on in the
        background.  A ``SELECT`` with ``row_limit`` and no ``LIMIT``/``OFFSET`` of its own asks
        the server for that many rows (``LIMIT``), as the local store evaluates only the rows read."""
        from ..sparql.catalog import apply_bindings
        from ..sparql.lexer import check_federation, prefix_block
        from ..vocab import PREFIXES

        prefixes = PREFIXES if prefixes is None else prefixes
        check_federation(sparql, federation_allow, prefixes=prefixes, base_iri=base_iri)
        text, rest = apply_bindings(sparql, bindings)
        if self.companion is not None and not rest and default_graphs is None and named_graphs is None:
            kept = self.companion.kept_answer(text, prefixes, base_iri)  # a schema query: counts kept
            if kept is not None and self.companion_problem() is None:
                return kept
        text = substitute_terms(text, rest)
        text = prefix_block(sparql, prefixes) + text  # of the query as written: cached per text
        if base_iri:
            text = f"BASE {ox.NamedNode(base_iri)}\n" + text
        form = query_form(sparql)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        dataset: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graphs or ()]
        dataset += [("named-graph-uri", g) for g in named_graphs or ()]
        limit = max_bytes or self.max_response_bytes
        sent = with_row_limit(text, row_limit) if form == "SELECT" and row_limit else text
        try:
            response = self._post(sent, dataset, graph, max_bytes=limit)
        except StoreError as exc:
            if sent is text or "SR353" not in str(exc):
                raise
            # Virtuoso refuses a sorted LIMIT above its MaxSortedTopRows (SR353): sent as written
            response = self._post(text, dataset, graph, max_bytes=limit)
        capped = response.headers.get("x-sparql-maxrows")
        if capped is None:
            if graph and "virtuoso" in response.headers.get("server", "").lower():
                self._refuse_silent_cut(response)
            return _parse(response.content, _media(response), graph)
        modifiers = solution_modifiers(text)
        if form != "SELECT" or modifiers & {"LIMIT", "OFFSET"}:
            raise ResultLimitError(
                f"{self.endpoint} capped the result at {capped} rows (its result-row limit, e.g. "
                "Virtuoso's ResultSetMaxRows): add LIMIT/OFFSET to page through it, or raise the "
                "server's limit"
            )
        if row_limit is not None and int(capped) >= row_limit:  # the server's cap is not the cut
            return _parse(response.content, _media(response), graph)
        return self._select_in_pages(text, dataset, int(capped), "ORDER" in modifiers, row_limit, limit)

    def _refuse_silent_cut(self, response: _Answer) -> None:
        """Virtuoso cuts a ``CONSTRUCT``/``DESCRIBE`` answer at ``ResultSetMaxRows`` triples
        without the header it sends for a ``SELECT``: an answer of that many triples or more is
        refused.  The limit is learnt once per endpoint from a ``SELECT`` that exceeds it."""
        cap = _ROW_CAPS.get(self.endpoint, -1)
        if cap == -1:
            probe = self._post(default_catalog()["remote-row-cap"].text, [], False, json_only=True)
            cap = _ROW_CAPS[self.endpoint] = int(probe.headers.get("x-sparql-maxrows") or 0) or None
        if cap is None:
            return
        fmt = ox.RdfFormat.from_media_type(_media(response)) or ox.RdfFormat.N_TRIPLES
        count = sum(1 for _ in ox.parse(response.content, format=fmt))
        if count >= cap:
            raise ResultLimitError(
                f"{self.endpoint} cut a CONSTRUCT/DESCRIBE answer at its result-row limit of {cap} triples "
                "(Virtuoso's ResultSetMaxRows, not announced for graphs): raise the server's limit"
            )

    def _select_in_pages(
        self,
        text: str,
        dataset: list[tuple[str, str]],
        size: int,
        ordered: bool,
        row_limit: int | None,
        max_bytes: int,
    ) -> QueryResult:
        """All rows of a ``SELECT`` the server caps at ``size`` rows, read in pages of ``size``
        in a total order: the query becomes a sub-select ordered by every projected variable
        (its own ``ORDER BY``, if any, is kept), and the outer query takes ``LIMIT``/``OFFSET``.
        The outer form matters: Virtuoso refuses an ordered ``LIMIT``/``OFFSET`` beyond its
        sort limit (``SR353``) but pages a sorted sub-select.  Reading stops at ``row_limit``
        rows, and at ``max_bytes`` read in all."""
        tokens = significant(text)
        start = next((t.start for t in tokens if t.kind == "word" and t.text.upper() == "SELECT"), None)
        if start is None or {t.text.upper() for t in tokens if t.kind == "word"} & {"FROM"}:
            raise ResultLimitError(f"{self.endpoint} capped the result at {size} rows and this query cannot be paged")
        prologue, select = text[:start], text[start:]
        probe = json.loads(self._post(prologue + select + "\nLIMIT 0", dataset, False, json_only=True).content)
        variables = probe["head"].get("vars", [])
        order = "" if ordered or not variables else "\nORDER BY " + " ".join(f"?{v}" for v in variables)
        rows: list[object] = []
        read = 0
        for page in range(self.max_pages):
            paged = f"{prologue}SELECT * WHERE {{\n{select}{order}\n}}\nLIMIT {size} OFFSET {page * size}"
            answer = self._post(paged, dataset, False, json_only=True, max_bytes=max_bytes - read)
            read += len(answer.content)
            batch = json.loads(answer.content)["results"]["bindings"]
            rows.extend(batch)
            if len(batch) < size or (row_limit is not None and len(rows) >= row_limit):
                del rows[row_limit or len(rows) :]
                break
        else:
            raise ResultLimitError(f"{self.endpoint}: more than {self.max_pages} pages of {size} rows")
        merged = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()
        return _parse(merged, "application/sparql-results+json", False)

    def _post(
        self,
        text: str,
        dataset: list[tuple[str, str]],
        graph: bool,
        *,
        json_only: bool = False,
        max_bytes: int | None = None,
    ) -> _Answer:
        """One form POST, read within :attr:`timeout` seconds in all and at most ``max_bytes``
        (default :attr:`max_response_bytes`); errors become :class:`QueryError` (400) or
        :class:`StoreError`."""
        form = [("query", text), *dataset, ("timeout", str(max(1, int(self.timeout * 1000))))]
        accept = "application/sparql-results+json" if json_only else _GRAPH_ACCEPT if graph else _TABULAR_ACCEPT
        cap = self.max_response_bytes if max_bytes is None else max_bytes
        deadline = time.monotonic() + self.timeout
        late = f"the SPARQL endpoint {self.endpoint} did not answer within {self.timeout:g} s"
        try:
            with self._client.stream(
                "POST",
                self.endpoint,
                content=urlencode(form).encode("ascii"),  # repeated keys kept (default-graph-uri)
                headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
                timeout=self.timeout,
            ) as streamed:
                chunks: list[bytes] = []
                size = 0
                for chunk in streamed.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise ResultLimitError(
                            f"the answer of {self.endpoint} is larger than {cap:,} bytes: add LIMIT, or ask for less"
                        )
                    if time.monotonic() > deadline:
                        raise StoreError(late)
                    chunks.append(chunk)
                response = _Answer(streamed.status_code, streamed.headers, b"".join(chunks))
        except httpx.TimeoutException:
            raise StoreError(late) from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.endpoint}: {exc}") from None
        if response.status_code == 400:
            raise QueryError(f"{self.endpoint} rejected the query: {response.text.strip()[:500]}")
        if response.status_code >= 300:
            raise StoreError(f"{self.endpoint} answered {response.status_code}: {response.text.strip()[:300]}")
        state = response.headers.get("x-sql-state")
        if state:  # Virtuoso's "anytime" answer: what it had when its timeout struck
            raise ResultLimitError(
                f"{self.endpoint} cut the answer at its timeout ({state}: "
                f"{response.headers.get('x-sql-message', '').strip()[:200]})"
            )
        return response

    def health_problem(self, max_age: float = 10.0) -> str | None:
        """``None`` if the endpoint answers and its default graph holds bibkg's data; else why
        not, in one line.  Checked at most every ``max_age`` seconds.

        Without the union of the named graphs as default graph (Oxigraph server without
        ``--union-default-graph``, Fuseki without ``unionDefaultGraph``) every answer would be
        silently empty while the server is up.
        """
        with self._health_lock:
            if self._health is not None and time.monotonic() - self._health[0] < max_age:
                return self._health[1]
            problem: str | None = None
            try:
                result = self.query(default_catalog()["remote-has-data"].text)
            except (StoreError, QueryError) as exc:
                problem = str(exc)
            else:
                self.data_missing = not bool(result)
                if self.data_missing:
                    problem = (
                        f"{self.endpoint} answers, but its default graph has no bibkg data: it must be the "
                        "union of the named graphs (Oxigraph server: serve --union-default-graph; "
                        "Fuseki: unionDefaultGraph true), or the dump was not loaded"
                    )
            self._health = (time.monotonic(), problem)
            return problem

    def close(self) -> None:
        if self._owns_client:
            self._client.close()
            if self.companion is not None:
                self.companion.close()


@dataclass(frozen=True, slots=True)
class _Answer:
    """A server's answer, read whole (within the deadline and the byte cap)."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def _media(response: _Answer) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_CANONICAL_BOOLEAN = {"1": "true", "0": "false"}
_NT_BOOLEAN = re.compile(rb'(?<!\\)"([01])"\^\^<' + re.escape(_BOOLEAN.encode()) + rb">")


def canonical_booleans(data: bytes, media: str, graph: bool) -> bytes:
    """``xsd:boolean`` literals in their canonical form (``true``/``false``): Virtuoso answers
    the ``"true"^^xsd:boolean`` it loaded as ``"1"^^xsd:boolean``, the same value but another
    RDF term than the embedded store's (and the dump's)."""
    if _BOOLEAN.encode() not in data:
        return data
    if graph and media in ("application/n-triples", "text/plain", ""):
        return _NT_BOOLEAN.sub(
            lambda m: b'"' + _CANONICAL_BOOLEAN[m.group(1).decode()].encode() + b'"^^<' + _BOOLEAN.encode() + b">", data
        )
    if not graph and media in ("application/sparql-results+json", "application/json", ""):
        body = json.loads(data)
        for row in body.get("results", {}).get("bindings", []):
            for cell in row.values():
                if cell.get("datatype") == _BOOLEAN and cell.get("value") in _CANONICAL_BOOLEAN:
                    cell["value"] = _CANONICAL_BOOLEAN[cell["value"]]
        return json.dumps(body).encode()
    return data


def _parse(data: bytes, media: str, graph: bool) -> QueryResult:
    data = canonical_booleans(data, media, graph)
    if not graph:
        fmt = ox.QueryResultsFormat.from_media_type(media) if media else ox.QueryResultsFormat.JSON
        if fmt is None:
            raise StoreError(f"the endpoint answered an unsupported result type '{media}'")
        return ox.parse_query_results(data, format=fmt)
    rdf_format = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.N_TRIPLES
    if rdf_format is None:
        raise StoreError(f"the endpoint answered an unsupported RDF type '{media}'")
    # QueryTriples cannot be built directly: load into a scratch store and read it back.
    scratch = ox.Store()
    scratch.bulk_load(input=data, format=rdf_format, to_graph=ox.DefaultGraph())
    return scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
