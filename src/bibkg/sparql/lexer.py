"""A SPARQL tokenizer for the checks bibkg makes before a query runs, and readable syntax errors.

pyoxigraph evaluates ``SERVICE`` by connecting to whatever endpoint the query names and offers
no option to turn federation off, so bibkg has to find ``SERVICE`` in the text itself (see
:func:`check_federation`).  A keyword match on the raw text would refuse ``"SERVICE"`` in a
literal or a comment; this module tokenizes the query as the SPARQL grammar does — strings,
IRIs, comments, variables, prefixed names, blank nodes and language tags are single tokens — and
looks for the keyword among the bare words.

pyoxigraph's parser is a PEG whose keywords need no word boundary: ``SERVICESILENT<…>{…}`` and
``?s ?p 1SERVICE<…>{…}`` are federated queries.  So every bare word that *contains* ``service``
(any case) counts as the keyword, and an occurrence the tokenizer classifies as harmless is
confirmed by pyoxigraph's own parser (:func:`_confirm_inert`): the query with that occurrence
changed must still parse, which it cannot if the occurrence was the keyword.  A query is
refused when in doubt, never run.

The same tokens give the prefixes a query declares and uses (for predeclared prefixes) and the
position of an unknown prefix in a syntax error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import QueryError

# --- tokens --------------------------------------------------------------------------------------

_NAME = r"[\w\-\u00B7\u0300-\u036F\u203F\u2040]"  # PN_CHARS (Python's \w covers letters, digits, _)
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"  # PLX of PN_LOCAL
_PN_PREFIX = rf"[^\W\d_](?:(?:{_NAME}|\.)*{_NAME})?"
_PN_LOCAL = rf"(?:[\w:]|{_PLX})(?:(?:{_NAME}|[.:]|{_PLX})*(?:{_NAME}|:|{_PLX}))?"

_TOKEN_PATTERN = rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
             | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
             | '(?:[^'\\\r\n]|\\.)*'?
             | "(?:[^"\\\r\n]|\\.)*"?)  # unterminated: to the end of the line (linear; the parser refuses it)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<var>[?$]{_NAME}+)
  | (?P<bnode>_:(?:{_NAME}|\.)*{_NAME})
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>PNAME)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
    """
_TOKEN = re.compile(_TOKEN_PATTERN.replace("PNAME", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"), re.VERBOSE | re.DOTALL)
_TOKEN_NO_PREFIX = re.compile(_TOKEN_PATTERN.replace("PNAME", rf":(?:{_PN_LOCAL})?"), re.VERBOSE | re.DOTALL)
"""The tokens where no prefixed name with a prefix can start (inside a run of name characters
not followed by ':'): trying PN_PREFIX at each word of ``a.a.a.a…`` would rescan the whole run
each time (100 KB: 74 s); this keeps the tokenizer linear."""
_RUN = re.compile(rf"[^\W\d_](?:{_NAME}|\.)*")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    """``ws``, ``comment``, ``string``, ``iri``, ``var``, ``bnode``, ``langtag``, ``pname``,
    ``number``, ``word`` (keywords and other bare words) or ``other`` (punctuation)."""
    text: str
    start: int
    end: int


def tokenize(query: str) -> Iterator[Token]:
    """All tokens of ``query``, whitespace and comments included (their offsets cover the text)."""
    pos = 0
    plain_until = 0  # no prefixed name (with a prefix) starts before this offset
    while pos < len(query):
        m = (_TOKEN_NO_PREFIX if pos < plain_until else _TOKEN).match(query, pos)
        assert m is not None and m.lastgroup is not None  # ``other`` matches any character
        if m.lastgroup == "word" and pos >= plain_until:
            # A prefix is the whole run of name characters and dots up to ':'; this run has
            # none, and every later start inside it ends at the same place.
            run = _RUN.match(query, pos)
            plain_until = run.end() if run else pos
        yield Token(m.lastgroup, m.group(), pos, m.end())
        pos = m.end()


def significant(query: str) -> list[Token]:
    """The tokens of ``query`` without whitespace and comments."""
    return [t for t in tokenize(query) if t.kind not in ("ws", "comment")]


def line_col(text: str, offset: int) -> str:
    """``line:column`` (both 1-based, columns in characters, as pyoxigraph counts)."""
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _offset(text: str, line: int, column: int) -> int:
    """Inverse of :func:`line_col`."""
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text)
        start = nl + 1
    return min(len(text), start + column - 1)


# --- prefixes ------------------------------------------------------------------------------------


def declared_prefixes(tokens: list[Token]) -> dict[str, str]:
    """``PREFIX p: <iri>`` declarations of a query (prefix without the colon → IRI text; the
    last declaration of a prefix wins, as in pyoxigraph)."""
    out: dict[str, str] = {}
    for i, tok in enumerate(tokens[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX":
            name, iri = tokens[i + 1], tokens[i + 2]
            if name.kind == "pname" and name.text.endswith(":") and name.text.count(":") == 1 and iri.kind == "iri":
                out[name.text[:-1]] = iri.text[1:-1]
    return out


def undeclared_prefixes(query: str, known: Mapping[str, str] | Collection[str] = ()) -> list[Token]:
    """Prefixed names of ``query`` whose prefix is neither declared in the query nor in ``known``."""
    tokens = significant(query)
    declared = declared_prefixes(tokens)
    out = []
    for i, tok in enumerate(tokens):
        if tok.kind != "pname" or (i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"):
            continue
        prefix = tok.text.split(":", 1)[0]
        if prefix not in declared and prefix not in known:
            out.append(tok)
    return out


def prefix_block(query: str, prefixes: Mapping[str, str]) -> str:
    """``PREFIX`` lines for those of ``prefixes`` that ``query`` uses without declaring them
    (for an endpoint that has no predeclared prefixes of its own, e.g. a remote store)."""
    return "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in _undeclared_names(query) if p in prefixes)


@functools.lru_cache(maxsize=128)
def _undeclared_names(query: str) -> tuple[str, ...]:
    """Prefixes ``query`` uses without declaring them; cached, as the same named queries run
    again and again (tokenizing one takes ~0.3 ms)."""
    return tuple(sorted({t.text.split(":", 1)[0] for t in undeclared_prefixes(query)}))


# --- syntax errors -------------------------------------------------------------------------------

_POSITION = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.DOTALL)


def syntax_error_message(message: str, query: str, prefixes: Mapping[str, str] | None = None) -> str:
    """pyoxigraph's syntax error as one short line with ``line:column``.

    An unknown prefix becomes ``unknown prefix 'x:' at 1:49``; other errors name the position,
    the text there and, when the parser's list of expected tokens is short and readable, that list
    (it is often 500 characters of Unicode ranges, which help nobody).
    """
    message = message.strip()
    m = _POSITION.match(message)
    if not m:
        return message if len(message) <= 300 else message[:300] + "…"
    line, col, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    where = _offset(query, line, col)
    if "Prefix not found" in detail:
        unknown = undeclared_prefixes(query, prefixes or {})
        if unknown:
            tok = next((t for t in unknown if t.end == where), unknown[0])
            prefix = tok.text.split(":", 1)[0]
            known = ", ".join(sorted(prefixes or {})) or "none"
            return (
                f"unknown prefix '{prefix}:' at {line_col(query, tok.start)}: declare it "
                f"(PREFIX {prefix}: <…>); predeclared prefixes: {known}"
            )
    line_text = query[:where].rsplit("\n", 1)[-1]
    before = line_text[-30:].lstrip()
    after = query[where : where + 20].split("\n", 1)[0].rstrip()
    text = f"syntax error at {line}:{col}"
    if after:
        text += f", at '{after}'" + (f" (after '{before}')" if before else "")
    elif before:
        text += f", after '{before}'"
    alternatives = detail.removeprefix("expected one of ").removeprefix("expected ").split(", ")
    if detail.startswith("expected") and len(alternatives) <= 4 and not any("[" in a for a in alternatives):
        text += f": {detail}"
    elif not detail.startswith("expected") and detail:
        text += f": {detail.splitlines()[0][:160]}"
    return text


# --- federation ----------------------------------------------------------------------------------


_SERVICE = re.compile("service", re.IGNORECASE | re.ASCII)  # offsets in ``query`` itself: str.lower()
_SILENT = re.compile("silent", re.IGNORECASE | re.ASCII)  # may change the length ('İ' → 'i̇')


class FederationRefused(QueryError):
    """The query uses ``SERVICE`` with an endpoint the operator did not allow (HTTP 400)."""


_ENV = "BIBKG_FEDERATION_ALLOW"


def _refuse(why: str, where: str) -> FederationRefused:
    return FederationRefused(
        f"SERVICE is not allowed: {why} (at {where}); federation is disabled by default, and an operator "
        f"may enable it for listed endpoints with {_ENV}='<endpoint IRI> …' (setting federation_allow)"
    )


def _endpoint(
    tokens: list[Token], i: int, declared: Mapping[str, str], prefixes: Mapping[str, str]
) -> tuple[str | None, int, str]:
    """The endpoint named after the ``SERVICE`` word ``tokens[i]``: (IRI or ``None``, index of
    the last token of the clause header, why it cannot be used)."""
    word = tokens[i].text.lower()
    j = i + 1
    if word.endswith("service") and j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.lower() == "silent":
        j += 1
    elif not word.endswith(("service", "servicesilent")):
        return None, i, f"'{tokens[i].text}' is read as the keyword SERVICE"
    if j >= len(tokens):
        return None, i, "no endpoint"
    tok = tokens[j]
    if tok.kind == "var":
        return None, j, f"a variable endpoint ({tok.text}) is never allowed"
    if tok.kind == "iri":
        iri = tok.text[1:-1]
    elif tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        ns = declared[prefix] if prefix in declared else prefixes.get(prefix)
        if ns is None:
            return None, j, f"unknown prefix '{prefix}:'"
        iri = ns + re.sub(r"\\(.)", r"\1", local)
    else:
        return None, j, f"the endpoint is not an IRI ('{tok.text[:40]}')"
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None, j, f"the endpoint <{iri}> is not an absolute IRI"
    return iri, j, ""


def check_federation(
    query: str,
    allow: Collection[str] = (),
    *,
    prefixes: Mapping[str, str] | None = None,
    base_iri: str | None = None,
) -> None:
    """Refuse ``query`` if it calls a ``SERVICE`` whose endpoint is not in ``allow``.

    ``allow`` holds endpoint IRIs, compared exactly (an empty collection: federation is off).
    A variable endpoint (``SERVICE ?e``) is always refused.  ``prefixes`` and ``base_iri`` are
    those the query will be parsed with.  Costs one regular-expression search for a query that
    does not mention ``service`` at all.

    Raises:
        FederationRefused: with the position of the clause.
    """
    if _SERVICE.search(query) is None:
        return
    prefixes = prefixes or {}
    tokens = significant(query)
    declared = declared_prefixes(tokens)
    allowed = set(allow)
    keyword_spans: list[tuple[int, int]] = []
    for i, tok in enumerate(tokens):
        if tok.kind != "word" or _SERVICE.search(tok.text) is None:
            continue
        iri, last, why = _endpoint(tokens, i, declared, prefixes)
        if iri is None:
            raise _refuse(why, line_col(query, tok.start))
        if iri not in allowed:
            raise _refuse(f"the endpoint <{iri}> is not listed", line_col(query, tok.start))
        keyword_spans.append((tok.start, tokens[last].start))
    _confirm_inert(query, keyword_spans, prefixes, base_iri)


def _confirm_inert(
    query: str, keyword_spans: list[tuple[int, int]], prefixes: Mapping[str, str], base_iri: str | None
) -> None:
    """Ask pyoxigraph's parser whether the other occurrences of ``service`` are really inert.

    Each allowed ``SERVICE [SILENT]`` becomes ``GRAPH`` (same shape: keyword, IRI, group) and
    every other occurrence ``servicx``: a string, IRI, comment, name or tag stays valid that way,
    the keyword does not.  A ``)`` is appended, which no complete query accepts: the parser then
    always fails, and where it fails says what it read (nothing is planned or evaluated).  At
    the ``)``: the whole rewritten query parsed, every occurrence was inert.  Before the first
    rewritten place: the query's own syntax error, reported when it runs.  Anywhere else: an
    occurrence was the keyword after all (or the query is broken past it): refused.
    """
    chars = list(query)
    changed: list[int] = []
    covered: set[int] = set()
    for start, header_end in keyword_spans:
        k = _SERVICE.search(query, start).start()  # type: ignore[union-attr]
        chars[k : k + 7] = list("GRAPH  ")
        covered.add(k)
        changed.append(k)
        silent = _SILENT.search(query, k + 7, header_end)
        if silent is not None:
            chars[silent.start() : silent.end()] = list("      ")
    for m in _SERVICE.finditer(query):
        if m.start() not in covered:
            chars[m.end() - 1] = "X" if query[m.end() - 1] == "E" else "x"
            changed.append(m.start())
    if not changed:
        return
    rewritten = "".join(chars) + "\n)"  # the ")" can never follow a complete query
    end = len(rewritten) - 1
    try:
        ox.Store().query(rewritten, base_iri=base_iri, prefixes=dict(prefixes) or None)
    except SyntaxError as exc:
        pos = _POSITION.match(str(exc).strip())
        at = _offset(rewritten, int(pos.group(1)), int(pos.group(2))) if pos else -1
        if at >= end or (0 <= at < min(changed)):
            return  # parsed up to the sentinel, or the query's own error comes first
    raise _refuse("the query reads as calling a SERVICE", line_col(query, min(changed)))
