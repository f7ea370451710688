"""The RDF dump formats: names, file extensions, media types."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import BibkgError


@dataclass(frozen=True, slots=True)
class DumpFormat:
    name: str
    """Name on the command line (``--format``)."""
    rdf: ox.RdfFormat
    ext: str
    """File extension, without the dot."""
    media_type: str
    quads: bool
    """Keeps named graphs (``False``: the union of all graphs is written as one graph)."""


FORMATS: dict[str, DumpFormat] = {
    f.name: f
    for f in (
        DumpFormat("turtle", ox.RdfFormat.TURTLE, "ttl", "text/turtle", False),
        DumpFormat("ntriples", ox.RdfFormat.N_TRIPLES, "nt", "application/n-triples", False),
        DumpFormat("nquads", ox.RdfFormat.N_QUADS, "nq", "application/n-quads", True),
        DumpFormat("trig", ox.RdfFormat.TRIG, "trig", "application/trig", True),
        DumpFormat("jsonld", ox.RdfFormat.JSON_LD, "jsonld", "application/ld+json", True),
        DumpFormat("rdfxml", ox.RdfFormat.RDF_XML, "rdf", "application/rdf+xml", False),
    )
}
BY_EXT: dict[str, DumpFormat] = {f.ext: f for f in FORMATS.values()} | {
    "n3": FORMATS["turtle"],
    "owl": FORMATS["rdfxml"],
    "xml": FORMATS["rdfxml"],
    "json": FORMATS["jsonld"],
}


def get_format(name: str) -> DumpFormat:
    """A format by name (``turtle``) or extension (``ttl``)."""
    key = name.lower().lstrip(".")
    fmt = FORMATS.get(key) or BY_EXT.get(key)
    if fmt is None:
        raise BibkgError(f"unknown RDF format '{name}'; use one of {', '.join(FORMATS)}")
    return fmt


def guess_format(filename: str) -> tuple[DumpFormat, bool]:
    """(format, gzipped) from a file name such as ``bibkg.nq.gz``."""
    name = filename.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    fmt = BY_EXT.get(ext)
    if fmt is None:
        raise BibkgError(
            f"{filename}: cannot tell the RDF format from the extension; give --format ({', '.join(FORMATS)})"
        )
    return fmt, gz
