"""The collector's HTTP service: a plain ASGI application, served by uvicorn.

POST /collect takes one event; OPTIONS /collect answers CORS preflights; GET
/health answers 200 only when events are being stored and flushed as promised
(503 and the problem otherwise), with the figures of the limits. Before the
application, the HTTP protocol (guard.py) answers 431/400 for oversized or too
many headers and 408 for slow requests, and closes idle connections. Answers to
POST, in the order they are checked: 429 the client sent too much (per
pseudonymous client key), 403 not the site's origin, 413 body too large, 204
dropped on purpose (bots, Do-Not-Track, Global Privacy Control, a reader id
beyond the address's hourly allowance: nothing stored), 400 not a valid event
(with the reason), 503 the event could not be stored (disk full or failing, the
database gone), 202 committed to the database.

No web framework on top of uvicorn: with three fixed routes there is nothing for
one to do, and skipping its request and response objects measured about 40 %
less CPU per event, which is what decides the events a second on two cores.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clients import ClientKeys, NewReaders, RateLimiter, is_bot
from .guard import Guard, Limits
from .schema import Invalid, parse
from .storage import Storage, is_url
from .writer import BatchWriter

if TYPE_CHECKING:
    from .postgres import PostgresStorage

logger = logging.getLogger(__name__)

COLLECT_PATH = "/collect"
HEALTH_PATH = "/health"
# Enough of a User-Agent to tell a bot (the markers sit near the start); a longer one once
# cost seconds of matching and stayed in the cache: 302 MB for 300 of 1 MiB.
AGENT_PREFIX = 256

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class CollectorConfig:
    # A SQLite file, or a postgresql:// URL (several collectors sharing one database).
    db: Path | str
    # Site origins allowed to post (scheme://host[:port]); browsers always send Origin.
    origins: tuple[str, ...] = ("http://127.0.0.1:8000", "http://localhost:8000")
    max_body: int = 4096
    # Per client: a page view with a video sends about a dozen events at once.
    rate: float = 10.0
    burst: int = 60
    # "normal": a 202 survives the collector being killed, and the disk is flushed about
    # once a second; "full": every batch waits for the disk flush (see storage.py).
    sync: str = "normal"
    # New reader ids one client address may bring in an hour; events of further ones are
    # dropped (204) and counted. A reader's browser keeps its id, so real readers are few
    # per address; a script inventing ids inflated readers to 540 % of the headcount.
    new_readers_per_hour: int = 50
    limits: Limits = field(default_factory=Limits)


class Refused(Exception):
    """A request the collector does not store: the status and the reason sent back."""

    def __init__(self, status: int, reason: str, headers: Headers = ()) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = list(headers)


class Collector:
    """The ASGI application (``create_app`` makes one)."""

    def __init__(self, config: CollectorConfig) -> None:
        self.config = config
        self.writer = BatchWriter(open_storage(config))
        self.limiter = RateLimiter(config.rate, config.burst)
        self.new_readers = NewReaders(config.new_readers_per_hour)
        self.client_key = ClientKeys()
        self.guard = Guard(config.limits)  # used by the HTTP protocol (guard.protocol_for)
        self.origins = frozenset(origin.rstrip("/").encode() for origin in config.origins)
        self._retry_after = str(self.limiter.retry_after()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                logger.info("analytics: storing events in %s", self.writer.storage.path)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.writer.close()  # what is pending is written first
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])  # names arrive lower-cased
        route = (scope["path"], scope["method"])
        body = b""
        try:
            if route == (COLLECT_PATH, "POST"):
                status, extra = await self.collect(scope, headers, receive)
            elif route == (COLLECT_PATH, "OPTIONS"):
                status, extra = 204, self.preflight(headers)
            elif route == (HEALTH_PATH, "GET"):
                status, body = self.health()
                extra = [_JSON]
            elif scope["path"] in (COLLECT_PATH, HEALTH_PATH):
                raise Refused(405, "method not allowed")
            else:
                raise Refused(404, "not found")
        except Refused as refusal:
            status, extra = refusal.status, [*refusal.headers, _JSON]
            body = json.dumps({"error": refusal.reason}, ensure_ascii=True).encode()
        extra.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": extra})
        await send({"type": "http.response.body", "body": body})

    async def collect(self, scope: Scope, headers: dict, receive: Receive) -> tuple[int, Headers]:
        """Check, store, acknowledge one event: (status, headers), or Refused."""
        address = (scope.get("client") or ("",))[0]
        client = self.client_key(address)
        if not self.limiter.allow(client):
            raise Refused(429, "too many events", [(b"retry-after", self._retry_after)])
        origin = headers.get(b"origin", b"")
        if origin not in self.origins:
            raise Refused(403, "origin not allowed")
        cors = _cors(origin)
        body = await _read_body(headers, receive, self.config.max_body)
        if body is None:
            raise Refused(413, f"body larger than {self.config.max_body} bytes", cors)
        if _dropped(headers):
            return 204, cors
        try:
            row = parse(body)
        except Invalid as error:
            raise Refused(400, str(error), cors) from None
        if not self.new_readers.allow(client, row["reader"]):
            return 204, cors  # counted by new_readers, stored nowhere
        try:
            await self.writer.submit(row)
        except Invalid as error:  # the database refused this event's values
            raise Refused(400, str(error), cors) from None
        except Exception:  # the writer logged it; the client may retry
            raise Refused(
                503, "could not store the event", [*cors, (b"retry-after", b"5")]
            ) from None
        return 202, cors

    def health(self) -> tuple[int, bytes]:
        """200 only when an event sent now would be stored and flushed as promised; else 503.

        The figures let a monitor (and the tests) see what the limits did.
        """
        storage = self.writer.storage
        problem = storage.problem()
        checkpoints = storage.checkpoints
        figures = {
            "ok": problem is None,
            "problem": problem,
            "waiting": self.writer.waiting,
            "checkpoint_failures": checkpoints.failures if checkpoints else 0,
            "wal_truncations": checkpoints.truncations if checkpoints else 0,
            "dropped_new_readers": self.new_readers.dropped,
            "connections": self.guard.figures(),
        }
        return (200 if problem is None else 503), json.dumps(figures).encode()

    def preflight(self, headers: dict) -> Headers:
        origin = headers.get(b"origin", b"")
        if origin not in self.origins:
            raise Refused(403, "origin not allowed")
        return [
            *_cors(origin),
            (b"access-control-allow-methods", b"POST"),
            (b"access-control-allow-headers", b"Content-Type"),
            (b"access-control-max-age", b"86400"),
        ]


def open_storage(config: CollectorConfig) -> Storage | PostgresStorage:
    """The storage ``config.db`` names: a PostgreSQL database for a URL, else a SQLite file.

    Both answer the same calls (storage.py's docstring); PostgreSQL always flushes its
    log at COMMIT, so ``sync`` only concerns SQLite.
    """
    if is_url(config.db):
        from .postgres import PostgresStorage  # psycopg loads only for a server database

        return PostgresStorage(config.db)
    return Storage(config.db, sync=config.sync, background_checkpoints=True)


def create_app(config: CollectorConfig) -> Collector:
    return Collector(config)


_JSON = (b"content-type", b"application/json")


def _cors(origin: bytes) -> Headers:
    return [
        (b"access-control-allow-origin", origin),
        (b"access-control-allow-credentials", b"true"),
        (b"vary", b"Origin"),
    ]


async def _read_body(headers: dict, receive: Receive, limit: int) -> bytes | None:
    """The body, or None as soon as it is larger than ``limit`` (not read to the end)."""
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""  # the client left; an empty body is refused as not JSON
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _dropped(headers: dict) -> bool:
    """Bots, and readers whose browser asks not to be tracked."""
    agent = headers.get(b"user-agent")
    return (
        is_bot(agent[:AGENT_PREFIX].decode("latin-1") if agent else None)
        or headers.get(b"dnt") == b"1"
        or headers.get(b"sec-gpc") == b"1"
    )
