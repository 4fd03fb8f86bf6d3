"""A memo bounded by the bytes it holds, for the per-word caches on the scoring path.

`functools.lru_cache` bounds entries only: one entry per distinct word is harmless for
real text and unbounded for a caller who sends long unique words. Here every entry is
weighed when it is added, and the oldest entries go once the total passes the budget.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# What the cache's own bookkeeping costs per entry, beyond the key and value: a dict slot
# (entry and index, at two-thirds load), the (value, size) pair and the size.
_ENTRY_BYTES = 48 + sys.getsizeof((None, 0)) + sys.getsizeof(2**40)


class SizedCache(Generic[K, V]):
    """Remembers `compute(key)` while the entries' estimated sizes stay within `max_bytes`.

    `size_of(key, value)` estimates the bytes an entry's key and value hold; the cache
    adds its own bookkeeping per entry.

    Evicts first-in, first-out: a hit is a single dict lookup with no reordering, which
    keeps hits as cheap as lru_cache's; a word that stays common comes back at its next
    miss. An entry larger than a tenth of the budget is returned but not kept. Safe to
    share between threads: hits take no lock, additions and evictions take one.
    """

    def __init__(self, max_bytes: int, size_of: Callable[[K, V], int]) -> None:
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._items: dict[K, tuple[V, int]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes_held(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get_or_add(self, key: K, compute: Callable[[K], V]) -> V:
        """The remembered value for `key`, else `compute(key)`, remembered if it fits."""
        found = self._items.get(key)
        if found is not None:
            return found[0]
        value = compute(key)
        size = self._size_of(key, value) + _ENTRY_BYTES
        if size * 10 > self.max_bytes:
            return value
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, evicted = self._items.pop(next(iter(self._items)))
                    self._bytes -= evicted
        return value
