"""Who is sending: a pseudonymous client key, per-client limits, obvious bots.

The client's IP address is only ever used here, hashed with a key that lives in
memory for one run of the collector, to tell one flooding client from the others.
It is never stored, logged or sent back.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import time

# Crawlers, link checkers, monitors and scripted or headless browsers.
_BOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|headless|phantomjs|puppeteer|playwright|selenium|"
    r"lighthouse|pingdom|uptime|monitor|preview|facebookexternalhit|"
    r"^curl/|^wget/|python-|^python|^java/|go-http-client|okhttp|axios|node-fetch|libwww",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)  # readers' browsers send a few hundred distinct strings
def is_bot(user_agent: str | None) -> bool:
    """True for requests that are obviously not a person reading (no user agent at all too)."""
    return not user_agent or bool(_BOT.search(user_agent))


class ClientKeys:
    """Pseudonymous client keys: a keyed hash, with a key that is never written down."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, address: str) -> bytes:
        return hashlib.blake2b(address.encode(), key=self._key, digest_size=12).digest()


class RateLimiter:
    """A token bucket per client: ``burst`` events at once, then ``rate`` a second."""

    def __init__(self, rate: float, burst: int, *, forget_after: float = 300.0) -> None:
        self.rate = float(rate)
        self.burst = float(burst)
        self.forget_after = forget_after
        self._buckets: dict[bytes, list[float]] = {}
        self._next_sweep = time.monotonic() + forget_after

    def allow(self, client: bytes) -> bool:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._sweep(now)
        bucket = self._buckets.get(client)
        if bucket is None:
            self._buckets[client] = [self.burst - 1.0, now]
            return True
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens < 1.0:
            bucket[0] = tokens
            return False
        bucket[0] = tokens - 1.0
        return True

    def retry_after(self) -> int:
        """Seconds until a drained bucket holds one token again (at least 1)."""
        return max(1, round(1.0 / self.rate)) if self.rate > 0 else 60

    def _sweep(self, now: float) -> None:
        """Forget idle clients, so memory stays bounded however many there were."""
        idle = now - self.forget_after
        self._buckets = {key: b for key, b in self._buckets.items() if b[1] >= idle}
        self._next_sweep = now + self.forget_after

    def __len__(self) -> int:
        return len(self._buckets)


class NewReaders:
    """At most ``limit`` distinct reader ids per client in each hour; ``dropped`` counts the rest.

    The rate limit bounds events, not readers: one address sending 9 events a second,
    each with a new reader id, made the report count 540 readers out of a headcount
    of 100. Ids are remembered per hour (a fixed window, forgotten as a whole when it
    ends, so memory stays at most ``limit`` ids per address seen that hour), keyed by
    the client key, never by the address.
    """

    def __init__(self, limit: int, window: float = 3600.0) -> None:
        self.limit = limit
        self.window = window
        self.dropped = 0
        self._seen: dict[bytes, set[str]] = {}
        self._ends = time.monotonic() + window

    def allow(self, client: bytes, reader: str) -> bool:
        now = time.monotonic()
        if now >= self._ends:
            self._seen = {}
            self._ends = now + self.window
        readers = self._seen.get(client)
        if readers is None:
            readers = self._seen[client] = set()
        if reader in readers:
            return True
        if len(readers) >= self.limit:
            self.dropped += 1
            return False
        readers.add(reader)
        return True
