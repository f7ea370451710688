"""The GraphQL types, one module per entity, and the root fields over them.

* :mod:`.context` — ``GQLContext`` (``info.context``: services, settings, loaders);
* :mod:`.common` — row readers, ids, sort keys, entity arguments, page sizes;
* :mod:`.connection` — ``PageInfo`` and the paper connection;
* :mod:`.person`, :mod:`.coauthors`, :mod:`.paper` (with ``Contributor``), :mod:`.volume`,
  :mod:`.venue`, :mod:`.event`, :mod:`.sig` — the entities;
* :mod:`.query` — ``AnthologyQuery``, the root fields over them.

The entity modules refer to each other's types in cycles: annotations through ``strawberry.lazy``
(:mod:`.refs`), resolved when the schema is built; code through the module (``_paper.Paper``).
The root ``Query`` is composed in :mod:`bibkg.graphql.schema` from ``AnthologyQuery`` and the
root parts of other modules.
"""

from __future__ import annotations

from .coauthors import CoauthorConnection, CoauthorEdge, coauthor_connection
from .common import entity_iri, existing_iri, first_row, page_size
from .connection import PageInfo, PaperConnection, PaperEdge, paper_connection, sorted_papers
from .context import GQLContext, ctx
from .event import Event
from .paper import Contributor, Paper
from .person import AuthorCount, Person, PersonMatch, PersonMatchConnection, ScriptVariant, VenueCount
from .query import AnthologyQuery
from .sig import SIG
from .venue import Venue
from .volume import Volume

__all__ = [
    "SIG",
    "AnthologyQuery",
    "AuthorCount",
    "CoauthorConnection",
    "CoauthorEdge",
    "Contributor",
    "Event",
    "GQLContext",
    "PageInfo",
    "Paper",
    "PaperConnection",
    "PaperEdge",
    "Person",
    "PersonMatch",
    "PersonMatchConnection",
    "ScriptVariant",
    "Venue",
    "VenueCount",
    "Volume",
    "coauthor_connection",
    "ctx",
    "entity_iri",
    "existing_iri",
    "first_row",
    "page_size",
    "paper_connection",
    "sorted_papers",
]
