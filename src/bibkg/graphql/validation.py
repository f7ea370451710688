"""Parse and validate a document once per text; check its cost once per text and variables.

graphql-core's validation of an everyday document takes milliseconds — more than executing it
against cached rows — and clients send the same few documents again and again, with different
variables. :class:`DocumentCache` (one per schema) keeps, in LRUs of ``document_cache_entries``:

* the parsed document per text and parse options (the token limit is one);
* its validation errors per text and rules — graphql-core's rules plus the limits of
  :func:`~bibkg.graphql.limits.limit_rules`, built once per schema, so the same classes on every
  request;
* its cost (:func:`~bibkg.graphql.limits.document_cost`) per text, operation name and variables,
  since ``first: $n`` costs what ``$n`` says.

:class:`CachedValidation`, a strawberry extension, hands them to the execution context in its
parse and validation steps, so strawberry skips its own. A valid document over the cost limit gets
the :class:`~bibkg.graphql.limits.CostLimitExceeded` request error: nothing is executed. Documents
that do not parse are not cached: strawberry parses them again and reports the syntax error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from .limits import cost_error, document_cost, limit_rules
from .lru import LRU
from .settings import GraphQLSettings


def _variables_key(variables: Mapping[str, Any] | None) -> str | None:
    """A canonical text of the variables, or ``None`` if they are not JSON (then: no memo)."""
    try:
        return json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


class DocumentCache:
    """Parsed documents, their validation errors and their costs, for one schema's limits."""

    def __init__(self, settings: GraphQLSettings) -> None:
        self.settings = settings
        self.rules = limit_rules(settings)
        self._documents: LRU[DocumentNode] = LRU(settings.document_cache_entries)
        self._errors: LRU[list[GraphQLError]] = LRU(settings.document_cache_entries)
        self._costs: LRU[int] = LRU(settings.document_cache_entries)

    def document(self, text: str, parse_options: Mapping[str, Any]) -> DocumentNode:
        """The parsed ``text``; raises :class:`graphql.GraphQLError` on syntax errors."""
        key = (text, tuple(sorted(parse_options.items())))
        return self._documents.get_or_compute(key, lambda: parse(text, **parse_options))

    def errors(self, schema: GraphQLSchema, text: str, document: DocumentNode,
               rules: tuple[type[ASTValidationRule], ...], variables: Mapping[str, Any] | None,
               operation_name: str | None) -> list[GraphQLError]:
        """The request errors of ``document`` (parsed from ``text``): validation with ``rules``
        and this cache's limit rules, then, for a valid document, the cost limit."""
        rules = (*rules, *self.rules)
        errors = self._errors.get_or_compute((text, rules), lambda: validate_document(schema, document, rules))
        if errors:
            return list(errors)
        error = cost_error(self._cost(schema, text, document, variables, operation_name), self.settings)
        return [] if error is None else [error]

    def _cost(self, schema: GraphQLSchema, text: str, document: DocumentNode,
              variables: Mapping[str, Any] | None, operation_name: str | None) -> int:
        def compute() -> int:
            return document_cost(schema, document, variables, self.settings, operation_name)

        variables_key = _variables_key(variables)
        if variables_key is None:
            return compute()
        return self._costs.get_or_compute((text, operation_name, variables_key), compute)


class CachedValidation(SchemaExtension):
    """Parse and validation through a :class:`DocumentCache` (pass a factory to the schema:
    extension instances are per request, the cache is not)."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query:
            try:
                ctx.graphql_document = self.cache.document(ctx.query, ctx.parse_options)
            except GraphQLError:
                pass  # strawberry parses it again and reports the error
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query and ctx.graphql_document is not None:
            ctx.pre_execution_errors = self.cache.errors(
                ctx.schema._schema, ctx.query, ctx.graphql_document, ctx.validation_rules,
                ctx.variables, ctx.operation_name,
            )
        yield
