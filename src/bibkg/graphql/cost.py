"""The cost of a document: the field resolutions and rows it can cause.

Each field costs 1 times the sizes of the lists enclosing it — ``first`` (or the default page
size) for connections and paged lists, the data's real sizes for unpaged lists
(:mod:`bibkg.graphql.sizes`: the number of venues for ``Query.venues``, the largest list of one
entity, the mean list of many) — plus, for a connection, the rows its resolver reads to count
and order them (a venue's papers, a person's papers, a title search's papers). Variables are
taken from the request, so ``first: $n`` costs what ``$n`` says. Introspection is free. Each
fragment is costed once per type and kind of list, so the computation is linear in the document.
:class:`bibkg.graphql.validation.CostLimit` applies it to valid documents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from graphql import (
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

from .limits import MAX_NESTING, TooNested, fragments_of
from .settings import GraphQLSettings
from .sizes import FALLBACK, DataSizes

LIST_ESTIMATES: Mapping[str, int] = {
    "CoauthorEdge.papers": 3,
    "Person.names": 3,
    "Person.scriptVariants": 2,
    "Person.similar": 3,
    "Person.venues": 10,
    "Person.editorOf": 5,
    "Paper.editors": 5,
    "Paper.venues": 2,
    "Paper.events": 2,
    "Paper.sigs": 1,
    "Paper.awards": 1,
    "Volume.venues": 2,
    "Volume.events": 2,
    "Volume.sigs": 1,
}
"""Estimated sizes of short unpaged lists that are not counted in the store."""
DEFAULT_LIST_ESTIMATE = 10
COUNTED_LISTS: Mapping[str, str] = {
    "Venue.volumes": "Venue.volumes",
    "Event.volumes": "Event.volumes",
    "SIG.volumes": "SIG.volumes",
    "Paper.authors": "Paper.authors",
    "Volume.editors": "Volume.editors",
}
"""Unpaged lists whose sizes are counted in the store (:data:`bibkg.graphql.sizes.LISTS`)."""
SCANS: Mapping[str, str] = {
    "Venue.papers": "Venue.papers",
    "Event.papers": "Event.papers",
    "Volume.papers": "Volume.papers",
    "Person.papers": "Person.papers",
    "Venue.topAuthors": "Venue.papers",
    "Event.topAuthors": "Event.papers",
}
"""Connections (and top lists) whose resolver reads every row of a list to count and order it."""
TITLE_SCAN_DIVISOR = 20
"""A title search scans every title of the in-memory title index (:mod:`bibkg.graphql.titles`):
it costs the number of papers ÷ this — 4,875 on the full corpus, about the work of as many
resolved fields (a search matching 60,000 titles takes 0.3 s with six at once,
``benchmarks/bench_gql_hostile.py``)."""
PAGED_WITHOUT_CONNECTION = {"topAuthors": 10}
"""Plain lists that take ``first``: their default size."""


class CostLimitExceeded(GraphQLError):
    pass


def _is_list(gtype: Any) -> bool:
    if isinstance(gtype, GraphQLNonNull):
        gtype = gtype.of_type
    return isinstance(gtype, GraphQLList)


class _Coster:
    """The cost of selection sets at multiplier 1; a fragment's cost is computed once per
    (fragment, type, one entity or many) and multiplied at each spread.

    ``single``: the selection set is of one entity (the root, a field of an object that is not in
    a list): its lists may be the data's largest. Below a list, entities are many: mean sizes.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        settings: GraphQLSettings,
        sizes: DataSizes,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.settings = settings
        self.sizes = sizes
        self.memo: dict[tuple[str, str, bool], int] = {}
        self.active: set[str] = set()

    def _arg(self, node: FieldNode, name: str) -> Any:
        for arg in node.arguments or ():
            if arg.name.value == name:
                if isinstance(arg.value, VariableNode):
                    return self.variables.get(arg.value.name.value)
                return value_from_ast_untyped(arg.value, self.variables)
        return None

    def _first(self, node: FieldNode) -> int | None:
        first = self._arg(node, "first")
        if isinstance(first, int) and not isinstance(first, bool) and first >= 0:
            return min(first, self.settings.max_page_size)
        return None

    def _size(self, parent: GraphQLObjectType, node: FieldNode, field_type: Any, single: bool) -> int:
        """How many objects the field returns (its list size, 1 for an object)."""
        name = node.name.value
        named = get_named_type(field_type)
        first = self._first(node)
        if named.name.endswith("Connection"):
            if first is not None:
                return max(first, 1)
            if named.name == "CoauthorConnection":
                return self.settings.max_page_size
            return self.settings.default_page_size
        if name in PAGED_WITHOUT_CONNECTION:
            return max(first if first is not None else PAGED_WITHOUT_CONNECTION[name], 1)
        if _is_list(field_type):
            key = f"{parent.name}.{name}"
            if parent.name.endswith("Connection") and name == "edges":
                return 1  # the page size was counted on the connection
            if key == "Query.venues":
                return max(self.sizes.count("venues", 1), 1)
            if key in COUNTED_LISTS:
                return self.sizes.list_size(COUNTED_LISTS[key], DEFAULT_LIST_ESTIMATE, single=single)
            return LIST_ESTIMATES.get(key, DEFAULT_LIST_ESTIMATE)
        return 1

    def _scan(self, parent: GraphQLObjectType, node: FieldNode, single: bool) -> int:
        """The rows the field's resolver reads beyond what it returns (see :data:`SCANS`)."""
        key = f"{parent.name}.{node.name.value}"
        if key in SCANS:
            return self.sizes.list_size(SCANS[key], 0, single=single)
        if key == "Query.papers":
            rows = 0
            if self._arg(node, "title") is not None:
                rows += math.ceil(self.sizes.count("papers", 0) / TITLE_SCAN_DIVISOR)
            for kind in ("venue", "event"):
                if self._arg(node, kind) is not None:
                    rows += self.sizes.list_size(f"{kind.capitalize()}.papers", 0, single=True)
            if not rows and self._arg(node, "year") is not None:
                rows = self.sizes.list_size("Year.papers", 0, single=True)
            return rows
        return 0

    def cost(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None, single: bool, level: int = 0
    ) -> int:
        """The cost of ``selection_set`` on one ``parent`` object."""
        if selection_set is None:
            return 0
        if level > MAX_NESTING:
            raise TooNested
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                field = parent.fields.get(name)
                if field is None:
                    continue  # validation reports it
                total += 1 + self._scan(parent, selection, single)
                named = get_named_type(field.type)
                if isinstance(named, GraphQLObjectType) and selection.selection_set is not None:
                    size = self._size(parent, selection, field.type, single)
                    many = not single or _is_list(field.type) or named.name.endswith("Connection")
                    total += size * self.cost(named, selection.selection_set, single and not many, level + 1)
            elif isinstance(selection, InlineFragmentNode):
                total += self.cost(
                    self._target(selection.type_condition, parent), selection.selection_set, single, level + 1
                )
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, parent, single, level + 1)
        return total

    def _target(self, condition: Any, parent: GraphQLObjectType) -> GraphQLObjectType:
        if condition is None:
            return parent
        found = self.schema.get_type(condition.name.value)
        return found if isinstance(found, GraphQLObjectType) else parent

    def _fragment(self, name: str, parent: GraphQLObjectType, single: bool, level: int) -> int:
        key = (name, parent.name, single)
        found = self.memo.get(key)
        if found is not None:
            return found
        fragment = self.fragments.get(name)
        if fragment is None or name in self.active:
            return 0  # unknown or cyclic: validation reports it
        self.active.add(name)
        try:
            found = self.memo[key] = self.cost(
                self._target(fragment.type_condition, parent), fragment.selection_set, single, level
            )
        finally:
            self.active.discard(name)
        return found


def document_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    settings: GraphQLSettings,
    operation_name: str | None = None,
    sizes: DataSizes | None = None,
) -> int:
    """The cost of the operation ``operation_name`` (all operations: the costliest) of a valid
    ``document`` with ``variables`` (defaults from the document), with the list sizes of
    ``sizes`` (default: :data:`~bibkg.graphql.sizes.FALLBACK`). Linear in the document."""
    fragments = fragments_of(document)
    variables = dict(variables or {})
    sizes = sizes or FALLBACK
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
        coster = _Coster(schema, fragments, variables, settings, sizes)
        try:
            worst = max(worst, coster.cost(root, definition.selection_set, True))
        except TooNested:
            return settings.max_cost + 1  # validation refuses such documents first
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
