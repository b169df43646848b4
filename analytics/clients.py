"""Who is sending: a pseudonymous client key, a per-client rate limit, obvious bots.

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
