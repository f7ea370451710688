"""The RDF dump formats (a view of :data:`bibkg.formats.TABLE`): names, file extensions, media types."""

from __future__ import annotations

from ..errors import BibkgError
from ..formats import GRAPH, Format, of_kind

DumpFormat = Format
"""A dump format is a row of the table of formats (``ext``, ``rdf``, ``media_type``, ``quads``)."""

FORMATS: dict[str, Format] = {f.name: f for f in of_kind(GRAPH)}
"""The formats of ``bibkg export --format``, in their order."""
_BY_NAME: dict[str, Format] = {key: f for f in FORMATS.values() for key in (*f.files, f.name)}
"""A name or a file extension → format."""


def get_format(name: str) -> Format:
    """A format by name (``turtle``) or extension (``ttl``)."""
    fmt = _BY_NAME.get(name.lower().lstrip("."))
    if fmt is None:
        raise BibkgError(f"unknown RDF format '{name}'; use one of {', '.join(FORMATS)}")
    return fmt


def guess_format(filename: str) -> tuple[Format, bool]:
    """(format, gzipped) from a file name such as ``bibkg.nq.gz``."""
    name = filename.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    fmt = next((f for f in FORMATS.values() if ext in f.files), None)
    if fmt is None:
        raise BibkgError(
            f"{filename}: cannot tell the RDF format from the extension; give --format ({', '.join(FORMATS)})"
        )
    return fmt, gz
