"""N-Quads term syntax: the mapping writes RDF as text, which Oxigraph bulk-loads natively."""

from __future__ import annotations

from typing import Final

from .. import vocab as V

_SCRIPT_TAGS: Final = {
    "hani": "zh-Hani",
    "hans": "zh-Hans",
    "hant": "zh-Hant",
    "jpan": "ja-Jpan",
    "kore": "ko-Kore",
    "hang": "ko-Hang",
    "latn": "und-Latn",
}


def script_language_tag(script: str | None) -> str:
    """BCP 47 tag for a name written in the Anthology's ``script`` (ISO 15924, lower-case).

    Han script is taken as Chinese (``zh-Hani``), Japanese and Korean scripts as those languages;
    any other script gets the undetermined language with its script subtag (``und-Cyrl``).
    """
    key = (script or "").strip().lower()
    if key in _SCRIPT_TAGS:
        return _SCRIPT_TAGS[key]
    return f"und-{key.title()}" if key.isalpha() and len(key) == 4 else "und"


def iri(value: str) -> str:
    return f"<{value}>"


def _escape(value: str) -> str:
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
    return f'"{_escape(value)}"'


def lang_lit(value: str, tag: str) -> str:
    return f'"{_escape(value)}"@{tag}'


def int_lit(value: int) -> str:
    return f'"{value}"^^<{V.XSD_INTEGER}>'


def bool_lit(value: bool) -> str:
    return f'"{"true" if value else "false"}"^^<{V.XSD_BOOLEAN}>'


def date_lit(value: str) -> str:
    return f'"{_escape(value)}"^^<{V.XSD_DATE}>'


class QuadWriter:
    """Collects N-Quads lines for one named graph."""

    __slots__ = ("_graph", "lines")

    def __init__(self, graph: str) -> None:
        self._graph = f" <{graph}> .\n"
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add a quad; ``subject`` and ``predicate`` are bare IRIs, ``obj`` a serialized term."""
        self.lines.append(f"<{subject}> <{predicate}> {obj}{self._graph}")

    def add_text(self, subject: str, predicate: str, value: str | None) -> None:
        if value:
            self.lines.append(f'<{subject}> <{predicate}> "{_escape(value)}"{self._graph}')

    def add_iri(self, subject: str, predicate: str, value: str | None) -> None:
        if value:
            self.lines.append(f"<{subject}> <{predicate}> <{value}>{self._graph}")

    def text(self) -> str:
        return "".join(self.lines)

    def __len__(self) -> int:
        return len(self.lines)
