"""Connection limits: bounded work per request before the application sees it.

uvicorn with httptools parses whatever a client sends, for as long as it likes:
a connection that never sends a byte stayed open for good (1,100 of them under a
1,024 open-file limit left 0 of 100 valid events answered), and a 16 MiB
User-Agent was read, kept and matched in full (4.5 s of CPU while every other
client waited). ``GuardedProtocol`` is uvicorn's HTTP protocol with limits on
top, all checked in the event loop before any request reaches the collector:

- a request's head (request line and headers) is capped in bytes, each header
  line too (431), and in number of headers (400), counted while it arrives, so
  an oversized head is refused after reading at most one socket read past the cap;
- a connection with no request in progress is closed after ``idle_timeout``
  (uvicorn's own keep-alive timeout covers the time between requests, this the
  time before the first), and a request that takes longer than
  ``request_timeout`` from its first byte to its last is answered 408;
- at most ``max_connections`` are open, and never more than the open-file limit
  leaves room for: at the cap, the connection idle the longest is closed to make
  room, and when none is idle the new one is refused at once. Both are counted
  (``Guard.counts``, shown by /health) and logged, at most every 10 s.

Subclassing keeps uvicorn's parser and its request cycle (the fast path measured
in app.py). A first version with a timer and a header check per request cost 25 %
more CPU per event (85 against 68 microseconds); with deadlines kept as numbers and
swept twice a second, and headers measured only in the rare large head, the cost
measured the same as without limits (75-77 against 74-76 microseconds).
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import time
from collections import Counter
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

logger = logging.getLogger(__name__)

# File descriptors the process needs besides connections: listening socket, SQLite files
# (two connections), the event loop, standard streams, with room to spare.
RESERVED_FILES = 32
LOG_EVERY = 10.0  # seconds between log lines about refused connections
SWEEP_EVERY = 0.5  # seconds between looks at the connections' deadlines
INFINITY = float("inf")


@dataclass(frozen=True)
class Limits:
    max_head_bytes: int = 32 * 1024  # request line and headers, as nginx's 4 x 8k buffers
    max_header_line: int = 8 * 1024  # one header, name and value
    max_headers: int = 100
    idle_timeout: float = 5.0  # seconds a connection may wait before or between requests
    request_timeout: float = 10.0  # seconds from a request's first byte to its last
    max_connections: int = 4096  # lowered to what the open-file limit allows


class Guard:
    """What every connection shares: the open and idle ones, and the counts."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: set[GuardedProtocol] = set()
        self.idle: dict[GuardedProtocol, None] = {}  # oldest first, as dicts keep order
        self.counts: Counter[str] = Counter()
        self._logged: Counter[str] = Counter()
        self._next_log = 0.0
        self._sweeping: asyncio.TimerHandle | None = None

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Look at the deadlines every SWEEP_EVERY seconds, from the first connection on."""
        if self._sweeping is None:
            self._sweeping = loop.call_later(SWEEP_EVERY, self._sweep, loop)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for connection in [c for c in self.open if c.deadline <= now]:
            connection.expire()
        self._sweeping = loop.call_later(SWEEP_EVERY, self._sweep, loop)

    def capacity(self) -> int:
        """Connections allowed now: read each time, as an operator can change the limit."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self.limits.max_connections
        return max(1, min(self.limits.max_connections, soft - RESERVED_FILES))

    def admit(self, connection: GuardedProtocol) -> bool:
        if len(self.open) >= self.capacity():
            if not self.idle:
                self.note("refused")
                return False
            oldest = next(iter(self.idle))
            self.forget(oldest)
            oldest.transport.abort()
            self.note("evicted")
        self.open.add(connection)
        return True

    def forget(self, connection: GuardedProtocol) -> None:
        self.open.discard(connection)
        self.idle.pop(connection, None)

    def note(self, what: str, *, log: bool = True) -> None:
        """Count what a limit did; log the counts since the last line, at most every 10 s."""
        self.counts[what] += 1
        now = time.monotonic()
        if log and now >= self._next_log:
            news = self.counts - self._logged
            logger.warning(
                "analytics: connection limits (%d open of %d allowed): %s",
                len(self.open),
                self.capacity(),
                ", ".join(f"{name} {count}" for name, count in sorted(news.items())),
            )
            self._logged = self.counts.copy()
            self._next_log = now + LOG_EVERY

    def figures(self) -> dict[str, int]:
        return {"open": len(self.open), "allowed": self.capacity(), **self.counts}


def _refusal(status: int, reason: str) -> bytes:
    body = json.dumps({"error": reason}).encode()
    head = b"content-type: application/json\r\nconnection: close\r\ncontent-length: %d\r\n\r\n"
    return STATUS_LINE[status] + head % len(body) + body


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of ``guard`` (see ``protocol_for``).

    The per-request work is a byte count and a deadline stored as a number: no timer
    per request (the guard sweeps deadlines twice a second), no Python call per header
    (a head that arrived in less than one header line's worth of bytes cannot break a
    size limit, so only larger ones are measured header by header).
    """

    guard: Guard

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self._refused = not self.guard.admit(self)
        self._head = 0  # bytes received since the request began; None while its body arrives
        self._late = ""  # what a passed deadline means: "idle", "slow" or nothing
        self.deadline = INFINITY
        if self._refused:
            transport.abort()  # before uvicorn knows it: its file is free again at once
            return
        super().connection_made(transport)
        self.guard.idle[self] = None
        self._expect("idle", self.guard.limits.idle_timeout)
        self.guard.watch(self.loop)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.forget(self)
        if not self._refused or self.transport is not None:
            super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._head is not None:
            self._head += len(data)
        super().data_received(data)
        if self._head is not None and self._head > self.guard.limits.max_head_bytes:
            self._refuse(431, "request headers too large", "too_large")

    def on_message_begin(self) -> None:
        if self._refused:
            return
        self.guard.idle.pop(self, None)
        self._expect("slow", self.guard.limits.request_timeout)
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        problem = self._head_problem()
        if problem:
            self._refuse(*problem)
            return
        self._head = None
        super().on_headers_complete()

    def _head_problem(self) -> tuple[int, str, str] | None:
        limits = self.guard.limits
        if len(self.headers) > limits.max_headers:
            return 400, "too many request headers", "too_many_headers"
        if self._head <= limits.max_header_line:
            return None  # the usual case: the whole head is smaller than one line may be
        lines = [len(name) + len(value) for name, value in self.headers]
        total = len(self.url) + sum(lines) + 4 * len(lines)  # ": " and CRLF
        if max(lines, default=0) > limits.max_header_line or total > limits.max_head_bytes:
            return 431, "request headers too large", "too_large"
        return None

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        self._expect("", INFINITY)  # the rest is the collector's to answer
        self._head = 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self.guard.idle[self] = None  # uvicorn's keep-alive timer closes it in time

    def _expect(self, late: str, seconds: float) -> None:
        self._late = late
        self.deadline = self.loop.time() + seconds

    def expire(self) -> None:
        """Called by the guard once ``deadline`` has passed."""
        late, self._late, self.deadline = self._late, "", INFINITY
        if late == "idle":
            # Counted only: browsers open connections ahead of need, and leave some unused.
            self.guard.note("idle_closed", log=False)
            self.transport.close()
        elif late == "slow" and self._head is None and self.cycle.response_started:
            # Answered already (413 for a declared size) while the body still trickles in.
            self.guard.note("slow_closed")
            self.transport.close()
        elif late == "slow":
            self._refuse(408, "request not received in time", "slow_closed")

    def _refuse(self, status: int, reason: str, what: str) -> None:
        """Answer without the application, and close: nothing more is read."""
        if self._refused:
            return
        self._refused = True
        self.deadline = INFINITY
        self.guard.note(what)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the application's answer goes nowhere
        self.transport.write(_refusal(status, reason))
        self.transport.close()


def protocol_for(guard: Guard) -> type[GuardedProtocol]:
    """A protocol class bound to ``guard``, for ``uvicorn.Config(http=...)``."""
    return type("GuardedProtocol", (GuardedProtocol,), {"guard": guard})
