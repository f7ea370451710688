"""Every parse of XML, YAML or JSON in bibkg goes through here, configured to be safe on hostile input.

The Anthology's data comes from a public repository that takes contributions, so an ingest reads
files that anybody may have written.  One module decides how they are parsed, so that no reader
can forget a rule:

* **Size.**  A source file larger than :func:`max_file_bytes` (``BIBKG_INGEST_MAX_FILE_MB``,
  default 64 MiB) is refused before a byte of it is parsed, and never more than that is read
  (a symlink to ``/dev/zero`` ends there too).  The largest file of the 2024 corpus is
  ``xml/2023.findings.xml``, 4.0 MiB; people metadata is smaller (``name_variants.yaml``: 0.3 MiB).
* **XML: no DOCTYPE at all**, hence no entity declaration, no DTD, no external entity.  The
  Anthology's collection files have none; a file that has one is refused from its prolog, before
  the XML parser sees it, with an error naming file and line.  As a second line of defence the
  parser (lxml/libxml2) runs with ``resolve_entities=False, load_dtd=False, no_network=True,
  huge_tree=False`` (the last keeps libxml2's own limits: 256 levels of nesting, 10 MB per text
  node), and a DOCTYPE it reports anyway is refused before the content is used.
* **YAML: plain data only**, through the safe loader (no Python objects), and **no anchors or
  aliases**: an alias is a reference, so a few hundred bytes of nested aliases (the YAML "billion
  laughs") expand into billions of nodes for whoever walks or prints the result.  The
  Anthology's YAML files use none.  libyaml bounds the nesting depth itself.
* **Text is UTF-8**; a byte that is not is reported with its line and column instead of a raw
  ``UnicodeDecodeError``.

Every failure is a :class:`bibkg.errors.SourceError` naming the file and, when known, the line.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no stubs (lxml-stubs not a dependency)

from .errors import BibkgError, SourceError

MAX_FILE_MB_ENV = "BIBKG_INGEST_MAX_FILE_MB"
"""Environment variable: the largest source file an ingest reads, in MiB."""
DEFAULT_MAX_FILE_MB = 64
"""Default of :data:`MAX_FILE_MB_ENV`: 16 times the largest collection file of the 2024 corpus."""

_XML_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "dtd_validation": False,
}
"""lxml parser options of every XML parse (see the module docstring)."""


def max_file_bytes() -> int:
    """The size limit of one source file, in bytes (read from the environment on each call, so
    that worker processes and tests see the operator's setting)."""
    raw = os.environ.get(MAX_FILE_MB_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_FILE_MB * 1024 * 1024
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise BibkgError(f"{MAX_FILE_MB_ENV} must be a positive number of MiB, got '{raw}'")
    return int(value * 1024 * 1024)


def check_size(path: Path) -> int:
    """The size of ``path`` in bytes; raises :class:`SourceError` when it exceeds the limit."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(path, None, f"cannot read: {exc.strerror}") from None
    _refuse_if_too_large(path, size)
    return size


def _refuse_if_too_large(path: Path, size: int) -> None:
    limit = max_file_bytes()
    if size > limit:
        raise SourceError(
            path,
            None,
            f"file is larger than the limit of {limit / 2**20:g} MiB for a source file "
            f"(set {MAX_FILE_MB_ENV} to raise it)",
        )


def read_source(path: Path) -> bytes:
    """The bytes of a source file, at most :func:`max_file_bytes` of them.

    Raises:
        SourceError: the file is too large or cannot be read.
    """
    path = Path(path)
    check_size(path)
    limit = max_file_bytes()
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # a file that grew, or a device, stops here
    except OSError as exc:
        raise SourceError(path, None, f"cannot read: {exc.strerror}") from None
    _refuse_if_too_large(path, len(data))
    return data


def decode_utf8(path: Path, data: bytes) -> str:
    """``data`` as text; a byte that is not UTF-8 is a :class:`SourceError` with line and column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(path, line, f"not valid UTF-8: byte 0x{data[exc.start]:02x} at column {column}") from None


# --- XML ---------------------------------------------------------------------------------------

_PROLOG_ITEM = re.compile(rb"[ \t\r\n]+|<\?.*?\?>|<!--.*?-->", re.S)


def _doctype_offset(data: bytes) -> int | None:
    """Offset of a ``<!DOCTYPE`` (or any other ``<!`` declaration) in the prolog, if any.

    The prolog is what precedes the root element: an XML declaration, processing instructions,
    comments, white space and at most one DOCTYPE.  Anything else ends the scan (the root element,
    or text the XML parser will report as malformed)."""
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while match := _PROLOG_ITEM.match(data, pos):
        pos = match.end()
    return pos if data.startswith(b"<!", pos) else None


def _refuse_doctype(path: Path, line: int | None) -> SourceError:
    return SourceError(path, line, "DOCTYPE/entity declarations are not allowed")


def iterparse_xml(
    path: Path, *, events: Sequence[str] = ("end",), tag: Sequence[str] | None = None
) -> Iterator[tuple[str, etree._Element]]:
    """``lxml.etree.iterparse`` of a source file, safely (see the module docstring).

    Yields ``(event, element)`` like ``iterparse``.  The file is read whole (it is below the size
    limit) and checked for a DOCTYPE before parsing.

    Raises:
        SourceError: the file is too large, has a DOCTYPE, or is not well-formed; the error names
            the file and line.
    """
    path = Path(path)
    data = read_source(path)
    offset = _doctype_offset(data)
    if offset is not None:
        raise _refuse_doctype(path, data.count(b"\n", 0, offset) + 1)
    context = etree.iterparse(io.BytesIO(data), events=tuple(events), tag=tag, **_XML_OPTIONS)
    checked = False
    try:
        for event, element in context:
            if not checked:
                # second line of defence: the parser saw a DOCTYPE the prolog scan did not (an
                # encoding other than UTF-8); nothing has been resolved, since entities are not
                _refuse_parsed_doctype(path, element)
                checked = True
            yield event, element
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise SourceError(path, line or None, f"malformed XML: {exc.msg}") from None
    root = getattr(context, "root", None)
    if root is not None and not checked:
        _refuse_parsed_doctype(path, root)


def _refuse_parsed_doctype(path: Path, element: etree._Element) -> None:
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _refuse_doctype(path, None)


_local = threading.local()


def _fragment_parser() -> etree.XMLParser:
    """One safe parser per thread (an lxml parser must not be shared between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(**_XML_OPTIONS)
    return parser


def xml_fragment(markup: str, wrapper: str = "t") -> etree._Element:
    """Parse mixed content (a title's markup as stored in the graph) inside a ``<wrapper>``
    element, safely.  A DOCTYPE cannot occur inside an element, and an entity reference other
    than the five predefined ones is undeclared: both are an ``XMLSyntaxError``.

    Raises:
        lxml.etree.XMLSyntaxError: ``markup`` is not well-formed.
    """
    return etree.fromstring(f"<{wrapper}>{markup}</{wrapper}>".encode(), _fragment_parser())


# --- YAML and JSON -----------------------------------------------------------------------------

_YamlBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SafeNoAliasLoader(_YamlBase):
    """The safe loader (libyaml when available) refusing anchors and aliases.

    An alias makes the composer hand back the anchored node a second time; constructing a node
    twice is therefore exactly an alias (or a recursive one)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&name, *name) are not allowed", node.start_mark
            )
        return super().construct_object(node, deep=deep)


def parse_yaml(text: str) -> Any:
    """Plain data from YAML text (safe loader, no aliases).

    Raises:
        yaml.YAMLError: the text is malformed or uses an alias.
    """
    loader = _SafeNoAliasLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_yaml(path: Path) -> Any:
    """Plain data from a YAML source file (size limit, UTF-8, safe loader, no aliases).

    Raises:
        SourceError: naming the file and line.
    """
    path = Path(path)
    text = decode_utf8(path, read_source(path))
    try:
        return parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SourceError(path, line, f"malformed YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise SourceError(path, None, f"malformed YAML: {exc}") from None


def load_json(path: Path) -> Any:
    """Data from a JSON source file (size limit, UTF-8, bounded nesting).

    Raises:
        SourceError: naming the file and line.
    """
    path = Path(path)
    text = decode_utf8(path, read_source(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, exc.lineno, f"malformed JSON: {exc.msg}") from None
    except RecursionError:
        raise SourceError(path, None, "malformed JSON: nested too deeply") from None


def load_data(path: Path) -> Any:
    """A YAML or JSON source file, by its suffix (``.json`` is JSON, anything else YAML)."""
    path = Path(path)
    return load_json(path) if path.suffix == ".json" else load_yaml(path)


__all__ = [
    "DEFAULT_MAX_FILE_MB",
    "MAX_FILE_MB_ENV",
    "check_size",
    "decode_utf8",
    "iterparse_xml",
    "load_data",
    "load_json",
    "load_yaml",
    "max_file_bytes",
    "parse_yaml",
    "read_source",
    "xml_fragment",
]
