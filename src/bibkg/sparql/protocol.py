"""The SPARQL 1.1 Protocol, without a web framework: parse a request, negotiate a format.

Everything here is a pure function of the request's method, query string, headers and body, so
the HTTP layer stays thin and the rules are unit-tested directly.  Errors are
:class:`ProtocolError` with the HTTP status the protocol prescribes:

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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


class ProtocolError(Exception):
    """A request the protocol rejects; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --- formats -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Format:
    """A result serialization: ``kind`` is ``tabular`` (SELECT/ASK) or ``graph``."""

    name: str
    kind: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    extension: str = ""

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    def content_type(self, media_type: str | None = None) -> str:
        mt = media_type or self.media_type
        textual = mt.startswith("text/") or mt.endswith(("json", "xml"))
        return f"{mt}; charset=utf-8" if textual else mt


TABULAR_FORMATS: tuple[Format, ...] = (
    Format(
        "json", "tabular", "application/sparql-results+json", ("application/json", "text/json"), ("json", "srj"), "srj"
    ),
    Format("xml", "tabular", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml", "srx"), "srx"),
    Format("csv", "tabular", "text/csv", (), ("csv",), "csv"),
    Format("tsv", "tabular", "text/tab-separated-values", (), ("tsv",), "tsv"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "graph", "text/turtle", ("application/x-turtle", "application/turtle"), ("turtle", "ttl"), "ttl"),
    Format(
        "ntriples",
        "graph",
        "application/n-triples",
        ("text/plain", "text/n-triples"),
        ("ntriples", "nt", "n-triples"),
        "nt",
    ),
    Format("jsonld", "graph", "application/ld+json", ("application/json",), ("jsonld", "json-ld", "json"), "jsonld"),
    Format(
        "rdfxml",
        "graph",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        ("rdfxml", "rdf", "xml", "rdf+xml"),
        "rdf",
    ),
)
FORMATS: dict[str, Format] = {f.name: f for f in TABULAR_FORMATS + GRAPH_FORMATS}
DEFAULT_FORMAT = {"tabular": FORMATS["json"], "graph": FORMATS["turtle"]}
ASK_FORMATS = ("json", "xml", "csv", "tsv")


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match (2 exact, 1 ``type/*``, 0 ``*/*``), or -1."""
        t, _, s = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == t and self.subtype == "*":
            return 1
        if self.type == t and self.subtype == s:
            return 2
        return -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are ignored."""
    ranges: list[MediaRange] = []
    for order, part in enumerate((header or "").split(",")):
        items = [x.strip() for x in part.split(";")]
        mt = items[0].lower()
        if "/" not in mt:
            continue
        t, _, s = mt.partition("/")
        q = 1.0
        for param in items[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(t, s, q, order))
    return ranges


def _quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """q of ``media_type`` under the most specific matching range, and that specificity."""
    best: tuple[int, float] | None = None
    for r in ranges:
        spec = r.matches(media_type)
        if spec >= 0 and (best is None or spec > best[0]):
            best = (spec, r.q)
    return (0.0, -1) if best is None else (best[1], best[0])


def negotiate(accept: str | None, kind: str, requested: str | None = None, *, ask: bool = False) -> tuple[Format, str]:
    """Choose the result format for a result of ``kind`` (``tabular`` or ``graph``).

    ``requested`` (the ``format=`` / ``output=`` / ``results=`` parameters) wins over the
    ``Accept`` header.  Like Virtuoso and Fuseki, it may name several formats, by name
    (``json-ld``) or media type, comma-separated (SPARQLWrapper sends
    ``format=json-ld,application/ld+json,application/x-json+ld``): the formats it names that fit
    the result are the choices, the ``Accept`` header picks among them (else the first named).
    Without either, SELECT/ASK answer SPARQL JSON and CONSTRUCT/DESCRIBE Turtle.  Returns the
    format and the media type to send.

    Raises:
        ProtocolError: 406, naming the formats that are available.
    """
    candidates = [
        f for f in (TABULAR_FORMATS if kind == "tabular" else GRAPH_FORMATS) if not ask or f.name in ASK_FORMATS
    ]
    ranges = parse_accept(accept)
    if requested:
        keys = [item.split(";")[0].strip().lower() for item in requested.split(",")]
        named = [f for key in keys for f in candidates if key and (key in f.names or key in f.media_types)]
        named = list(dict.fromkeys(named))
        if not named:
            raise ProtocolError(
                406, f"format '{requested}' is not available for this result; use one of {_offer(candidates)}"
            )
        if len(named) == 1 or not ranges:
            return named[0], named[0].media_type
        return _best(ranges, named) or (named[0], named[0].media_type)
    if not ranges:
        f = DEFAULT_FORMAT[kind]
        return f, f.media_type
    choice = _best(ranges, candidates)
    if choice is None:
        raise ProtocolError(
            406,
            f"none of the accepted media types ({accept}) is available for this result; use one of {_offer(candidates)}",
        )
    return choice


def _best(ranges: Sequence[MediaRange], candidates: Sequence[Format]) -> tuple[Format, str] | None:
    """The candidate the ``Accept`` ranges rank highest (then the earlier candidate), or ``None``."""
    best: tuple[float, int, int, int] | None = None
    choice: tuple[Format, str] | None = None
    for rank, f in enumerate(candidates):
        for alias_rank, mt in enumerate(f.media_types):
            q, spec = _quality(ranges, mt)
            if q <= 0:
                continue
            key = (q, spec, -rank, -alias_rank)
            if best is None or key > best:
                best = key
                choice = (f, mt if spec == 2 else f.media_type)
    return choice


def _offer(candidates: Iterable[Format]) -> str:
    return ", ".join(f"{f.media_type} (format={f.name})" for f in candidates)


def prefers_html(accept: str | None) -> bool:
    """True when ``text/html`` is named explicitly and ranks at least as high as any result format."""
    ranges = parse_accept(accept)
    html_q, spec = _quality(ranges, "text/html")
    if html_q <= 0 or spec < 1:
        return False
    others = [_quality(ranges, mt)[0] for f in FORMATS.values() for mt in f.media_types if mt != "text/plain"]
    return html_q >= max(others, default=0.0) and not any(
        _quality(ranges, mt)[1] == 2 and _quality(ranges, mt)[0] >= html_q
        for f in FORMATS.values()
        for mt in f.media_types
    )


# --- query form ----------------------------------------------------------------------------------

_PROLOGUE = re.compile(
    r"""\s*(?:\#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)""",
    re.IGNORECASE,
)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


def query_form(text: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, ``UPDATE`` or ``UNKNOWN`` (left to the parser)."""
    pos = 0
    while True:
        m = _PROLOGUE.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = re.compile(r"\s*([A-Za-z]+)").match(text, pos)
    word = m.group(1).upper() if m else ""
    if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        return word
    if word in _UPDATE_WORDS:
        return "UPDATE"
    return "UNKNOWN"


def result_kind(form: str) -> str:
    return "graph" if form in ("CONSTRUCT", "DESCRIBE") else "tabular"


# --- requests ------------------------------------------------------------------------------------


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


_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?(?:<|[A-Za-z_][\w.-]*:|:)", re.IGNORECASE)
_STRINGS_AND_COMMENTS = re.compile(
    # an unterminated short string runs to the end of the line: linear (retrying it at every
    # quote of '"\\"\\"\\…' was quadratic: 100 KB, 39 s); the parser refuses such a query anyway
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'?|\"(?:[^\"\\\n]|\\.)*\"?|<[^<>\"{}|^`\\\s]*>|#[^\n]*",
    re.DOTALL,
)


def has_dataset_clause(query: str) -> bool:
    """Does the query name its own dataset (``FROM`` / ``FROM NAMED``)?  Strings, IRIs and
    comments are blanked first so that ``"FROM <x>"`` in a literal does not count."""

    def blank(m: re.Match[str]) -> str:
        text = m.group(0)
        return "<>" if text.startswith("<") else " "

    return bool(_FROM.search(_STRINGS_AND_COMMENTS.sub(blank, query)))
