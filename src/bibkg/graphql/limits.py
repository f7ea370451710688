"""The limits of a document: depth, aliases, introspection (validation rules) and cost.

The token limit is a parse option (strawberry's ``MaxTokensLimiter``). The cost of a document is
the number of field resolutions it can cause: each field costs 1 times the product of the sizes
of the lists enclosing it — ``first`` (or the default page size) for connections and paged lists,
an estimate for unpaged lists (:data:`LIST_ESTIMATES`). Variables are taken from the request, so
``first: $n`` costs what ``$n`` says. Introspection is free. :mod:`bibkg.graphql.validation`
applies all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from .settings import GraphQLSettings

LIST_ESTIMATES: Mapping[str, int] = {
    "Paper.authors": 10,
    "Paper.editors": 5,
    "Volume.editors": 5,
    "CoauthorEdge.papers": 3,
    "Person.names": 3,
    "Person.scriptVariants": 2,
    "Person.similar": 3,
    "Person.venues": 10,
    "Person.editorOf": 5,
    "Paper.venues": 2,
    "Paper.events": 2,
    "Paper.sigs": 1,
    "Paper.awards": 1,
    "Volume.venues": 2,
    "Volume.events": 2,
    "Volume.sigs": 1,
    "Venue.volumes": 20,
    "Event.volumes": 20,
    "SIG.volumes": 20,
    "Query.venues": 50,
}
"""Estimated sizes of lists that have no ``first`` argument."""
DEFAULT_LIST_ESTIMATE = 10
PAGED_WITHOUT_CONNECTION = {"topAuthors": 10}
"""Plain lists that take ``first``: their default size."""


class CostLimitExceeded(GraphQLError):
    pass


def _unwrap_list(gtype: Any) -> bool:
    if isinstance(gtype, GraphQLNonNull):
        gtype = gtype.of_type
    return isinstance(gtype, GraphQLList)


class _Coster:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any], settings: GraphQLSettings) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.settings = settings

    def _arg(self, node: FieldNode, name: str) -> Any:
        for arg in node.arguments or ():
            if arg.name.value == name:
                if isinstance(arg.value, VariableNode):
                    return self.variables.get(arg.value.name.value)
                return value_from_ast_untyped(arg.value, self.variables)
        return None

    def _size(self, parent: GraphQLObjectType, node: FieldNode, field_type: Any) -> int:
        name = node.name.value
        named = get_named_type(field_type)
        first = self._arg(node, "first")
        if isinstance(first, int) and first >= 0:
            first = min(first, self.settings.max_page_size)
        else:
            first = None
        if named.name.endswith("Connection"):
            if first is not None:
                return max(first, 1)
            if named.name == "CoauthorConnection":
                return self.settings.max_page_size
            return self.settings.default_page_size
        if name in PAGED_WITHOUT_CONNECTION:
            return max(first if first is not None else PAGED_WITHOUT_CONNECTION[name], 1)
        if _unwrap_list(field_type):
            if parent.name.endswith("Connection") and name == "edges":
                return 1  # the page size was counted on the connection
            return LIST_ESTIMATES.get(f"{parent.name}.{name}", DEFAULT_LIST_ESTIMATE)
        return 1

    def cost(self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None,
             multiplier: int, seen: frozenset[str] = frozenset()) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                field = parent.fields.get(name)
                if field is None:
                    continue  # validation reports it
                total += multiplier
                named = get_named_type(field.type)
                if isinstance(named, GraphQLObjectType) and selection.selection_set is not None:
                    size = self._size(parent, selection, field.type)
                    total += self.cost(named, selection.selection_set, multiplier * size, seen)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    found = self.schema.get_type(selection.type_condition.name.value)
                    target = found if isinstance(found, GraphQLObjectType) else parent
                total += self.cost(target, selection.selection_set, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # unknown or cyclic: validation reports it
                found = self.schema.get_type(fragment.type_condition.name.value)
                target = found if isinstance(found, GraphQLObjectType) else parent
                total += self.cost(target, fragment.selection_set, multiplier, seen | {name})
        return total


def document_cost(schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None,
                  settings: GraphQLSettings, operation_name: str | None = None) -> int:
    """The cost of the operation ``operation_name`` (all operations: the costliest) of a valid
    ``document`` with ``variables`` (defaults from the document)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    variables = dict(variables or {})
    worst = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        for var in definition.variable_definitions or ():
            key = var.variable.name.value
            if key not in variables and var.default_value is not None:
                variables[key] = value_from_ast_untyped(var.default_value, {})
        root = schema.get_root_type(definition.operation)
        if root is None:
            continue
        coster = _Coster(schema, fragments, variables, settings)
        worst = max(worst, coster.cost(root, definition.selection_set, 1))
    return worst


def cost_error(cost: int, settings: GraphQLSettings) -> CostLimitExceeded | None:
    """The request error for a document of ``cost``, or ``None`` if it is within the limit."""
    if cost <= settings.max_cost:
        return None
    return CostLimitExceeded(
        f"query cost {cost} exceeds the limit of {settings.max_cost}: ask for "
        "smaller pages ('first') or fewer nested lists",
        extensions={"code": "COST_LIMIT", "cost": cost, "maxCost": settings.max_cost},
    )


def _introspection(ignore: IgnoreContext) -> bool:
    return ignore.field_name.startswith("__")


def limit_rules(settings: GraphQLSettings) -> tuple[type[ASTValidationRule], ...]:
    """The validation rules of the depth and alias limits, and of ``allow_introspection=False``.

    strawberry's limiter extensions create new rule classes each time they are instantiated (once
    per request when given as factories), which would make every request's rules look new to a
    validation cache; these are created once per schema instead.
    """
    rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.max_depth, _introspection),
        aliases_rule(settings.max_aliases),
    ]
    if not settings.allow_introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)
