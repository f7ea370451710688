"""Lean field resolvers: call the resolver method directly, not through strawberry's general path.

For every field with a resolver, strawberry's generated ``resolve`` converts the arguments
(``get_arguments``), builds the resolver's keyword arguments, chains the field extensions and
calls the :class:`~strawberry.types.fields.resolver.StrawberryResolver` — some 25–35 µs per
field, most of a nested request's CPU time. The resolvers of :mod:`bibkg.graphql.types` need
none of it: they take ``self``, maybe ``info`` and only scalar arguments, which graphql-core has
already coerced to the values strawberry would pass.

:func:`install` replaces the ``resolve`` of exactly those fields — with a resolver, without field
extensions (permissions included) or exception handlers, whose arguments are all ``Int``,
``Float``, ``String``, ``Boolean`` or ``ID`` (nullable or not) — with a function that builds the
:class:`~strawberry.types.Info` and calls the method; and the ``resolve`` of plain attribute
fields (no resolver, no extensions) with a bare ``getattr``. Anything else keeps strawberry's
resolver. Errors raised by a resolver reach graphql-core as before, so error masking is unchanged; schema
extensions (validation, limits, masking) do not wrap field resolvers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

_SCALARS: tuple[Any, ...] = (int, float, str, bool, strawberry.ID)


def _is_scalar(argument: StrawberryArgument) -> bool:
    type_ = argument.type
    if isinstance(type_, StrawberryMaybe):
        return False
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    return any(type_ is scalar for scalar in _SCALARS)


def _attribute(schema: strawberry.Schema, field: StrawberryField) -> Callable[..., Any] | None:
    """``getattr`` of the field's attribute, as strawberry's basic-field path does, minus two calls."""
    if schema.config.default_resolver is not getattr:
        return None
    name = field.python_name

    def resolve_attribute(source: Any, _info: GraphQLResolveInfo) -> Any:
        return getattr(source, name)

    resolve_attribute._is_default = True  # type: ignore[attr-defined]  # as strawberry marks it
    return resolve_attribute


def _lean(schema: strawberry.Schema, field: StrawberryField) -> Callable[..., Any] | None:
    """A direct resolver for ``field``, or ``None`` if it needs strawberry's general path."""
    if field.extensions or field.is_subscription or schema.schema_converter._get_field_exception_handlers(field):
        return None
    resolver = field.base_resolver
    if resolver is None:
        return _attribute(schema, field)
    if resolver.parent_parameter or resolver.root_parameter:
        return None
    if not all(_is_scalar(argument) for argument in field.arguments):
        return None
    func = resolver.wrapped_func
    if not callable(func) or resolver.self_parameter is None:
        return None
    info_class = schema.config.info_class
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    # graphql-core passes the arguments by GraphQL name; the method takes them by Python name
    renamed = {schema.config.name_converter.from_argument(a): a.python_name for a in field.arguments}
    renamed = {g: p for g, p in renamed.items() if g != p}

    if info_name is None:
        if field.arguments:
            return None  # no such resolver here; keep strawberry's

        def resolve_plain(source: Any, _info: GraphQLResolveInfo) -> Any:
            return func(source)

        return resolve_plain

    if not field.arguments and info_name == "info":
        def resolve_with_info(source: Any, info: GraphQLResolveInfo) -> Any:
            return func(source, info=info_class(_raw_info=info, _field=field))

        return resolve_with_info

    def resolve(source: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        if renamed:
            kwargs = {renamed.get(name, name): value for name, value in kwargs.items()}
        kwargs[info_name] = info_class(_raw_info=info, _field=field)
        return func(source, **kwargs)

    return resolve


def install(schema: strawberry.Schema) -> int:
    """Give the eligible fields of ``schema`` lean resolvers; returns how many."""
    count = 0
    for gql_type in schema._schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for gql_field in gql_type.fields.values():
            field = (gql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField):
                continue
            try:
                lean = _lean(schema, field)
            except AttributeError:  # a strawberry without these internals: keep its resolvers
                return count
            if lean is not None:
                gql_field.resolve = lean
                count += 1
    return count
