"""Special interest groups of the ACL."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...read.runner import Row
from ..maybe import Maybe, then
from . import volume as _volume
from .common import first_rows, maybe_field, str_of, strip_iri
from .context import ctx
from .refs import VolumeRef


def _volumes(root: SIG, info: Info, year: int | None = None) -> Maybe[list[_volume.Volume]]:
    return _volume.volumes_of(info, "sig", root.iri, year)


@strawberry.type(name="SIG", description="A special interest group of the ACL.")
class SIG:
    iri: str
    id: strawberry.ID = strawberry.field(description="Anthology SIG id, e.g. sigdat.")
    acronym: str | None
    name: str | None
    homepage: str | None
    volumes: list[VolumeRef] = maybe_field(resolver=_volumes, description="Volumes of the SIG, newest first.")

    @classmethod
    def from_row(cls, iri: str, row: Row | None) -> SIG:
        """The SIG of IRI ``iri`` from its ``gql-sigs`` row (``None``: no data)."""
        return cls(
            iri=iri,
            id=strawberry.ID(strip_iri(iri, iris.ANTHOLOGY + "sigs/")),
            acronym=str_of(row, "acronym"),
            name=str_of(row, "name"),
            homepage=str_of(row, "homepage"),
        )


def load_sigs(info: Info, targets: Sequence[str]) -> Maybe[list[SIG]]:
    """The SIGs of IRIs ``targets``, in order, their rows loaded together."""
    return then(
        first_rows(ctx(info).loaders.sig, targets),
        lambda rows: [SIG.from_row(iri, row) for iri, row in zip(targets, rows, strict=True)],
    )
