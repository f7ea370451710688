"""Parameters of named queries and entity ids given on the command line: parsed, and checked
against the graph."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import BibkgError, UnknownEntityError

ENTITY_TYPES = frozenset({"person", "paper", "volume", "venue", "event", "sig"})
"""Parameter types of named queries whose values name an entity of the graph."""


def is_known(store, term) -> bool:  # noqa: ANN001 - OxigraphStore, NamedNode
    """Whether the graph has any triple with ``term`` as subject or object (the internal query
    ``params-known-entity``)."""
    from ..sparql.catalog import default_catalog

    return bool(store.query(default_catalog()["params-known-entity"].text, bindings={"entity": term}))


def require_known_entities(store, named, bindings: dict) -> None:  # noqa: ANN001 - OxigraphStore, NamedQuery
    """Refuse a named query whose entity-typed parameter (person, event, …) names an IRI the
    graph knows nothing about.

    Such a query can only answer nothing, and "0 rows" reads as "no coauthors" when the truth
    is "no such person" (a typo, or an id of another snapshot).  One ASK per entity parameter,
    answered from the indexes.
    """
    for param in named.params:
        term = bindings.get(param.name)
        if param.type in ENTITY_TYPES and term is not None and not is_known(store, term):
            raise UnknownEntityError(
                f"parameter '{param.name}': no {param.type} {term.value} in the graph (query '{named.name}')"
            )


def entity_term(store, option: str, kind: str, value: str):  # noqa: ANN001, ANN201 - NamedNode
    """The IRI of the ``kind`` (person, volume, …) given by ``option`` as an id or IRI, checked
    to be well-formed and known to the graph."""
    from ..sparql.catalog import Parameter

    term = Parameter(option, kind).to_term(value)
    if not is_known(store, term):
        raise UnknownEntityError(f"{option} {value}: no {kind} {term.value} in the graph")
    return term


def param_values(items: Sequence[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a mapping (values stay strings; the catalog types them)."""
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise BibkgError(f"--param takes NAME=VALUE, got '{item}'")
        values[key] = value
    return values
