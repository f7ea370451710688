"""Named SPARQL queries: ``.rq`` files with a ``#+`` YAML header, from two folders.

* ``queries/`` (:func:`bibkg.config.queries_dir`): the public catalog, the everyday questions
  listed at ``/queries``, on the query page and by ``bibkg queries``, and run by name there and by
  ``bibkg query --name`` (:meth:`QueryCatalog.public`, :meth:`QueryCatalog.public_query`);
* ``src/bibkg/read/queries/`` (:func:`bibkg.config.internal_queries_dir`): the read layer's
  queries, run by bibkg's own code (GraphQL resolvers, Linked Data pages, BibTeX export, the Daily
  Papers linker) and named after their caller; :meth:`QueryCatalog.__getitem__` finds them, no
  public door lists or runs them.  Where a file lives decides it (:attr:`NamedQuery.internal`).

A header looks like::

    #+ summary: Coauthors of a person at an event, with shared-paper counts
    #+ params:
    #+   person: {type: person, description: the person, example: yaodong-yang}
    #+   event: {type: event, example: acl-2025}
    #+ tags: [people, coauthors]

Parameters are ordinary variables of the query (``?person``), bound as RDF terms through the
store's substitution mechanism; values are never pasted into the query text.  Entity types
(``person``, ``paper``, ``volume``, ``venue``, ``event``, ``sig``) accept either the Anthology id
(``yaodong-yang``) or the full IRI; ``iri``, ``string``, ``integer`` and ``boolean`` are the
plain RDF types.

A batch of keys goes into a ``VALUES`` block instead: batchable queries contain the placeholder
``VALUES ?key { UNDEF }`` (run as they are, it matches anything and a substitution can select one
key), which :func:`with_values` replaces by the keys rendered with pyoxigraph's ``str()`` of each
term, i.e. N-Triples syntax escaped by pyoxigraph.  This is the only place where query text is
composed, and never from a user string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from .. import config, iris
from ..errors import BibkgError
from ..safeparse import parse_yaml
from ..vocab import XSD_BOOLEAN, XSD_INTEGER
from .terms import TermError, id_iri, iri_term, literal_term, show

_ENTITY_IRIS: dict[str, Callable[[str], str]] = {
    "person": iris.person_iri,
    "paper": iris.paper_iri,
    "volume": iris.volume_iri,
    "venue": iris.venue_iri,
    "event": iris.event_iri,
    "sig": iris.sig_iri,
}
PARAM_TYPES = frozenset({"iri", "string", "integer", "boolean", *_ENTITY_IRIS})

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _placeholder(variable: str) -> re.Pattern[str]:
    return re.compile(r"VALUES\s+\?" + re.escape(variable) + r"\s*\{\s*UNDEF\s*\}")


def with_values(text: str, variable: str, terms: Iterable[ox.NamedNode | ox.Literal]) -> str:
    """``text`` with its ``VALUES ?variable { UNDEF }`` placeholder replaced by ``terms``.

    Raises ``ValueError`` if ``variable`` is not a plain variable name, if the placeholder is
    missing or repeated, or if a term is not a pyoxigraph IRI or literal.
    """
    if not _VARIABLE.match(variable):
        raise ValueError(f"not a variable name: {variable!r}")
    rendered = []
    for term in terms:
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise ValueError(f"VALUES accepts IRIs and literals only, not {type(term).__name__}")
        rendered.append(str(term))  # N-Triples syntax, escaped by pyoxigraph
    pattern = _placeholder(variable)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"query needs exactly one 'VALUES ?{variable} {{ UNDEF }}' placeholder")
    block = f"VALUES ?{variable} {{ {' '.join(rendered)} }}"
    return pattern.sub(lambda _m: block, text, count=1)


def apply_bindings(
    text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None
) -> tuple[str, dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
    """Bind parameters: fill each ``VALUES ?name { UNDEF }`` placeholder the query has, and
    return the bindings that are left for the store's substitution mechanism.

    A placeholder lets the query planner start from the bound value (pyoxigraph's substitutions
    are applied after planning: an event-wide query runs ~3x faster with a placeholder), and the
    variable need not be projected.  Either way the value is an RDF term, never user text.
    """
    rest: dict[str, ox.NamedNode | ox.Literal | ox.BlankNode] = {}
    for name, term in (bindings or {}).items():
        if len(_placeholder(name).findall(text)) == 1:
            # a blank node raises ValueError there (VALUES takes no blank node), not QueryError
            text = with_values(text, name, [term])  # type: ignore[list-item]
        else:
            rest[name] = term
    return text, rest


class CatalogError(BibkgError):
    """A query file is malformed (bad header, unknown parameter type, SPARQL syntax error)."""


class UnknownQueryError(BibkgError, KeyError):
    """No query of that name (for a public door: no public one)."""

    status = 404

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"no named query '{name}'; known: {', '.join(known)}")

    def __str__(self) -> str:
        return str(self.args[0])


class ParameterError(BibkgError, ValueError):
    """A parameter value is missing, unknown or not of its declared type."""

    status = 400


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type: str
    description: str = ""
    example: str | None = None
    required: bool = True
    default: str | None = None

    def to_term(self, value: str) -> ox.NamedNode | ox.Literal:
        """Convert a user-supplied string into the RDF term this parameter binds.

        Every conversion goes through :mod:`bibkg.sparql.terms`, so a malformed value (``a%b``,
        a control character, a lone surrogate) is a :class:`ParameterError` naming the
        parameter, never a ``ValueError`` from pyoxigraph.
        """
        what = f"parameter '{self.name}'"
        value = value.strip()
        try:
            if self.type in _ENTITY_IRIS:
                return id_iri(value, _ENTITY_IRIS[self.type], self.type, what)
            if self.type == "iri":
                return iri_term(value, what)
            if self.type == "integer":
                try:
                    number = int(value)
                except ValueError:
                    raise ParameterError(f"{what}: {show(value)} is not an integer") from None
                return literal_term(str(number), what, XSD_INTEGER)
            if self.type == "boolean":
                if value.lower() not in ("true", "false", "1", "0"):
                    raise ParameterError(f"{what}: {show(value)} is not a boolean")
                return literal_term("true" if value.lower() in ("true", "1") else "false", what, XSD_BOOLEAN)
            return literal_term(value, what)
        except TermError as exc:
            raise ParameterError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    params: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = ()
    returns: str = ""
    """What the query returns, e.g. ``papers`` for queries usable as bibliographies."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    internal: bool = False
    """Loaded from the read layer's folder (:func:`bibkg.config.internal_queries_dir`): run by
    bibkg's own code only, neither listed nor run by name through a public door."""

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Turn ``values`` (strings, e.g. from a URL) into typed RDF bindings."""
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParameterError(
                f"query '{self.name}' has no parameter {', '.join(unknown)}; "
                f"parameters: {', '.join(sorted(known)) or 'none'}"
            )
        bindings: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.params:
            raw = values.get(param.name, param.default)
            if raw is None or raw == "":
                if param.required:
                    raise ParameterError(f"query '{self.name}' needs parameter '{param.name}' ({param.type})")
                continue
            bindings[param.name] = param.to_term(str(raw))
        return bindings

    def with_values(self, variable: str, terms: Iterable[ox.NamedNode | ox.Literal]) -> str:
        """The query text with its ``VALUES ?variable { UNDEF }`` placeholder filled with
        ``terms`` (see :func:`with_values`)."""
        return with_values(self.text, variable, terms)


def parse_query_file(path: Path, *, internal: bool = False) -> NamedQuery:
    """Read one ``.rq`` file and its header; the SPARQL is checked by the store's parser.
    ``internal``: the file is one of the read layer's (:attr:`NamedQuery.internal`)."""
    text = path.read_text(encoding="utf-8")
    header_lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    try:
        header = parse_yaml("\n".join(line[1:] if line.startswith(" ") else line for line in header_lines)) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: malformed '#+' header: {exc}") from None
    if not isinstance(header, dict) or not header.get("summary"):
        raise CatalogError(f"{path}: the '#+' header needs at least 'summary'")
    params = []
    for name, spec in (header.get("params") or {}).items():
        spec = spec if isinstance(spec, dict) else {"type": spec}
        ptype = spec.get("type", "string")
        if ptype not in PARAM_TYPES:
            raise CatalogError(f"{path}: parameter '{name}' has unknown type '{ptype}'")
        if f"?{name}" not in text and f"${name}" not in text:
            raise CatalogError(f"{path}: parameter '{name}' does not occur in the query")
        params.append(
            Parameter(
                name=str(name),
                type=ptype,
                description=str(spec.get("description", "")),
                example=None if spec.get("example") is None else str(spec["example"]),
                required=bool(spec.get("required", "default" not in spec)),
                default=None if spec.get("default") is None else str(spec["default"]),
            )
        )
    try:
        checked, rest = apply_bindings(
            text, {p.name: p.to_term(p.example or p.default or "x") for p in params if p.example or p.default}
        )
        ox.Store().query(
            checked,
            use_default_graph_as_union=True,
            substitutions={ox.Variable(k): v for k, v in rest.items()},
        )
    except SyntaxError as exc:
        raise CatalogError(f"{path}: {exc}") from None
    except (ParameterError, RuntimeError, ValueError) as exc:
        raise CatalogError(f"{path}: {exc}") from None
    known_keys = {"summary", "description", "params", "tags", "returns"}
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header["summary"]),
        description=str(header.get("description", "")),
        params=tuple(params),
        tags=tuple(header.get("tags") or ()),
        returns=str(header.get("returns", "")),
        extra={k: v for k, v in header.items() if k not in known_keys},
        internal=internal,
    )


class QueryCatalog:
    """The named queries of the public catalog and of the read layer, loaded and checked once.

    ``catalog[name]`` finds any of them (bibkg's own code); the public doors use :meth:`public`
    and :meth:`public_query`, for which an internal name does not exist."""

    def __init__(self, queries: Mapping[str, NamedQuery]) -> None:
        self._queries = dict(sorted(queries.items()))

    @classmethod
    def load(cls, directory: Path | None = None, internal: Path | None = None) -> QueryCatalog:
        """The public queries of ``directory`` (default :func:`bibkg.config.queries_dir`) and the
        internal ones of ``internal`` (default :func:`bibkg.config.internal_queries_dir`), every
        file checked alike; a name in both folders is a :class:`CatalogError`."""
        folders = [
            (config.queries_dir() if directory is None else directory, False),
            (config.internal_queries_dir() if internal is None else internal, True),
        ]
        queries: dict[str, NamedQuery] = {}
        for folder, is_internal in folders:
            if not folder.is_dir():
                raise CatalogError(f"{folder}: no such directory of named queries")
            for path in sorted(folder.glob("*.rq")):
                if path.stem in queries:
                    raise CatalogError(
                        f"{path}: the query name '{path.stem}' is taken by {queries[path.stem].path}; "
                        "a public and an internal query cannot share a name"
                    )
                queries[path.stem] = parse_query_file(path, internal=is_internal)
        return cls(queries)

    def __getitem__(self, name: str) -> NamedQuery:
        """Any query, internal ones included: for bibkg's own code, never for a name a user gave."""
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQueryError(name, [q.name for q in self.public()]) from None

    def public_query(self, name: str) -> NamedQuery:
        """The public query ``name``, for the doors that run a query a user names (``/queries/NAME``,
        its ``.bib``, ``bibkg query --name``, ``bibkg bibtex --query``): an internal name is an
        :class:`UnknownQueryError` exactly like a name that does not exist."""
        query = self._queries.get(name)
        if query is None or query.internal:
            raise UnknownQueryError(name, [q.name for q in self.public()])
        return query

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def __iter__(self):  # noqa: ANN204
        """Every query, internal ones included (code that checks or runs them all)."""
        return iter(self._queries.values())

    def public(self) -> list[NamedQuery]:
        """The public catalog: the queries listed to users (not :attr:`NamedQuery.internal`)."""
        return [q for q in self._queries.values() if not q.internal]

    def __len__(self) -> int:
        return len(self._queries)


@functools.cache
def default_catalog() -> QueryCatalog:
    """The named queries bibkg ships (public and internal), loaded once per process."""
    return QueryCatalog.load()
