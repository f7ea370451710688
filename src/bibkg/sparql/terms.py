"""RDF terms from user input: the one place where a string a user typed becomes an IRI or literal.

pyoxigraph's constructors raise ``ValueError`` (``Invalid IRI percent encoding '%b'``) or
``UnicodeEncodeError`` (a lone surrogate, which JSON can carry) for bad input; left alone, those
surface as HTTP 500.  Every door — named-query parameters over HTTP and ``bibkg query --param``,
GraphQL arguments, Linked Data paths, ``default-graph-uri`` — builds its terms here, and gets a
:class:`TermError` that names what was wrong and where (``parameter 'person': …``), which each
door answers with a 4xx.
"""

from __future__ import annotations

import re
import unicodedata

import pyoxigraph as ox

from ..errors import BibkgError

_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_FORBIDDEN_IN_IRI = set('<>"{}|^`\\')


class TermError(BibkgError, ValueError):
    """A user-supplied value cannot be an RDF term; the message names the value and why."""

    status = 400


def show(value: str, limit: int = 80) -> str:
    """``value`` quoted for an error message: on one line, control characters escaped, clipped."""
    text = value if len(value) <= limit else value[:limit] + "…"
    return (
        "'"
        + "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text)
        + "'"
    )


def problem(value: str) -> str | None:
    """Why ``value`` cannot be part of an IRI, in words, or ``None`` if nothing obvious is wrong."""
    for i, c in enumerate(value):
        if 0xD800 <= ord(c) <= 0xDFFF:
            return f"a lone surrogate U+{ord(c):04X} at character {i + 1}"
        if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0:
            return f"a control character U+{ord(c):04X} at character {i + 1}"
        if c.isspace():
            return f"a space character ({unicodedata.name(c, f'U+{ord(c):04X}')}) at character {i + 1}"
        if c in _FORBIDDEN_IN_IRI:
            return f"'{c}' at character {i + 1}"
    m = _BAD_PERCENT.search(value)
    if m:
        return f"a '%' not followed by two hex digits at character {m.start() + 1} (write '%25' for a literal '%')"
    return None


def iri_term(iri: str, what: str) -> ox.NamedNode:
    """``iri`` as an IRI term; ``what`` names the input in the error (``parameter 'person'``).

    Raises:
        TermError: ``iri`` is not an absolute IRI.
    """
    why = problem(iri)
    if why is None:
        try:
            return ox.NamedNode(iri)
        except (ValueError, UnicodeError) as exc:
            why = str(exc)
    raise TermError(f"{what}: {show(iri)} is not a valid IRI: {why}")


def id_iri(value: str, mint: object, kind: str, what: str) -> ox.NamedNode:
    """The IRI of an entity given by id (``mint``: id → IRI text, e.g. :func:`bibkg.iris.person_iri`)
    or, when ``value`` starts with ``http(s)://``, by full IRI.

    Raises:
        TermError: ``value`` is empty or not a valid id / IRI.
    """
    if value.startswith(("http://", "https://")):
        return iri_term(value, what)
    if not value:
        raise TermError(f"{what}: an empty {kind} id")
    why = problem(value)
    if why is not None:
        raise TermError(f"{what}: {show(value)} is not a {kind} id: {why}")
    return iri_term(mint(value), what)  # type: ignore[operator]


def literal_term(value: str, what: str, datatype: str | None = None) -> ox.Literal:
    """``value`` as a literal (of ``datatype`` when given).

    Raises:
        TermError: ``value`` holds a lone surrogate (it cannot be UTF-8), or the datatype is bad.
    """
    for i, c in enumerate(value):
        if 0xD800 <= ord(c) <= 0xDFFF:
            raise TermError(f"{what}: {show(value)} holds a lone surrogate U+{ord(c):04X} at character {i + 1}")
    try:
        if datatype is None:
            return ox.Literal(value)
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    except (ValueError, UnicodeError) as exc:
        raise TermError(f"{what}: {show(value)} is not a valid literal: {exc}") from None
