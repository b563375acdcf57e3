"""The one in-memory cache of the core: a thread-safe LRU bounded in entries and, optionally, in size.

Every cache follows one eviction rule — least recently used goes first once the cache is over its
bounds — and content caches are keyed by commit, so a new commit on main never meets a stale value.
A cache that holds values about one commit at a time (rendered pages, the answers of one index) calls
:meth:`LruCache.follow` with the current commit: a different commit empties it.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Callable, Hashable

_MISSING = object()


class LruCache:
    """Least-recently-used cache with at most ``maxsize`` entries and, with ``sizeof``, ``maxcost`` in size.

    ``on_evict(value)`` is called for every value that leaves the cache (to close a searcher, say).
    """

    def __init__(self, maxsize: int, *, sizeof: Callable[[object], int] | None = None,
                 maxcost: int | None = None, on_evict: Callable[[object], None] | None = None):
        self.maxsize, self.sizeof, self.maxcost, self.on_evict = maxsize, sizeof, maxcost, on_evict
        self._data: collections.OrderedDict = collections.OrderedDict()
        self._costs: dict = {}
        self._cost = 0
        self._followed = None
        self._lock = threading.RLock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, default=None):
        """The value under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return default
            self.hits += 1
            self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        """Store ``value`` under ``key``, evicting the least recently used beyond the bounds."""
        with self._lock:
            if key in self._data:
                self._remove(key)
            cost = self.sizeof(value) if self.sizeof else 0
            if self.maxcost is not None and cost > self.maxcost:
                self._evicted(value)
                return
            self._data[key], self._costs[key] = value, cost
            self._cost += cost
            self._trim()

    def resize(self, maxsize: int | None = None, maxcost: int | None = None) -> None:
        """New bounds; what is over them now goes at once, least recently used first."""
        with self._lock:
            self.maxsize = self.maxsize if maxsize is None else maxsize
            self.maxcost = self.maxcost if maxcost is None else maxcost
            self._trim()

    def _trim(self):
        while len(self._data) > self.maxsize or (self.maxcost is not None and self._cost > self.maxcost):
            self._evicted(self._remove(next(iter(self._data))))

    def get_or_build(self, key: Hashable, build: Callable[[], object]):
        """The value under ``key``, built with ``build()`` (outside the lock) and stored when missing."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = build()
            self.put(key, value)
        return value

    def pop(self, key: Hashable, default=None):
        """Take ``key`` out of the cache without calling ``on_evict``."""
        with self._lock:
            return self._remove(key) if key in self._data else default

    def follow(self, commit) -> None:
        """Empty the cache when ``commit`` differs from the one it last followed."""
        with self._lock:
            if commit != self._followed:
                self.clear()
                self._followed = commit

    def clear(self) -> None:
        """Drop every entry (``on_evict`` is called for each)."""
        with self._lock:
            values = list(self._data.values())
            self._data.clear()
            self._costs.clear()
            self._cost = 0
        for value in values:
            self._evicted(value)

    @property
    def cost(self) -> int:
        """The total size of what is cached (0 without ``sizeof``)."""
        return self._cost

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key) -> bool:
        return key in self._data

    def _remove(self, key):
        self._cost -= self._costs.pop(key)
        return self._data.pop(key)

    def _evicted(self, value):
        if self.on_evict is not None:
            self.on_evict(value)


class TtlCache:
    """An :class:`LruCache` whose values are also trusted for ``ttl`` seconds only (monotonic clock).

    For values that may change without a new commit (an API key revoked, flags set on entries):
    an expired value counts as missing and is dropped when met.
    """

    def __init__(self, maxsize: int, ttl: float, *, sizeof: Callable[[object], int] | None = None,
                 maxcost: int | None = None, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.clock = ttl, clock
        cost = (lambda item: sizeof(item[1])) if sizeof else None
        self.lru = LruCache(maxsize, sizeof=cost, maxcost=maxcost)

    def get(self, key: Hashable, default=None):
        """The value under ``key`` if stored less than ``ttl`` seconds ago, else ``default``."""
        item = self.lru.get(key, _MISSING)
        if item is _MISSING:
            return default
        if self.clock() - item[0] > self.ttl:
            self.lru.pop(key)
            return default
        return item[1]

    def put(self, key: Hashable, value) -> None:
        """Store ``value`` under ``key``, trusted from now for ``ttl`` seconds."""
        self.lru.put(key, (self.clock(), value))

    def follow(self, commit) -> None:
        """Empty the cache when ``commit`` differs from the one it last followed."""
        self.lru.follow(commit)

    def clear(self) -> None:
        """Drop every entry."""
        self.lru.clear()

    def __len__(self) -> int:
        return len(self.lru)
