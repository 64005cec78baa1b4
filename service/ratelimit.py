"""Token buckets: at most ``rate_per_s`` requests a second on average per key, with
bursts of up to ``burst``. Framework-free; the HTTP layer chooses the key (a token's
name, or a client address) and turns a refusal into 429.

The buckets live in each process. With N worker processes a client can make up to N×
the limit (each worker refills its own bucket): enough to bound abuse, not an exact
quota. Exact limits across workers and hosts need a shared counter (a proxy or a
database), which geocheck does not attempt: a store outage would then stop every read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class TokenBuckets:
    """Buckets per key, refilled continuously.

    Parameters
    ----------
    rate_per_s : float
        Tokens added per second (the sustained request rate allowed), > 0.
    burst : int
        Tokens a bucket holds (the most requests allowed at once), ≥ 1.
    max_keys : int
        Buckets kept; the least recently used beyond are dropped (their clients start
        again with a full bucket), so many addresses cannot exhaust memory.
    clock : callable
        Seconds, monotonic (tests pass their own).
    """

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("a rate limit needs rate_per_s > 0 and burst >= 1")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        #: key → (tokens, when last refilled)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """Take one token from ``key``'s bucket: 0.0 if there was one (allowed), else
        the seconds until there will be one (refused; nothing is taken)."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate_per_s)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate_per_s
            self._buckets[key] = (tokens, now)  # most recently used last
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait
