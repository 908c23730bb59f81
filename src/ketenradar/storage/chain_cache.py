"""Decoded chain versions kept in memory: a stored version never changes, so a server decodes it once.

A server answers many requests on the same few chains; decoding a version's parts costs more
than the request's own work. The cache holds the most recently used versions up to a total
number of items, so one national chain does not crowd out memory. A chain is a frozen value that
nothing changes in place, so the same object is handed to every request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from ketenradar.model.chain import Chain

__all__ = ["DEFAULT_MAX_ITEMS", "ChainCache"]

# About 200 MB of decoded national-scale chains at most.
DEFAULT_MAX_ITEMS = 2_000_000


class ChainCache:
    """The most recently read chain versions, by a key that names one stored version for good."""

    def __init__(self, max_items: int = DEFAULT_MAX_ITEMS) -> None:
        self.max_items = max_items
        self._chains: OrderedDict[Hashable, Chain] = OrderedDict()
        self._items = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Chain]) -> Chain:
        """Return the chain of ``key``, loading it with ``load`` the first time (outside the lock)."""
        with self._lock:
            found = self._chains.get(key)
            if found is not None:
                self._chains.move_to_end(key)
                return found
        chain = load()
        size = len(chain.items)
        if size > self.max_items:
            return chain  # larger than the whole cache: not kept
        with self._lock:
            if key not in self._chains:
                self._chains[key] = chain
                self._items += size
            while self._items > self.max_items:
                _key, dropped = self._chains.popitem(last=False)
                self._items -= len(dropped.items)
        return chain
