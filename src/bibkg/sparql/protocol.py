"""The SPARQL 1.1 Protocol, without a web framework: parse a request (its result format is
negotiated by :mod:`bibkg.sparql.negotiation`).

Everything here is a pure function of the request's method, query string, headers and body, so
the HTTP layer stays thin and the rules are unit-tested directly.  Errors (here and in the
negotiation) are :class:`ProtocolError` with the HTTP status the protocol prescribes:

* 400 — malformed request: two ``query`` parameters, a bad ``default-graph-uri``, a bad
  ``timeout``;
* 403 — a SPARQL Update (``update=``, ``application/sparql-update`` or update text in
  ``query=``): the endpoint is read-only;
* 405 — a method other than GET and POST;
* 406 — no acceptable result format;
* 413 — the query text is larger than allowed;
* 415 — a POST whose media type is neither ``application/x-www-form-urlencoded`` nor
  ``application/sparql-query``, or whose body is not UTF-8.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox

from ..errors import BibkgError
from .query_text import query_form

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


class ProtocolError(BibkgError):
    """A request the protocol rejects; ``status`` is the HTTP status to answer with, ``headers``
    any the answer needs (``Allow`` with a 405)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message, status=status, headers=headers or {})
        self.message = message

    def __reduce__(self) -> tuple[type[ProtocolError], tuple[int, str, dict[str, str]]]:
        return (type(self), (self.status, self.message, dict(self.headers)))


@dataclass(slots=True)
class SparqlRequest:
    """A parsed protocol request; ``query`` is ``None`` for a bare ``GET /sparql``."""

    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    timeout: float | None = None
    format: str | None = None

    @property
    def has_dataset(self) -> bool:
        """The protocol names a dataset, which then replaces the query's FROM / FROM NAMED."""
        return bool(self.default_graphs or self.named_graphs)

    @property
    def form(self) -> str:
        return query_form(self.query or "")


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for p in parts[1:]:
        key, _, value = p.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _params(raw: bytes | str, where: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        status = 415 if where == "body" else 400
        raise ProtocolError(
            status, f"the {where} is not UTF-8 (byte {exc.start}): the protocol requires UTF-8"
        ) from None


def _check_iri(value: str, param: str) -> str:
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise ProtocolError(400, f"{param}: '{value}' is not an absolute IRI ({exc})") from None
    return value


def parse_request(
    method: str,
    query_string: bytes | str,
    content_type: str | None,
    body: bytes,
    *,
    max_query_bytes: int = 100_000,
) -> SparqlRequest:
    """Parse a SPARQL 1.1 Protocol query request (GET, form POST or direct POST)."""
    method = method.upper()
    if method not in ("GET", "POST"):
        raise ProtocolError(405, f"method {method} is not allowed: use GET or POST", {"Allow": "GET, POST"})
    url_params = _params(query_string, "query string")
    body_params: list[tuple[str, str]] = []
    direct: str | None = None
    if method == "POST":
        mt, charset = _media_type(content_type)
        if mt == SPARQL_UPDATE or any(
            k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in url_params
        ):
            raise _read_only()
        if mt == FORM:
            if charset not in (None, "utf-8", "utf8"):
                raise ProtocolError(415, f"charset {charset} is not supported: the protocol requires UTF-8")
            if len(body) > 3 * max_query_bytes + 10_000:
                raise _too_large(len(body), max_query_bytes)
            body_params = _params(body, "body")
        elif mt == SPARQL_QUERY:
            if charset not in (None, "utf-8", "utf8"):
                raise ProtocolError(415, f"charset {charset} is not supported: send the query as UTF-8")
            if len(body) > max_query_bytes:
                raise _too_large(len(body), max_query_bytes)
            try:
                direct = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ProtocolError(415, f"the query is not UTF-8 (byte {exc.start})") from None
        elif not mt:
            raise ProtocolError(415, f"a POST needs a Content-Type: {FORM} or {SPARQL_QUERY}")
        else:
            raise ProtocolError(415, f"media type {mt} is not supported: use {FORM} or {SPARQL_QUERY}")
    params = url_params + body_params
    if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise _read_only()
    queries = [v for k, v in params if k == "query"]
    if direct is not None:
        queries.append(direct)
    if len(queries) > 1:
        raise ProtocolError(400, f"{len(queries)} queries in one request: give exactly one 'query'")
    query = queries[0] if queries else None
    if query is not None:
        size = len(query.encode("utf-8"))
        if size > max_query_bytes:
            raise _too_large(size, max_query_bytes)
        if not query.strip():
            raise ProtocolError(400, "the query is empty")
        if query_form(query) == "UPDATE":
            raise _read_only()
    timeout: float | None = None
    fmt: str | None = None
    for key, value in params:
        if key == "timeout":
            try:
                timeout = float(value)
            except ValueError:
                raise ProtocolError(400, f"timeout: '{value}' is not a number of seconds") from None
            if not timeout > 0:
                raise ProtocolError(400, f"timeout: must be a positive number of seconds, got '{value}'")
        elif key in ("format", "output", "results") and value:
            fmt = value if fmt is None else f"{fmt},{value}"  # all of them: see negotiate()
    return SparqlRequest(
        query=query,
        default_graphs=[_check_iri(v, "default-graph-uri") for k, v in params if k == "default-graph-uri"],
        named_graphs=[_check_iri(v, "named-graph-uri") for k, v in params if k == "named-graph-uri"],
        timeout=timeout,
        format=fmt,
    )


def _read_only() -> ProtocolError:
    return ProtocolError(
        403,
        "this endpoint is read-only: SPARQL Update requests are refused (query with SELECT, ASK, CONSTRUCT or DESCRIBE)",
    )


def _too_large(size: int, limit: int) -> ProtocolError:
    return ProtocolError(413, f"the query is {size:,} bytes; at most {limit:,} are accepted")
