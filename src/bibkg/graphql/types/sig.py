"""Special interest groups of the ACL."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ... import iris
from ...services import Row
from ..maybe import Maybe
from . import volume as _volume
from .common import row_of, strip_iri, value_of
from .context import ctx
from .refs import VolumeRef


@strawberry.type(name="SIG", description="A special interest group of the ACL.")
class SIG:
    iri: str
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology SIG id, e.g. sigdat.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(strip_iri(self.iri, iris.ANTHOLOGY + "sigs/"))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else row_of(self, ctx(info).loaders.sig)

    @strawberry.field
    def acronym(self, info: Info) -> str | None:
        return value_of(self._row(info), "acronym")

    @strawberry.field
    def name(self, info: Info) -> str | None:
        return value_of(self._row(info), "name")

    @strawberry.field
    def homepage(self, info: Info) -> str | None:
        return value_of(self._row(info), "homepage")

    @strawberry.field(description="Volumes of the SIG, newest first.")
    def volumes(self, info: Info, year: int | None = None) -> list[VolumeRef]:
        return _volume.volumes_of(info, "sig", self.iri, year)
