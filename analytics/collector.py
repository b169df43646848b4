"""Run the collector: ``invoke collector`` or ``python -m analytics.collector``.

    python -m analytics.collector --host 0.0.0.0 --port 8001 --db var/events.sqlite3 \
        --origin https://mag.intra.example.co.jp

One process on uvicorn's fastest parts (uvloop, httptools): one process, because
SQLite takes one writer, and one is enough for thousands of events a second. With
``--db postgresql://user@host:port/dbname`` several collector processes, on one or
more hosts, behind a load balancer, store into one database (analytics/postgres.py).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import re
import resource
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import uvicorn

from .app import COLLECT_PATH, CollectorConfig, create_app
from .guard import Limits, protocol_for
from .storage import SYNC_MODES, is_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "var/events.sqlite3"
DEFAULT_ORIGIN = "http://127.0.0.1:8000,http://localhost:8000"


def serve(
    config: CollectorConfig,
    host: str = "127.0.0.1",
    port: int = 8001,
    *,
    trusted_proxies: str = "",
) -> None:
    """Serve until interrupted; prints the address once listening (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening before uvicorn starts: a client that connects as soon as the address
    # is printed waits in the backlog instead of being refused.
    sock.listen(4096)
    bound = sock.getsockname()[1]
    _allow_open_files()
    try:
        app = create_app(config)
    except (sqlite3.Error, OSError) as error:
        # A read-only, corrupt or unreachable database: one clear line, no traceback.
        raise SystemExit(_cannot_store(config.db, error)) from None
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            loop="uvloop",
            # uvicorn's httptools protocol, with the connection limits of guard.py on top.
            http=protocol_for(app.guard),
            timeout_keep_alive=config.limits.idle_timeout,
            ws="none",
            lifespan="on",
            # No access log: it would write readers' IP addresses.
            access_log=False,
            log_level="warning",
            # Behind a reverse proxy the client address comes from X-Forwarded-For,
            # but only when the proxy is named (otherwise anyone could forge it).
            proxy_headers=bool(trusted_proxies),
            forwarded_allow_ips=trusted_proxies or None,
            server_header=False,
        )
    )
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    url = f"http://{shown}:{bound}{COLLECT_PATH}"
    print(f"analytics: collecting at {url} into {app.writer.storage.path}", flush=True)
    # Everything built so far (modules, the app) lives as long as the process: moved
    # out of the garbage collector's sight, its full collections no longer scan it,
    # which measured as the longest pauses under load.
    gc.collect()
    gc.freeze()
    server.run(sockets=[sock])


def _cannot_store(db: str | Path, error: Exception) -> str:
    if is_url(db):
        from .postgres import shown

        return (
            f"analytics: cannot store events in {shown(str(db))} ({error}); check that the "
            "server is up, the database exists and the role may create tables in it"
        )
    return (
        f"analytics: cannot store events in {db} ({error}); check the file, "
        "its folder and their permissions"
    )


def _allow_open_files() -> None:
    """Raise the soft open-file limit to the hard one: each connection is an open file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        # An unlimited hard limit cannot be the soft one (the kernel caps it): keep the soft one.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def spawn(
    db: str | Path,
    origins: Iterable[str],
    args: Sequence[str] = (),
    host: str = "127.0.0.1",
) -> tuple[subprocess.Popen, str]:
    """Start a collector process on a free port; returns it and its /collect URL.

    For the tests and the benchmark, which need a real process they can kill.
    """
    command = [sys.executable, "-m", "analytics.collector", "--host", host, "--port", "0"]
    command += ["--db", str(db), "--origin", ",".join(origins), *args]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()  # the address, once it listens
    match = re.search(r"http://\S+", line)
    if not match:
        process.kill()
        process.wait()
        raise RuntimeError(f"analytics: the collector did not start ({line.strip()!r})")
    return process, match.group(0)


def parse_origins(text: str) -> tuple[str, ...]:
    return tuple(origin.strip().rstrip("/") for origin in text.split(",") if origin.strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analytics.collector", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8001, help="port (0: any free port)")
    parser.add_argument(
        "--db",
        default=DEFAULT_DB,
        help="SQLite file (created if missing), or postgresql://user@host:port/dbname",
    )
    parser.add_argument(
        "--origin", default=DEFAULT_ORIGIN, help="the site's origin(s), comma-separated"
    )
    parser.add_argument(
        "--rate", type=float, default=CollectorConfig.rate, help="events a second per client"
    )
    parser.add_argument(
        "--burst", type=int, default=CollectorConfig.burst, help="events at once per client"
    )
    parser.add_argument(
        "--sync",
        choices=SYNC_MODES,
        default=CollectorConfig.sync,
        help="normal: an acknowledged event survives the collector being killed, and the disk "
        "is flushed every second; full: every batch waits for the disk flush",
    )
    parser.add_argument(
        "--new-readers-per-hour",
        type=int,
        default=CollectorConfig.new_readers_per_hour,
        help="distinct reader ids one client address may bring in an hour (more are dropped)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=Limits.idle_timeout,
        help="seconds a connection may stay open without a request in progress",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=Limits.request_timeout,
        help="seconds from a request's first byte to its last (slower: 408)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=Limits.max_connections,
        help="open connections at most (also kept below the open-file limit)",
    )
    parser.add_argument(
        "--trusted-proxies",
        default="",
        help="reverse proxy address(es) whose X-Forwarded-For header names the client",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    config = CollectorConfig(
        db=args.db if is_url(args.db) else Path(args.db),
        origins=parse_origins(args.origin),
        rate=args.rate,
        burst=args.burst,
        sync=args.sync,
        new_readers_per_hour=args.new_readers_per_hour,
        limits=Limits(
            idle_timeout=args.idle_timeout,
            request_timeout=args.request_timeout,
            max_connections=args.max_connections,
        ),
    )
    serve(config, args.host, args.port, trusted_proxies=args.trusted_proxies)


if __name__ == "__main__":
    main()
