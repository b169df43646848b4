"""A bounded load generator for the collector, run as its own process.

    python -m benchmarks.loadgen --url http://127.0.0.1:8001/collect \
        --origin http://127.0.0.1:8000 --clients 200 --rate 3000 --seconds 5

Each simulated reader is one keep-alive connection from its own loopback address
(127.0.1.x, 127.0.2.x, ...), so the collector's per-client limit sees many readers,
as it would on the intranet. With ``--rate`` the load is open-loop: every event
has a scheduled send time and its latency is measured from that time, so a
stalled server cannot hide its stalls by slowing the generator down. With
``--rate 0`` every reader sends as fast as it gets answers. Every request is
encoded before the clock starts, so the generator's own work during the run is
writing, reading and timing: it shares the machine with the collector. Both stop after
``--seconds`` or ``--total`` events, whichever comes first; a reader stops at its
first connection error, unless ``--retry`` has it reconnect and send the event again
until it is acknowledged (or the run's time is up). Prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"
)
REQUEST_TIMEOUT = 5.0
RETRY_PAUSE = 0.01  # seconds before sending an event again (``--retry``)


def client_address(index: int) -> str:
    """A loopback source address per reader: 127.0.1.0, 127.0.1.1, ... (all of 127/8 is local)."""
    return f"127.0.{1 + index // 256}.{index % 256}"


def event_body(client: int, seq: int) -> bytes:
    """A valid event, unique by its view id; the kinds rotate like a real page's."""
    view = f"{client:06x}{seq:010x}"
    common = {
        "v": 1,
        "site": "bench",
        "reader": f"r{client:09x}",
        "view": view,
        "path": "/2026/bench-article/",
        "article": "bench-article",
        "format": "article",
    }
    kind = seq % 3
    if kind == 0:
        event = {**common, "type": "pageview", "referrer": "", "utm_source": "newsletter"}
    elif kind == 1:
        event = {**common, "type": "engagement", "engaged_ms": 1000 + seq, "scroll": seq % 101}
    else:
        extra = {"format": "video", "quartile": 25 * (seq % 5), "muted": True, "captions": True}
        event = {**common, "type": "video", **extra}
    return json.dumps(event, separators=(",", ":")).encode()


class Results:
    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.latencies: list[float] = []  # from the scheduled send time
        self.service: list[float] = []  # from the moment the request was written
        self.acked: list[bytes] = []  # view ids
        self.errors = 0
        self.retries = 0  # events sent again after an answer other than 2xx (``--retry``)


async def _exchange(reader, writer, request: bytes) -> str:
    writer.write(request)
    await writer.drain()
    response = await reader.readuntil(b"\r\n\r\n")
    marker = response.lower().find(b"\r\ncontent-length:")
    if marker >= 0:
        end = response.index(b"\r\n", marker + 2)
        length = int(response[marker + 17 : end])
        if length:
            await reader.readexactly(length)
    return response[9:12].decode()


def requests_for(index: int, options, url) -> Iterable[tuple[bytes, bytes]]:
    """This reader's requests, ready to write, each with the view id it carries.

    Encoded in advance when the run is bounded (a rate or a total); a closed-loop
    run encodes as it goes, since how many it will send depends on the collector.
    """
    prefix = (
        f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nOrigin: {options.origin}\r\n"
        f"User-Agent: {USER_AGENT}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
    ).encode()

    def encode(seq: int) -> tuple[bytes, bytes]:
        body = event_body(index, seq)
        view = f"{index:06x}{seq:010x}".encode()
        return prefix + b"Content-Length: %d\r\n\r\n" % len(body) + body, view

    if options.total:
        count = max(1, options.total // options.clients)
    elif options.rate:
        count = int(options.seconds * options.rate / options.clients) + 1
    else:
        return map(encode, itertools.count())
    return [encode(seq) for seq in range(count)]


_FAILED = (OSError, asyncio.IncompleteReadError, TimeoutError, ConnectionError, ValueError)


class Reader:
    """One simulated reader: its keep-alive connection from its own loopback address."""

    def __init__(self, index: int, options, end: float, results: Results) -> None:
        self.index = index
        self.options = options
        self.url = urlsplit(options.url)
        self.end = end  # the end of the run
        self.results = results
        self.connection = None

    async def connect(self) -> bool:
        try:
            self.connection = await asyncio.open_connection(
                self.url.hostname, self.url.port, local_addr=(client_address(self.index), 0)
            )
        except OSError:
            self.results.errors += 1
            return False
        return True

    async def send(self, request: bytes, view: bytes, scheduled: float) -> bool:
        """Send one event (with ``--retry``, again until a 2xx or the end of the run).

        False once the reader must stop: a failed connection without ``--retry``.
        """
        while True:
            status = await self._attempt(request, scheduled)
            if status is not None and status == "202":
                self.results.acked.append(view)
            if not self.options.retry:
                return status is not None
            if (status or "").startswith("2") or time.perf_counter() >= self.end:
                return True
            self.results.retries += 1
            await asyncio.sleep(RETRY_PAUSE)

    async def _attempt(self, request: bytes, scheduled: float) -> str | None:
        """The status of one exchange, or None when the connection failed (and was closed)."""
        if self.connection is None and not await self.connect():
            return None
        sent = time.perf_counter()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):  # no extra task per request
                status = await _exchange(*self.connection, request)
        except _FAILED:
            self.results.errors += 1
            self.close()
            return None
        done = time.perf_counter()
        self.results.latencies.append(done - scheduled)
        self.results.service.append(done - sent)
        self.results.statuses[status] += 1
        return status

    def close(self) -> None:
        if self.connection is not None:
            self.connection[1].close()
            self.connection = None


async def run_client(
    index: int, requests: Iterable[tuple[bytes, bytes]], options, start: float, results: Results
) -> None:
    deadline = start + options.seconds
    reader = Reader(index, options, deadline, results)
    if not await reader.connect() and not options.retry:
        return
    try:
        for seq, (request, view) in enumerate(requests):
            if options.rate:
                scheduled = start + (index + seq * options.clients) / options.rate
                if scheduled >= deadline:
                    break
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            else:
                scheduled = time.perf_counter()
                if scheduled >= deadline:
                    break
            if not await reader.send(request, view, scheduled):
                return
    finally:
        reader.close()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(options) -> dict:
    results = Results()
    url = urlsplit(options.url)
    plans = [requests_for(index, options, url) for index in range(options.clients)]
    start = time.perf_counter() + 0.2  # every connection is open before the first send
    print("loadgen: started", file=sys.stderr, flush=True)
    await asyncio.gather(
        *(run_client(i, plan, options, start, results) for i, plan in enumerate(plans))
    )
    elapsed = max(1e-9, time.perf_counter() - start)
    answered = sum(results.statuses.values())
    if options.acked_file:
        Path(options.acked_file).write_bytes(b"\n".join(results.acked))
    return {
        "answered": answered,
        "statuses": dict(results.statuses),
        "errors": results.errors,
        "retries": results.retries,
        "acked": len(results.acked),
        "seconds": round(elapsed, 3),
        "events_per_second": round(answered / elapsed, 1),
        "p50_ms": round(percentile(results.latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(results.latencies, 0.99) * 1000, 2),
        "max_ms": round(max(results.latencies, default=float("nan")) * 1000, 2),
        "service_p50_ms": round(percentile(results.service, 0.50) * 1000, 2),
        "service_p99_ms": round(percentile(results.service, 0.99) * 1000, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadgen")
    parser.add_argument("--url", required=True)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rate", type=float, default=0.0, help="events/s in all; 0: closed loop")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--total", type=int, default=0, help="stop after this many events")
    parser.add_argument("--acked-file", default="", help="write the acknowledged view ids here")
    parser.add_argument(
        "--retry",
        action="store_true",
        help="send an event again after a connection error or an answer other than 2xx "
        "(the beacon does not; a load balancer test does)",
    )
    options = parser.parse_args(argv)
    gc.disable()  # a bounded run: no collector pauses in the measurements
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(options))), flush=True)


if __name__ == "__main__":
    main()
