"""A thread-safe least-recently-used map bounded by the total weight of its values.

The GraphQL layer keeps several caches of this kind: rows of batched queries (weight 1 per key),
parsed and validated documents, query costs, and encoded responses (weight: their size in bytes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
D = TypeVar("D")


def _one(_value: object) -> int:
    return 1


class LRU(Generic[V]):
    """At most ``capacity`` units of weight (``weigh(value)``, 1 per entry by default), and at
    most ``max_entries`` entries when given.

    A capacity of 0 disables the cache: :meth:`get` always misses and :meth:`put` keeps nothing.
    A value heavier than the whole capacity is not kept.
    """

    def __init__(self, capacity: int, weigh: Callable[[V], int] = _one, max_entries: int | None = None) -> None:
        self.capacity = max(0, capacity)
        if max_entries is not None and max_entries <= 0:
            self.capacity = 0
        self.max_entries = max_entries
        self._weigh = weigh
        self._data: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def get(self, key: Hashable, default: D | None = None) -> V | D | None:
        """The value of ``key``, else ``default``."""
        if not self.capacity:
            return default
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return default
            self._data.move_to_end(key)
            return entry[0]

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``key``, computed by ``compute()`` and kept if it is missing (computed
        outside the lock: two threads may compute the same value, one of them is kept)."""
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value)
        return value

    @property
    def weight(self) -> int:
        """The total weight kept."""
        return self._weight

    def __len__(self) -> int:
        return len(self._data)

    def put(self, key: Hashable, value: V) -> None:
        if not self.capacity:
            return
        weight = self._weigh(value)
        if weight > self.capacity:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._data[key] = (value, weight)
            self._weight += weight
            while self._weight > self.capacity or (self.max_entries is not None and len(self._data) > self.max_entries):
                _key, (_value, dropped) = self._data.popitem(last=False)
                self._weight -= dropped
