"""Annotations for types of other entity modules.

The entity modules refer to each other in cycles (a paper has authors, a person has papers), so
none can import another's classes by name while it loads. Annotations name those types through
``strawberry.lazy`` (resolved when the schema is built); code that makes objects of them goes
through the module (``_paper.Paper(iri=…)``), read when the code runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from .coauthors import CoauthorConnection
    from .connection import PageInfo, PaperConnection
    from .event import Event
    from .paper import Contributor, Paper
    from .person import AuthorCount, Person
    from .preprint import Preprint
    from .sig import SIG
    from .venue import Venue
    from .volume import Volume

_PACKAGE = __name__.rpartition(".")[0]

CoauthorConnectionRef = Annotated["CoauthorConnection", strawberry.lazy(f"{_PACKAGE}.coauthors")]
PageInfoRef = Annotated["PageInfo", strawberry.lazy(f"{_PACKAGE}.connection")]
PaperConnectionRef = Annotated["PaperConnection", strawberry.lazy(f"{_PACKAGE}.connection")]
EventRef = Annotated["Event", strawberry.lazy(f"{_PACKAGE}.event")]
ContributorRef = Annotated["Contributor", strawberry.lazy(f"{_PACKAGE}.paper")]
PaperRef = Annotated["Paper", strawberry.lazy(f"{_PACKAGE}.paper")]
AuthorCountRef = Annotated["AuthorCount", strawberry.lazy(f"{_PACKAGE}.person")]
PersonRef = Annotated["Person", strawberry.lazy(f"{_PACKAGE}.person")]
PreprintRef = Annotated["Preprint", strawberry.lazy(f"{_PACKAGE}.preprint")]
SIGRef = Annotated["SIG", strawberry.lazy(f"{_PACKAGE}.sig")]
VenueRef = Annotated["Venue", strawberry.lazy(f"{_PACKAGE}.venue")]
VolumeRef = Annotated["Volume", strawberry.lazy(f"{_PACKAGE}.volume")]
