"""The query text bibkg sends to an external SPARQL server (:mod:`bibkg.store.remote`): bound
parameters written in as RDF terms on the SPARQL tokens, never from user strings, and the row
limit a caller reads asked of the server as ``LIMIT``."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from ..errors import QueryError
from ..sparql.lexer import Token, significant, tokenize
from .base import Term


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


def _term_text(name: str, term: Term) -> str:
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise QueryError(f"binding ?{name}: only IRIs and literals can be sent to a remote store")
    return str(term)  # N-Triples syntax, escaped by pyoxigraph


def substitute_terms(query: str, bindings: Mapping[str, Term]) -> str:
    """``query`` with each bound variable replaced by its RDF term, on the SPARQL tokens (a
    ``?x`` inside a string, an IRI or a comment is not a variable and stays).

    Where the grammar wants a variable, the term takes a form that keeps the meaning of a
    substitution: in a ``SELECT`` projection ``?x`` becomes ``(<term> AS ?x)`` (the column
    stays), after ``GROUP BY``/``ORDER BY`` a bracketed expression ``(<term>)``.  A bound
    variable the query itself assigns (``AS ?x``, a ``VALUES`` variable) cannot be substituted:
    :class:`QueryError`.
    """
    if not bindings:
        return query
    rendered = {name: _term_text(name, term) for name, term in bindings.items()}
    out: list[str] = []
    state = "body"  # "projection" (after SELECT), "modifier" (after GROUP/ORDER BY), "values"
    depth = 0  # parentheses
    level = 0  # the parenthesis depth at which the projection / modifier started
    previous: Token | None = None
    for tok in tokenize(query):
        if tok.kind in ("ws", "comment"):
            out.append(tok.text)
            continue
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "SELECT":
            state, level = "projection", depth
        elif word == "BY":
            state, level = "modifier", depth
        elif word == "VALUES":
            state = "values"
        elif word in ("WHERE", "FROM", "LIMIT", "OFFSET", "HAVING") or tok.text in ("{", "}"):
            state = "body"
        elif tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        name = tok.text[1:]
        if tok.kind == "var" and name in rendered:
            if (previous is not None and previous.text.upper() == "AS") or state == "values":
                raise QueryError(f"?{name} is bound by the query itself and cannot be given a value")
            term = rendered[name]
            if state == "projection" and depth == level:
                out.append(f"({term} AS {tok.text})")
            elif state == "modifier" and depth == level:
                out.append(f"({term})")
            else:
                out.append(term)
        else:
            out.append(tok.text)
        previous = tok
    return "".join(out)


def solution_modifiers(query: str) -> set[str]:
    """The keywords after the query's last top-level ``}`` (its solution modifiers)."""
    tokens = significant(query)
    depth, last = 0, -1
    for i, tok in enumerate(tokens):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0:
                last = i
    return {t.text.upper() for t in tokens[last + 1 :] if t.kind == "word"}


def with_row_limit(query: str, limit: int) -> str:
    """``query`` asking for at most ``limit`` solutions: ``LIMIT`` appended when its top level
    has no ``LIMIT``, ``OFFSET`` or trailing ``VALUES`` (after which nothing may follow)."""
    depth = 0
    for tok in significant(query):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.text.upper() in ("LIMIT", "OFFSET", "VALUES"):
            return query
    return f"{query}\nLIMIT {limit}"
