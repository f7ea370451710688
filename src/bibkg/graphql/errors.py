"""Errors a GraphQL client is told about (everything else is masked as an internal error)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class UserError(GraphQLError):
    """A problem with the request the user can fix; its message and extensions are shown.

    ``code`` goes to ``extensions.code`` (``BAD_USER_INPUT``, ``AMBIGUOUS_NAME``, ``NOT_FOUND`` …).
    """

    def __init__(self, message: str, *, code: str = "BAD_USER_INPUT", **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def is_user_error(error: GraphQLError) -> bool:
    """True for errors the user should see unmasked: validation/parse errors, a variable's value
    that its type refuses (``$n: Int`` given ``"x"``, an unknown enum value: graphql-core wraps
    the coercion's own ``GraphQLError``) and :class:`UserError`."""
    original = error.original_error
    if original is None:
        return True
    return isinstance(original, (UserError, GraphQLError))
