"""The collector's HTTP service (Starlette on uvicorn): POST /collect, GET /health.

Answers, in the order they are checked:
429 the client sent too much (per pseudonymous client key), 403 not the site's
origin, 413 body too large, 204 dropped on purpose (bots, Do-Not-Track, Global
Privacy Control: nothing stored), 400 not a valid event (with the reason),
503 the event could not be stored (disk full or failing), 202 stored on disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .clients import ClientKeys, RateLimiter, is_bot
from .schema import Invalid, parse
from .storage import Storage
from .writer import BatchWriter

logger = logging.getLogger(__name__)

COLLECT_PATH = "/collect"


@dataclass(frozen=True)
class CollectorConfig:
    db: Path
    # Site origins allowed to post (scheme://host[:port]); browsers always send Origin.
    origins: tuple[str, ...] = ("http://127.0.0.1:8000", "http://localhost:8000")
    max_body: int = 4096
    # Per client: a page view with a video sends about a dozen events at once.
    rate: float = 10.0
    burst: int = 60


def create_app(config: CollectorConfig) -> Starlette:
    writer = BatchWriter(Storage(config.db))
    limiter = RateLimiter(config.rate, config.burst)
    client_key = ClientKeys()
    origins = frozenset(origin.rstrip("/") for origin in config.origins)

    def cors(origin: str) -> dict[str, str]:
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
        }

    # The answers that carry no reason are the same every time: made once per origin.
    accepted = {origin: Response(status_code=202, headers=cors(origin)) for origin in origins}
    dropped = {origin: Response(status_code=204, headers=cors(origin)) for origin in origins}

    async def screen(request: Request, origin: str) -> dict | None:
        """The event's storage row, None to drop it quietly; Refused otherwise."""
        address = (request.scope.get("client") or ("",))[0]
        if not limiter.allow(client_key(address)):
            raise Refused(429, "too many events", {"Retry-After": str(limiter.retry_after())})
        if origin not in origins:
            raise Refused(403, "origin not allowed")
        body = await _read_body(request, config.max_body)
        if body is None:
            raise Refused(413, f"body larger than {config.max_body} bytes", cors(origin))
        if _dropped(request):
            return None
        try:
            return parse(body)
        except Invalid as error:
            raise Refused(400, str(error), cors(origin)) from None

    async def store(row: dict, origin: str) -> None:
        try:
            await writer.submit(row)
        except Exception:  # the writer logged it; the client may retry
            raise Refused(
                503, "could not store the event", {**cors(origin), "Retry-After": "5"}
            ) from None

    async def collect(request: Request) -> Response:
        origin = request.headers.get("origin", "")
        try:
            row = await screen(request, origin)
            if row is None:
                return dropped[origin]
            await store(row, origin)
        except Refused as refusal:
            return refusal.response()
        return accepted[origin]

    async def preflight(request: Request) -> Response:
        origin = request.headers.get("origin", "")
        if origin not in origins:
            return Refused(403, "origin not allowed").response()
        headers = {
            **cors(origin),
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "86400",
        }
        return Response(status_code=204, headers=headers)

    async def health(_request: Request) -> Response:
        return JSONResponse({"ok": True, "waiting": writer.waiting})

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        logger.info("analytics: storing events in %s", config.db)
        try:
            yield
        finally:
            writer.close()

    return Starlette(
        routes=[
            Route(COLLECT_PATH, collect, methods=["POST"]),
            Route(COLLECT_PATH, preflight, methods=["OPTIONS"]),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is larger than ``limit`` (not read to the end)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        return None if int(declared) > limit else await request.body()
    chunks, size = [], 0  # chunked: counted as it comes
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _dropped(request: Request) -> bool:
    """Bots, and readers whose browser asks not to be tracked."""
    headers = request.headers
    return (
        is_bot(headers.get("user-agent"))
        or headers.get("dnt") == "1"
        or headers.get("sec-gpc") == "1"
    )


class Refused(Exception):
    """A request the collector does not store: the status and the reason sent back."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers

    def response(self) -> Response:
        body = json.dumps({"error": self.reason}, ensure_ascii=True)
        return Response(
            body, status_code=self.status, headers=self.headers, media_type="application/json"
        )
