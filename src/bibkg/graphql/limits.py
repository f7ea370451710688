"""The limits of a document: depth, aliases, expanded size, string lengths, introspection, cost.

The token limit is a parse option (strawberry's ``MaxTokensLimiter``); the request body is bounded
by the router. Everything here is *linear in the document*: a fragment may be spread many times
(``F0`` spreads ``F1`` twice, ``F1`` spreads ``F2`` twice, … — 31 fragments, 2³⁰ expansions), so
each fragment's depth, aliases, selections and cost are computed once and reused at every spread.
The counts themselves are the expanded ones (a fragment spread twice counts twice), so such a
document is refused quickly instead of being walked a billion times.

* **depth**: the deepest field nesting, fragments expanded, introspection fields not counted;
* **aliases**: aliased fields, fragments expanded (as strawberry's ``MaxAliasesLimiter`` counts);
* **selections**: field selections with every fragment spread expanded — bounds the work of
  executing and of answering the document whatever its cost;
* **field pairs**: the pairs of same-named fields graphql-core's rule "overlapping fields can be
  merged" compares, once the selections are within their limit (:func:`field_pairs`) — the rule
  is quadratic, and repeating a field multiplies it at every level: 490 × ``venues { id }`` in
  6.9 kB, or 10 × 10 × 10 nested ``similar { … }``, took seconds of CPU to validate;
* **strings**: every string argument (literal or variable) at most ``max_string_length``;
* **cost**: the number of field resolutions and rows the document can cause. Each field costs 1
  times the sizes of the lists enclosing it — ``first`` (or the default page size) for
  connections and paged lists, the data's real sizes for unpaged lists
  (:mod:`bibkg.graphql.sizes`: the number of venues for ``Query.venues``, the largest list of
  one entity, the mean list of many) — plus, for a connection, the rows its resolver reads to
  count and order them (a venue's papers, a person's papers, a title search's papers). Variables
  are taken from the request, so ``first: $n`` costs what ``$n`` says. Introspection is free.

:mod:`bibkg.graphql.validation` applies all of them, off the event loop, before graphql-core's
own rules (a document over a limit is not validated further).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
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
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from .sizes import FALLBACK, DataSizes
from .settings import GraphQLSettings

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
    "Venue.volumes": "Venue.volumes", "Event.volumes": "Event.volumes", "SIG.volumes": "SIG.volumes",
    "Paper.authors": "Paper.authors", "Volume.editors": "Volume.editors",
}
"""Unpaged lists whose sizes are counted in the store (:data:`bibkg.graphql.sizes.LISTS`)."""
SCANS: Mapping[str, str] = {
    "Venue.papers": "Venue.papers", "Event.papers": "Event.papers", "Volume.papers": "Volume.papers",
    "Person.papers": "Person.papers", "Venue.topAuthors": "Venue.papers", "Event.topAuthors": "Event.papers",
}
"""Connections (and top lists) whose resolver reads every row of a list to count and order it."""
TITLE_SCAN_DIVISOR = 20
"""A title search scans every title of the in-memory title index (:mod:`bibkg.graphql.titles`):
it costs the number of papers ÷ this — 4,875 on the full corpus, about the work of as many
resolved fields (a search matching 60,000 titles takes 0.3 s with six at once,
``benchmarks/bench_gql_hostile.py``)."""
PAGED_WITHOUT_CONNECTION = {"topAuthors": 10}
"""Plain lists that take ``first``: their default size."""
MAX_NESTING = 64
"""Selection sets and fragment spreads nested deeper than this are refused outright (the depth
limit is lower; this bounds the recursion of the checks themselves)."""


class CostLimitExceeded(GraphQLError):
    pass


class _TooNested(Exception):
    pass


def _is_list(gtype: Any) -> bool:
    if isinstance(gtype, GraphQLNonNull):
        gtype = gtype.of_type
    return isinstance(gtype, GraphQLList)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


# --- shape: depth, aliases, expanded selections --------------------------------------------------
class _Shape:
    """Depth, aliases and expanded selections of selection sets, each fragment computed once.

    ``(depth, aliases, selections)`` of a selection set: depth counts nested fields that have a
    selection set (``{ a { b } }`` is 1, as strawberry's depth limiter counts), introspection
    fields (``__schema``…) and what they select excluded; aliases and selections count each
    fragment spread as often as it is spread. A spread of a fragment being expanded (a cycle) or
    of an unknown fragment counts nothing: graphql-core's rules report those.
    """

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, tuple[int, int, int]] = {}
        self.active: set[str] = set()

    def of(self, selection_set: SelectionSetNode, level: int = 0) -> tuple[int, int, int]:
        if level > MAX_NESTING:
            raise _TooNested
        depth = aliases = selections = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                selections += 1
                aliases += selection.alias is not None
                if selection.selection_set is not None:
                    d, a, s = self.of(selection.selection_set, level + 1)
                    aliases += a
                    selections += s
                    if not selection.name.value.startswith("__"):
                        depth = max(depth, d + 1)
            elif isinstance(selection, InlineFragmentNode):
                d, a, s = self.of(selection.selection_set, level + 1)
                depth, aliases, selections = max(depth, d), aliases + a, selections + s
            elif isinstance(selection, FragmentSpreadNode):
                d, a, s = self.fragment(selection.name.value, level + 1)
                depth, aliases, selections = max(depth, d), aliases + a, selections + s
        return depth, aliases, selections

    def fragment(self, name: str, level: int) -> tuple[int, int, int]:
        found = self.memo.get(name)
        if found is not None:
            return found
        fragment = self.fragments.get(name)
        if fragment is None or name in self.active:
            return 0, 0, 0
        self.active.add(name)
        try:
            found = self.memo[name] = self.of(fragment.selection_set, level)
        finally:
            self.active.discard(name)
        return found


def field_pairs(selection_sets: list[SelectionSetNode], fragments: dict[str, FragmentDefinitionNode],
                limit: int, active: frozenset[str] = frozenset(), level: int = 0) -> int:
    """The pairs of fields with the same response name that validation compares when it merges
    ``selection_sets`` (the selections of same-named fields, merged into one), and recursively
    their merged sub-selections — the work of "overlapping fields can be merged".

    Fragments are expanded, so call it on documents whose expanded selections are bounded
    (:class:`_Shape`); it stops counting once past ``limit``.
    """
    if level > MAX_NESTING:
        raise _TooNested
    groups: dict[str, list[SelectionSetNode | None]] = {}

    def collect(selection_set: SelectionSetNode, active: frozenset[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                groups.setdefault(name, []).append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set, active)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in active:
                    collect(fragment.selection_set, active | {fragment.name.value})

    for selection_set in selection_sets:
        collect(selection_set, active)
    pairs = 0
    for subs in groups.values():
        pairs += len(subs) * (len(subs) - 1) // 2
        nested = [sub for sub in subs if sub is not None]
        if nested and pairs <= limit:
            pairs += field_pairs(nested, fragments, limit - pairs, active, level + 1)
        if pairs > limit:
            break
    return pairs


def _strings(value: ValueNode) -> Iterator[str]:
    if isinstance(value, StringValueNode):
        yield value.value
    elif isinstance(value, ListValueNode):
        for item in value.values:
            yield from _strings(item)
    elif isinstance(value, ObjectValueNode):
        for item in value.fields:
            yield from _strings(item.value)


def long_variables(variables: Mapping[str, Any] | None, settings: GraphQLSettings) -> list[GraphQLError]:
    """Errors for the string variables longer than ``max_string_length`` (in lists and objects too)."""
    errors = []
    limit = settings.max_string_length
    for name, value in (variables or {}).items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str) and len(item) > limit:
                errors.append(GraphQLError(
                    f"variable '${name}' is {len(item)} characters long; the limit is {limit}",
                    extensions={"code": "STRING_TOO_LONG", "variable": name, "maxLength": limit},
                ))
                break
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.values())
    return errors


def limit_rules(settings: GraphQLSettings) -> tuple[type[ASTValidationRule], ...]:
    """The validation rule of the document limits, and of ``allow_introspection=False``.

    Created once per schema, so that every request's rules are the same classes (a key of the
    validation cache). The rule reports, per document: operations deeper than ``max_depth``
    (``'<name>' exceeds maximum operation depth of N``, as strawberry's depth limiter says),
    more than ``max_aliases`` aliases (``N aliases found. Allowed: M``), more than
    ``max_selections`` expanded field selections, more than ``max_field_pairs`` pairs of
    same-named fields to merge (:func:`field_pairs`), and string arguments longer than
    ``max_string_length``.
    """

    class DocumentLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            _check_shape(context, settings)

        def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
            for text in _strings(node.value):
                if len(text) > settings.max_string_length:
                    self.report_error(GraphQLError(
                        f"argument '{node.name.value}' is {len(text)} characters long; the limit is "
                        f"{settings.max_string_length}",
                        node, extensions={"code": "STRING_TOO_LONG", "argument": node.name.value,
                                          "maxLength": settings.max_string_length},
                    ))
                    return

    rules: list[type[ASTValidationRule]] = [DocumentLimitsRule]
    if not settings.allow_introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


def _check_shape(context: ValidationContext, settings: GraphQLSettings) -> None:
    document = context.document
    fragments = _fragments(document)
    shape = _Shape(fragments)
    aliases = selections = 0
    try:
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            depth, a, s = shape.of(definition.selection_set)
            aliases, selections = aliases + a, selections + s
            if depth > settings.max_depth:
                name = definition.name.value if definition.name else "anonymous"
                context.report_error(GraphQLError(
                    f"'{name}' exceeds maximum operation depth of {settings.max_depth}", definition,
                    extensions={"code": "DEPTH_LIMIT", "maxDepth": settings.max_depth},
                ))
    except _TooNested:
        context.report_error(GraphQLError(
            f"the document nests selections and fragment spreads more than {MAX_NESTING} levels deep; "
            f"it exceeds maximum operation depth of {settings.max_depth}",
            extensions={"code": "DEPTH_LIMIT", "maxDepth": settings.max_depth},
        ))
        return
    if aliases > settings.max_aliases:
        context.report_error(GraphQLError(
            f"{aliases} aliases found. Allowed: {settings.max_aliases}",
            extensions={"code": "ALIAS_LIMIT", "maxAliases": settings.max_aliases},
        ))
    if selections > settings.max_selections:
        context.report_error(GraphQLError(
            f"the document selects {selections} fields once its fragments are expanded; the limit is "
            f"{settings.max_selections}: select fewer fields or spread fragments fewer times",
            extensions={"code": "SELECTION_LIMIT", "selections": selections,
                        "maxSelections": settings.max_selections},
        ))
        return
    operations = [d.selection_set for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    pairs = sum(field_pairs([operation], fragments, settings.max_field_pairs) for operation in operations)
    if pairs > settings.max_field_pairs:
        context.report_error(GraphQLError(
            f"the document selects fields under the same name too often: merging them takes more than "
            f"{settings.max_field_pairs} comparisons; select each field once per selection set",
            extensions={"code": "FIELD_PAIRS_LIMIT", "maxFieldPairs": settings.max_field_pairs},
        ))


# --- cost ----------------------------------------------------------------------------------------
class _Coster:
    """The cost of selection sets at multiplier 1; a fragment's cost is computed once per
    (fragment, type, one entity or many) and multiplied at each spread.

    ``single``: the selection set is of one entity (the root, a field of an object that is not in
    a list): its lists may be the data's largest. Below a list, entities are many: mean sizes.
    """

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any], settings: GraphQLSettings, sizes: DataSizes) -> None:
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

    def cost(self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None, single: bool,
             level: int = 0) -> int:
        """The cost of ``selection_set`` on one ``parent`` object."""
        if selection_set is None:
            return 0
        if level > MAX_NESTING:
            raise _TooNested
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
                total += self.cost(self._target(selection.type_condition, parent), selection.selection_set,
                                   single, level + 1)
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
            found = self.memo[key] = self.cost(self._target(fragment.type_condition, parent),
                                               fragment.selection_set, single, level)
        finally:
            self.active.discard(name)
        return found


def document_cost(schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None,
                  settings: GraphQLSettings, operation_name: str | None = None,
                  sizes: DataSizes | None = None) -> int:
    """The cost of the operation ``operation_name`` (all operations: the costliest) of a valid
    ``document`` with ``variables`` (defaults from the document), with the list sizes of
    ``sizes`` (default: :data:`~bibkg.graphql.sizes.FALLBACK`). Linear in the document."""
    fragments = _fragments(document)
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
        except _TooNested:
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
