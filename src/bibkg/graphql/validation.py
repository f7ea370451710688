"""Parse and validate a document once per text; check its cost once per text and variables.

graphql-core's validation of an everyday document takes milliseconds — more than executing it
against cached rows — and clients send the same few documents again and again, with different
variables. :class:`DocumentCache` (one per schema) keeps, in one LRU bounded by
``document_cache_entries`` entries and ``document_cache_mb`` megabytes (estimated: a parsed
document takes some 100 bytes per character of its text):

* the parsed document per text and parse options (the token limit is one);
* its validation errors per text and rules — graphql-core's rules plus the limits of
  :func:`~bibkg.graphql.limits.limit_rules`, built once per schema, so the same classes on every
  request;
* its cost (:func:`~bibkg.graphql.cost.document_cost`) per text, operation name and variables,
  since ``first: $n`` costs what ``$n`` says, after the string variables' lengths.

:class:`CachedValidation`, a strawberry extension, hands the document and its validation errors
to the execution context in its parse and validation steps, so strawberry skips its own;
:class:`CostLimit`, another, adds the cost check after validation. What is not cached yet is computed in
a worker thread, never on the event loop: every step is linear in the document and the document
is bounded (body size, tokens), but a large one still takes milliseconds. A valid document over
the cost limit gets the :class:`~bibkg.graphql.cost.CostLimitExceeded` request error: nothing
is executed. Documents that do not parse are not cached: strawberry parses them again (bounded
by the same token limit) and reports the syntax error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import strawberry
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, build_schema, parse, validate
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import SchemaExtension

from .cost import cost_error, document_cost
from .limits import limit_rules, long_variables
from .lru import LRU
from .settings import GraphQLSettings
from .sizes import FALLBACK, DataSizes

AST_BYTES_PER_CHAR = 100
"""Estimated bytes of a parsed document per character of its text (measured: 50–100)."""
_ENTRY_OVERHEAD = 500


def _variables_key(variables: Mapping[str, Any] | None) -> str | None:
    """A canonical text of the variables, or ``None`` if they are not JSON (then: no memo)."""
    try:
        return json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


_MISSING = object()


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema that documents are validated and costed against: built from the
    SDL of ``schema`` (strawberry's printer, public), so the same types, fields, arguments and
    directives as the schema that executes them."""
    return build_schema(schema.as_str())


def validate_document(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """graphql-core's validation of ``document`` with ``rules``."""
    return validate(schema, document, rules)


class DocumentCache:
    """Parsed documents, their validation errors and their costs, for one schema's limits.

    ``sizes`` gives the data's sizes for the cost model (called when a cost is computed, in a
    worker thread: it may wait for the sizes to be counted). ``schema`` (set once the strawberry
    schema exists: :func:`core_schema`) is what :class:`CachedValidation` validates against.
    """

    def __init__(
        self,
        settings: GraphQLSettings,
        sizes: Callable[[], DataSizes] | None = None,
        schema: GraphQLSchema | None = None,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.rules = limit_rules(settings)
        self.sizes = sizes or (lambda: FALLBACK)
        # values: (estimated bytes of key and value, value)
        self._lru: LRU[tuple[int, Any]] = LRU(
            settings.document_cache_mb * 2**20, weigh=lambda e: e[0], max_entries=3 * settings.document_cache_entries
        )

    def _get(self, key: tuple[Any, ...]) -> Any:
        entry = self._lru.get(key)
        return _MISSING if entry is None else entry[1]

    def _put(self, key: tuple[Any, ...], weight: int, value: Any) -> Any:
        self._lru.put(key, (weight + _ENTRY_OVERHEAD, value))
        return value

    # --- parse ----------------------------------------------------------------------------------
    def cached_document(self, text: str, parse_options: Mapping[str, Any]) -> DocumentNode | None:
        found = self._get(("document", text, tuple(sorted(parse_options.items()))))
        return None if found is _MISSING else found

    def document(self, text: str, parse_options: Mapping[str, Any]) -> DocumentNode:
        """The parsed ``text``; raises :class:`graphql.GraphQLError` on syntax errors."""
        key = ("document", text, tuple(sorted(parse_options.items())))
        found = self._get(key)
        if found is not _MISSING:
            return found
        return self._put(key, AST_BYTES_PER_CHAR * len(text), parse(text, **parse_options))

    # --- validation ---------------------------------------------------------------------------
    def cached_validation(self, text: str, rules: tuple[type[ASTValidationRule], ...]) -> list[GraphQLError] | None:
        """The validation errors of ``text`` if cached, else ``None``."""
        errors = self._get(("errors", text, (*rules, *self.rules)))
        return None if errors is _MISSING else list(errors)

    def validation(
        self, schema: GraphQLSchema, text: str, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
    ) -> list[GraphQLError]:
        """The validation errors of ``document`` (parsed from ``text``): this cache's limit rules,
        then, if the document is within them, ``rules`` (graphql-core's)."""
        key = ("errors", text, (*rules, *self.rules))
        errors = self._get(key)
        if errors is _MISSING:
            # the limits first: they are linear, graphql-core's rules are not (a document over a
            # limit, e.g. 490 repeated fields, is not validated further)
            errors = validate(schema, document, self.rules) or validate_document(schema, document, rules)
            self._put(key, len(text) + sum(len(e.message) + 200 for e in errors), errors)
        return list(errors)

    # --- cost -----------------------------------------------------------------------------------
    def cached_cost_errors(
        self, text: str, variables: Mapping[str, Any] | None, operation_name: str | None
    ) -> list[GraphQLError] | None:
        """The errors of the variables' lengths and of the cost, if cached, else ``None``."""
        variables_key = _variables_key(variables)
        if variables_key is None:
            return None
        found = self._get(("cost", text, operation_name, variables_key))
        return None if found is _MISSING else list(found)

    def cost_errors(
        self,
        schema: GraphQLSchema,
        text: str,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> list[GraphQLError]:
        """For a valid ``document``: string variables over their length, else the cost over the
        limit (memoized per text, operation name and variables)."""

        def compute() -> list[GraphQLError]:
            errors = long_variables(variables, self.settings)
            if errors:
                return errors
            cost = document_cost(schema, document, variables, self.settings, operation_name, self.sizes())
            error = cost_error(cost, self.settings)
            return [] if error is None else [error]

        variables_key = _variables_key(variables)
        if variables_key is None:
            return compute()
        key = ("cost", text, operation_name, variables_key)
        found = self._get(key)
        if found is _MISSING:
            found = self._put(key, len(text) + len(variables_key) + len(operation_name or ""), compute())
        return list(found)

    def errors(
        self,
        schema: GraphQLSchema,
        text: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> list[GraphQLError]:
        """The request errors of ``document``: its validation errors, else its cost errors."""
        return self.validation(schema, text, document, rules) or self.cost_errors(
            schema, text, document, variables, operation_name
        )


class CachedValidation(SchemaExtension):
    """Parse and validation through a :class:`DocumentCache` (pass a factory to the schema:
    extension instances are per request, the cache is not); what is not cached is computed in a
    worker thread."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache

    async def on_parse(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        if ctx.query:
            document = self.cache.cached_document(ctx.query, ctx.parse_options)
            if document is None:
                try:
                    document = await run_in_threadpool(self.cache.document, ctx.query, ctx.parse_options)
                except GraphQLError:
                    pass  # strawberry parses it again and reports the error
            ctx.graphql_document = document
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        schema = self.cache.schema
        if schema is None:  # never validate without the limits
            raise RuntimeError("the document cache has no schema to validate against (see core_schema)")
        if ctx.query and ctx.graphql_document is not None:
            errors = self.cache.cached_validation(ctx.query, ctx.validation_rules)
            if errors is None:
                errors = await run_in_threadpool(
                    self.cache.validation, schema, ctx.query, ctx.graphql_document, ctx.validation_rules
                )
            ctx.pre_execution_errors = errors
        yield


class CostLimit(SchemaExtension):
    """The cost limit, and the string variables' lengths, of a valid document with the request's
    variables (``first: $n`` costs what ``$n`` says), memoized by a :class:`DocumentCache`: after
    validation (list it after :class:`CachedValidation`: strawberry runs the extensions' steps in
    their order, and looks at the errors before leaving the validation step), before execution. A
    document over the limit gets the request error :class:`~bibkg.graphql.cost.CostLimitExceeded`:
    nothing is executed."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache

    async def on_validate(self) -> AsyncIterator[None]:
        # before strawberry's own check of the errors, after CachedValidation's (listed before this)
        ctx = self.execution_context
        if (
            ctx.pre_execution_errors is not None
            and not ctx.pre_execution_errors
            and ctx.query
            and ctx.graphql_document is not None
            and self.cache.schema is not None
        ):
            errors = self.cache.cached_cost_errors(ctx.query, ctx.variables, ctx.operation_name)
            if errors is None:
                errors = await run_in_threadpool(
                    self.cache.cost_errors,
                    self.cache.schema,
                    ctx.query,
                    ctx.graphql_document,
                    ctx.variables,
                    ctx.operation_name,
                )
            ctx.pre_execution_errors = errors
        yield
