"""What every resolver reaches through ``info.context``: the services, the settings and this
request's loaders and indexes."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from ...services import Services
from ..batch import result_cache_for
from ..loaders import Loaders
from ..names import NameIndex, name_index_for
from ..settings import GraphQLSettings
from ..titles import TitleIndex, title_index_for

if TYPE_CHECKING:
    from .preprint import HfLoaders


class GQLContext(BaseContext):
    """What resolvers get as ``info.context``: the services, the settings, this request's loaders."""

    _hf_loaders: HfLoaders
    """This request's Daily Papers loaders, set when a resolver first needs them (only declared
    here: :func:`bibkg.graphql.types.preprint._loaders` makes them)."""

    def __init__(self, services: Services, settings: GraphQLSettings) -> None:
        super().__init__()
        self.services = services
        self.settings = settings

    @cached_property
    def loaders(self) -> Loaders:
        """This request's loaders, made when a resolver first needs them (a request answered
        from the response cache never does)."""
        return Loaders(
            self.services.runner,
            result_cache_for(self.services.generation, self.settings.cache_entries, self.settings.cache_mb * 2**20),
        )

    async def name_index(self) -> NameIndex:
        index = name_index_for(self.services.generation)
        if not index.built:
            await run_in_threadpool(index.ensure_built, self.services.runner)
        return index

    async def title_index(self) -> TitleIndex:
        index = title_index_for(self.services.generation)
        if not index.built:
            await run_in_threadpool(index.ensure_built, self.services.runner)
        return index


def ctx(info: Info) -> GQLContext:
    """The request's :class:`GQLContext`."""
    return info.context
