"""RDF term syntax: the mapping writes RDF as text — N-Quads, which Oxigraph bulk-loads
natively, and the same triples as a Turtle block, which becomes the published dump."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, cast

from .. import vocab as V

_SCRIPT_TAGS: Final = {
    "hani": "zh-hani",
    "hans": "zh-hans",
    "hant": "zh-hant",
    "jpan": "ja-jpan",
    "kore": "ko-kore",
    "hang": "ko-hang",
    "latn": "und-latn",
}


def script_language_tag(script: str | None) -> str:
    """BCP 47 tag for a name written in the Anthology's ``script`` (ISO 15924, lower-case).

    Han script is taken as Chinese (``zh-hani``), Japanese and Korean scripts as those languages;
    any other script gets the undetermined language with its script subtag (``und-cyrl``).
    Tags are case-insensitive (BCP 47) and written in lower case, the form Oxigraph stores and
    every answer gives them in (RDF 1.1 allows it), so the dumps kept at ingest say byte for byte
    what a dump written from the store says.
    """
    key = (script or "").strip().lower()
    if key in _SCRIPT_TAGS:
        return _SCRIPT_TAGS[key]
    return f"und-{key}" if key.isalpha() and len(key) == 4 else "und"


def iri(value: str) -> str:
    return f"<{value}>"


def escape(value: str) -> str:
    """``value`` as the body of an N-Triples/Turtle string literal (between its quotes)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if '"' in value:
        value = value.replace('"', '\\"')
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def lit(value: str) -> str:
    """A plain string literal."""
    return f'"{escape(value)}"'


def lang_lit(value: str, tag: str) -> str:
    return f'"{escape(value)}"@{tag}'


def int_lit(value: int) -> str:
    return f'"{value}"^^<{V.XSD_INTEGER}>'


def bool_lit(value: bool) -> str:
    return f'"{"true" if value else "false"}"^^<{V.XSD_BOOLEAN}>'


def date_lit(value: str) -> str:
    return f'"{escape(value)}"^^<{V.XSD_DATE}>'


_PN_LOCAL: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_INTEGER: Final = re.compile(r"-?[0-9]+\Z")


def _compact(iri: str) -> str:
    """``iri`` as a Turtle prefixed name (:data:`bibkg.vocab.PREFIXES`) if it has a simple
    local part, else ``<iri>``; the few vocabulary IRIs it sees are remembered."""
    found = _COMPACT.get(iri)
    if found is not None:
        return found
    best = ""
    for prefix, namespace in V.PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, prefix
    found = f"{name}:{iri[len(best) :]}" if best and _PN_LOCAL.match(iri[len(best) :]) else f"<{iri}>"
    _COMPACT[iri] = found
    return found


_COMPACT: dict[str, str] = {}
_PREDICATES: dict[str, str] = {V.TYPE: "a"}
_INT_SUFFIX: Final = f'"^^<{V.XSD_INTEGER}>'
_BOOL_SUFFIX: Final = f'"^^<{V.XSD_BOOLEAN}>'


def _turtle_predicate(iri: str) -> str:
    name = _PREDICATES.get(iri)
    if name is None:
        name = _PREDICATES[iri] = _compact(iri)
    return name


def _turtle_object(predicate: str, obj: str) -> str:
    """An N-Triples object term in Turtle: classes as prefixed names, integers and booleans
    bare, other datatypes prefixed; everything else is already valid Turtle."""
    if obj[-1] != ">":
        return obj
    if obj[0] == "<":
        return _compact(obj[1:-1]) if predicate == V.TYPE else obj
    if obj.endswith(_INT_SUFFIX):
        lexical = obj[1 : -len(_INT_SUFFIX)]
        if _INTEGER.match(lexical):
            return lexical
    elif obj.endswith(_BOOL_SUFFIX):
        return obj[1 : -len(_BOOL_SUFFIX)]
    cut = obj.rfind("^^<")
    return obj[: cut + 2] + _compact(obj[cut + 3 : -1])


@dataclass(frozen=True, slots=True)
class GraphText:
    """One named graph written out: its IRI, its quads as N-Quads and as a Turtle block (UTF-8:
    bytes cross process boundaries and reach files without another pass)."""

    iri: str
    nquads: bytes
    turtle: bytes
    quads: int

    def size(self, kind: str = "nquads") -> int:
        """Bytes of the N-Quads text (``kind`` "turtle": of the Turtle text)."""
        return len(getattr(self, kind))

    def span(self, start: int, end: int, kind: str = "nquads") -> bytes:
        """Bytes ``start:end`` of the N-Quads text (``kind`` "turtle": of the Turtle text); a
        :class:`LazyText` reads or joins only these."""
        return getattr(self, kind)[start:end]


class LazyText(GraphText):
    """A graph's text whose bytes are made when first asked for (:meth:`_make`), once: a
    corpus-wide graph is tens of MB, and an update that changes a few of its blocks asks only
    for their spans (:meth:`~GraphText.span`)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> bytes:  # called for a text not made yet (its slot unset)
        if name not in ("nquads", "turtle"):
            raise AttributeError(name)
        value = self._make(name)
        object.__setattr__(self, name, value)
        return value

    def _made(self, kind: str) -> bytes | None:
        """The text ``kind`` if it was made already."""
        try:
            return cast(bytes, object.__getattribute__(self, kind))
        except AttributeError:
            return None

    def _make(self, kind: str) -> bytes:
        raise NotImplementedError


class QuadWriter:
    """Collects the triples of one named graph, each once, in the order first added.

    :meth:`text` writes them as N-Quads (what the store loads), :meth:`turtle` as a Turtle
    block grouped by subject (what the published dump is made of); both say the same triples.
    """

    __slots__ = ("_triples", "graph")

    def __init__(self, graph: str) -> None:
        self.graph = graph
        self._triples: dict[tuple[str, str, str], None] = {}

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add a quad; ``subject`` and ``predicate`` are bare IRIs, ``obj`` a serialized term."""
        self._triples[(subject, predicate, obj)] = None

    def add_text(self, subject: str, predicate: str, value: str | None) -> None:
        if value:
            self._triples[(subject, predicate, f'"{escape(value)}"')] = None

    def add_iri(self, subject: str, predicate: str, value: str | None) -> None:
        if value:
            self._triples[(subject, predicate, f"<{value}>")] = None

    def text(self) -> str:
        """The triples as N-Quads lines in this writer's graph."""
        graph = f" <{self.graph}> .\n"
        return "".join([f"<{s}> <{p}> {o}{graph}" for s, p, o in self._triples])

    def turtle(self) -> str:
        """The triples as Turtle, in the order added: consecutive triples of a subject share one
        statement (``;``), consecutive objects of a predicate one list (``,``); prefixes of
        :data:`bibkg.vocab.PREFIXES` (declared by whoever writes the document)."""
        out: list[str] = []
        append = out.append
        names = _PREDICATES
        last_s = last_p = ""
        for s, p, o in self._triples:
            if o[-1] == ">":
                o = _turtle_object(p, o)
            if s == last_s:
                if p == last_p:
                    append(", ")
                else:
                    append(" ;\n    ")
                    append(names.get(p) or _turtle_predicate(p))
                    append(" ")
            else:
                if last_s:
                    append(" .\n")
                append(f"<{s}> ")
                append(names.get(p) or _turtle_predicate(p))
                append(" ")
            append(o)
            last_s, last_p = s, p
        if last_s:
            append(" .\n")
        return "".join(out)

    def finish(self) -> GraphText:
        return GraphText(self.graph, self.text().encode(), self.turtle().encode(), len(self._triples))

    def __len__(self) -> int:
        return len(self._triples)
