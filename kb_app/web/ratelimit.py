"""Token buckets shared by every worker process of ``kb web`` (per API key and per client address).

The buckets live in a small memory-mapped file in the data directory (like nginx's shared
``limit_req`` zone), so N worker processes enforce one limit rather than N. Each slot holds a
64-bit hash of the bucket's name, its tokens and the time they were counted; a bucket is found by
open addressing over a few slots, and a full neighbourhood gives its least recently used slot to
the newcomer. An ``flock`` around each take keeps the slot consistent across processes.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import struct
import threading
import time
from pathlib import Path

SLOT = struct.Struct("<Qdd")  # name hash, tokens, last refill (epoch seconds)
SLOTS = 8192
PROBES = 8
#: A bucket untouched this long is full again whatever it held; its slot may be reused.
IDLE_SECONDS = 600.0
#: The clock buckets are counted by (shared by processes, so wall-clock seconds).
clock = time.time


def burst_for(rate_per_minute: int) -> float:
    """How many requests may come at once: a quarter of a minute's allowance, at least 10."""
    return float(max(10, rate_per_minute // 4))


class RateLimiter:
    """``take(name, rate)`` → seconds to wait (0.0 when the request may go ahead)."""

    def __init__(self, path: Path | None):
        self._lock = threading.Lock()
        self._fh = self._map = None
        self._local: dict[int, tuple[float, float]] = {}
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                if os.fstat(fd).st_size < SLOTS * SLOT.size:
                    os.ftruncate(fd, SLOTS * SLOT.size)
                self._fh = fd
                self._map = mmap.mmap(fd, SLOTS * SLOT.size)
            except OSError:
                # A read-only data directory: each process keeps its own buckets.
                self._fh = self._map = None

    def close(self):
        if self._map is not None:
            self._map.close()
            os.close(self._fh)
            self._map = self._fh = None

    def take(self, name: str, rate_per_minute: int, cost: float = 1.0) -> float:
        """Take ``cost`` tokens from the bucket ``name``; returns 0.0, or the seconds until it may retry."""
        if rate_per_minute <= 0:
            return 0.0
        digest = int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little") or 1
        rate = rate_per_minute / 60.0
        burst = burst_for(rate_per_minute)
        now = clock()
        with self._lock:
            if self._map is None:
                tokens, last = self._local.get(digest, (burst, now))
                tokens, wait = _refill_take(tokens, last, now, rate, burst, cost)
                self._local[digest] = (tokens, now)
                if len(self._local) > SLOTS:
                    self._local.clear()
                return wait
            fcntl.flock(self._fh, fcntl.LOCK_EX)
            try:
                offset, tokens, last = self._find(digest, now, burst)
                tokens, wait = _refill_take(tokens, last, now, rate, burst, cost)
                SLOT.pack_into(self._map, offset, digest, tokens, now)
                return wait
            finally:
                fcntl.flock(self._fh, fcntl.LOCK_UN)

    def _find(self, digest: int, now: float, burst: float) -> tuple[int, float, float]:
        """The slot of a bucket (offset, tokens, last), claiming a free or the stalest slot if new."""
        start = digest % SLOTS
        stalest, stalest_at = None, math.inf
        for i in range(PROBES):
            offset = ((start + i) % SLOTS) * SLOT.size
            h, tokens, last = SLOT.unpack_from(self._map, offset)
            if h == digest:
                return offset, tokens, last
            if h == 0 or now - last > IDLE_SECONDS:
                return offset, burst, now
            if last < stalest_at:
                stalest, stalest_at = offset, last
        return stalest, burst, now


def _refill_take(tokens: float, last: float, now: float, rate: float, burst: float, cost: float):
    """(tokens left, seconds to wait) after refilling since ``last`` and taking ``cost``."""
    if last > now:  # the clock went back: count from now
        last = now
    tokens = min(burst, tokens + (now - last) * rate)
    if tokens >= cost:
        return tokens - cost, 0.0
    return tokens, (cost - tokens) / rate
