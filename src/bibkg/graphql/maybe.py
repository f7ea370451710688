"""Values a resolver has at hand or must still wait for.

graphql-core calls a resolver and awaits its result only if it is awaitable, so a *synchronous*
resolver may return either the value itself or an awaitable of it. Resolvers here do that: a field
whose data is already known (passed in by the resolver that created the object, loaded earlier
in the request, or kept by the cross-request row cache) is answered at once, without the
coroutine, task and event-loop round trip an ``async def`` resolver costs per field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from inspect import isawaitable
from typing import Any, TypeAlias, TypeVar

T = TypeVar("T")
U = TypeVar("U")

Maybe: TypeAlias = T | Awaitable[T]

_PLAIN = frozenset({type(None), bool, int, float, str, list, tuple, dict})
"""Types of values at hand, never awaitable: checked first, as ``isawaitable`` costs more."""


def pending(value: object) -> bool:
    """Whether ``value`` must still be awaited."""
    return type(value) not in _PLAIN and isawaitable(value)


def then(value: Maybe[T], fn: Callable[[T], Maybe[U]]) -> Maybe[U]:
    """``fn(value)``, now if ``value`` is at hand, else once it has arrived (an awaitable).

    ``fn`` may itself return an awaitable: the result is awaited too, so chains stay flat.
    """
    if pending(value):
        return _after(value, fn)  # type: ignore[arg-type]
    return fn(value)  # type: ignore[arg-type]


async def _after(value: Awaitable[T], fn: Callable[[T], Maybe[U]]) -> U:
    result: Any = fn(await value)
    if isawaitable(result):
        result = await result
    return result


async def settle(value: Maybe[T]) -> T:
    """The value, awaited if need be (for ``async`` resolvers that build on a :class:`Maybe`)."""
    if pending(value):
        return await value  # type: ignore[misc]
    return value  # type: ignore[return-value]
