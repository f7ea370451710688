"""The GraphQL schema: root fields, limits, error masking.

``python -m bibkg.graphql.schema`` prints the SDL (committed as ``schema.graphql``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxTokensLimiter
from strawberry.types import ExecutionContext

from .corrections import CorrectionsQuery, Mutation
from .errors import is_user_error
from .settings import GraphQLSettings
from .sizes import DataSizes
from .types import AnthologyQuery
from .types.preprint import HfQuery
from .validation import CachedValidation, CostLimit, DocumentCache, core_schema

log = logging.getLogger("bibkg.graphql")


@strawberry.type(description="Everyday questions about people, papers, venues and events of the ACL Anthology.")
class Query(HfQuery, CorrectionsQuery, AnthologyQuery):
    """The root type: the root fields of every part of the schema.

    A module adds root fields by defining its own ``@strawberry.type`` class of fields and
    listing it here as a base *before* ``AnthologyQuery`` (dataclass fields are collected from
    the last base to the first, so that ``AnthologyQuery``'s fields stay first in the SDL)."""


class BibkgSchema(strawberry.Schema):
    """strawberry's schema, logging each error by its kind (strawberry logs every one at ERROR
    with a traceback, so a client sending refused documents would flood the log):

    * a user's error — syntax, validation, a limit, a bad or unknown id
      (:func:`~bibkg.graphql.errors.is_user_error`) — at DEBUG, one line: it is answered, and
      nothing is wrong with the server;
    * anything else — a failing store, a bug — at ERROR with its traceback, once.
    """

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if is_user_error(error):
                log.debug("GraphQL request refused: %s", error.message)
            else:
                log.error(
                    "internal error in GraphQL resolver (path %s): %s",
                    error.path,
                    error.message,
                    exc_info=error.original_error,
                )


class _Masking(MaskErrors):
    """The message of an unexpected error is replaced (it was logged: :class:`BibkgSchema`)."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            "internal error: the request could not be completed (it was logged)",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )


def build_schema(
    settings: GraphQLSettings | None = None, sizes: Callable[[], DataSizes] | None = None
) -> strawberry.Schema:
    """The schema with the limits of ``settings`` (default: :meth:`GraphQLSettings.from_env`);
    ``sizes`` gives the data's sizes to the cost model (default: static estimates)."""
    settings = settings or GraphQLSettings.from_env()
    documents = DocumentCache(settings, sizes)
    # factories: extensions keep per-request state, so each request gets fresh instances
    extensions: list = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: CachedValidation(documents),
        lambda: CostLimit(documents),  # after CachedValidation: it checks valid documents only
    ]
    if settings.mask_errors:
        extensions.append(lambda: _Masking(should_mask_error=lambda e: not is_user_error(e)))
    schema = BibkgSchema(query=Query, mutation=Mutation, extensions=extensions)
    documents.schema = core_schema(schema)
    return schema


def sdl() -> str:
    """The schema in SDL (limits do not change it)."""
    return build_schema(GraphQLSettings()).as_str() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(sdl(), end="")
