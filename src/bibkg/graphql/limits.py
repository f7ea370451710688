"""The limits of a document's shape: depth, aliases, expanded size, field pairs, string lengths, introspection.

The token limit is a parse option (strawberry's ``MaxTokensLimiter``); the request body is bounded
by the router. Everything here is *linear in the document*: a fragment may be spread many times
(``F0`` spreads ``F1`` twice, ``F1`` spreads ``F2`` twice, … — 31 fragments, 2³⁰ expansions), so
each fragment's depth, aliases and selections are computed once and reused at every spread.
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
* **cost**: the work the document can cause, with the request's variables (:mod:`bibkg.graphql.cost`).

:mod:`bibkg.graphql.validation` applies them, off the event loop, before graphql-core's own rules
(a document over a limit is not validated further), and the cost after them.
"""

from __future__ import annotations

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
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from .settings import GraphQLSettings

MAX_NESTING = 64
"""Selection sets and fragment spreads nested deeper than this are refused outright (the depth
limit is lower; this bounds the recursion of the checks themselves)."""


class TooNested(Exception):
    """Selections nested deeper than :data:`MAX_NESTING`."""


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
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
            raise TooNested
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


def field_pairs(
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    limit: int,
    active: frozenset[str] = frozenset(),
    level: int = 0,
) -> int:
    """The pairs of fields with the same response name that validation compares when it merges
    ``selection_sets`` (the selections of same-named fields, merged into one), and recursively
    their merged sub-selections — the work of "overlapping fields can be merged".

    Fragments are expanded, so call it on documents whose expanded selections are bounded
    (:class:`_Shape`); it stops counting once past ``limit``.
    """
    if level > MAX_NESTING:
        raise TooNested
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
        for field in value.fields:
            yield from _strings(field.value)


def long_variables(variables: Mapping[str, Any] | None, settings: GraphQLSettings) -> list[GraphQLError]:
    """Errors for the string variables longer than ``max_string_length`` (in lists and objects too)."""
    errors = []
    limit = settings.max_string_length
    for name, value in (variables or {}).items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str) and len(item) > limit:
                errors.append(
                    GraphQLError(
                        f"variable '${name}' is {len(item)} characters long; the limit is {limit}",
                        extensions={"code": "STRING_TOO_LONG", "variable": name, "maxLength": limit},
                    )
                )
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
                    self.report_error(
                        GraphQLError(
                            f"argument '{node.name.value}' is {len(text)} characters long; the limit is "
                            f"{settings.max_string_length}",
                            node,
                            extensions={
                                "code": "STRING_TOO_LONG",
                                "argument": node.name.value,
                                "maxLength": settings.max_string_length,
                            },
                        )
                    )
                    return

    rules: list[type[ASTValidationRule]] = [DocumentLimitsRule]
    if not settings.allow_introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


def _check_shape(context: ValidationContext, settings: GraphQLSettings) -> None:
    document = context.document
    fragments = fragments_of(document)
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
                context.report_error(
                    GraphQLError(
                        f"'{name}' exceeds maximum operation depth of {settings.max_depth}",
                        definition,
                        extensions={"code": "DEPTH_LIMIT", "maxDepth": settings.max_depth},
                    )
                )
    except TooNested:
        context.report_error(
            GraphQLError(
                f"the document nests selections and fragment spreads more than {MAX_NESTING} levels deep; "
                f"it exceeds maximum operation depth of {settings.max_depth}",
                extensions={"code": "DEPTH_LIMIT", "maxDepth": settings.max_depth},
            )
        )
        return
    if aliases > settings.max_aliases:
        context.report_error(
            GraphQLError(
                f"{aliases} aliases found. Allowed: {settings.max_aliases}",
                extensions={"code": "ALIAS_LIMIT", "maxAliases": settings.max_aliases},
            )
        )
    if selections > settings.max_selections:
        context.report_error(
            GraphQLError(
                f"the document selects {selections} fields once its fragments are expanded; the limit is "
                f"{settings.max_selections}: select fewer fields or spread fragments fewer times",
                extensions={
                    "code": "SELECTION_LIMIT",
                    "selections": selections,
                    "maxSelections": settings.max_selections,
                },
            )
        )
        return
    operations = [d.selection_set for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    pairs = sum(field_pairs([operation], fragments, settings.max_field_pairs) for operation in operations)
    if pairs > settings.max_field_pairs:
        context.report_error(
            GraphQLError(
                f"the document selects fields under the same name too often: merging them takes more than "
                f"{settings.max_field_pairs} comparisons; select each field once per selection set",
                extensions={"code": "FIELD_PAIRS_LIMIT", "maxFieldPairs": settings.max_field_pairs},
            )
        )
