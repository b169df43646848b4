"""Event storage in PostgreSQL, for several collectors behind a load balancer.

The collector's ``--db postgresql://user@host:port/dbname`` chooses it; a SQLite path
stays the embedded default (storage.py). Same table (``storage.COLUMNS`` after an
``id bigserial``), same interface as ``storage.Storage`` (``insert_many``,
``problem``, ``close``), same promise: ``insert_many`` returns only once COMMIT has
returned, with ``synchronous_commit`` forced on for the session, so a 202 means the
event is in the server's flushed log whatever the server's default is.

One connection a collector, behind a lock: the batch writer commits on a thread of
its own (a commit waits milliseconds for the server's disk, while the event loop goes
on reading requests into the next batch), and /health checks the connection from the
loop. A batch is one COPY in one transaction: one round trip for the rows and one for
the COMMIT, whatever the batch's size. For batches of 50 events on loopback, COPY took
0.55 ms a batch and ``executemany`` of INSERTs (pipelined by psycopg) 1.6-1.9 ms.

When the server goes away (restart, failover, network), the broken connection is
dropped and every batch is answered ``Unavailable`` (503, the beacon's next event
comes later) until a new connection succeeds; attempts are spaced RETRY_EVERY apart,
so a database that is down costs the event loop one failed connect per interval,
not one per request. Short connect and TCP timeouts keep a silent network from
holding the loop (and every request behind it) for minutes.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from .storage import (
    ADDED_COLUMNS,
    COLUMNS,
    INTEGER_COLUMNS,
    STORAGE_VERSION,
    Unavailable,
    arrow_schema,
    check_columns,
)

logger = logging.getLogger(__name__)

RETRY_EVERY = 0.5  # seconds between attempts to reconnect to a server that is down
CONNECT = {
    "connect_timeout": 2,
    # A server that vanished without closing (a host down, a cable pulled) is noticed
    # within seconds instead of the kernel's two hours of keepalive.
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
    "tcp_user_timeout": 5000,
    "application_name": "mag-collector",
}
# Two collectors starting at once must not both create the table: one waits for the other.
_MIGRATION_LOCK = 0x6D6167  # "mag"

_TYPES = {name: ("bigint" if name in INTEGER_COLUMNS else "text") for name in COLUMNS}
_CREATE = (
    "CREATE TABLE IF NOT EXISTS events (id bigserial PRIMARY KEY, "
    + ", ".join(f"{name} {kind}" for name, kind in _TYPES.items())
    + ")"
)
_READ_ONLY = "SELECT current_setting('transaction_read_only')"
_COPY_IN = f"COPY events ({', '.join(COLUMNS)}) FROM STDIN"


def shown(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def connect(url: str) -> psycopg.Connection:
    # Autocommit: every transaction is opened explicitly (``connection.transaction()``).
    connection = psycopg.connect(url, autocommit=True, **CONNECT)
    # The promise of a 202 does not depend on how the server was configured.
    connection.execute("SET synchronous_commit = on")
    return connection


def migrate(connection: psycopg.Connection) -> None:
    """Create the table, or bring an older one up to STORAGE_VERSION (as storage.migrate)."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        connection.execute("CREATE TABLE IF NOT EXISTS storage_version (version integer)")
        row = connection.execute("SELECT max(version) FROM storage_version").fetchone()
        version = row[0] or 0
        if version > STORAGE_VERSION:
            raise RuntimeError(
                f"analytics: the database is version {version}, newer than this collector "
                f"({STORAGE_VERSION}); update the collector"
            )
        connection.execute(_CREATE)
        for column in ADDED_COLUMNS:
            connection.execute(
                f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {column} {_TYPES[column]}"
            )
        connection.execute("DELETE FROM storage_version")
        connection.execute("INSERT INTO storage_version VALUES (%s)", (STORAGE_VERSION,))


class PostgresStorage:
    """The collector's storage in PostgreSQL (see the module's docstring)."""

    # Errors that mean the event's values were refused, not the storage (answered 400).
    DATA_ERRORS = (psycopg.DataError,)
    checkpoints = None  # the server flushes its own log
    # A commit waits for the server's disk: the batch writer gives it a thread of its own.
    slow_commits = True

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = shown(url)  # what messages name
        try:
            self._connection: psycopg.Connection | None = connect(url)
            migrate(self._connection)
        except psycopg.Error as error:  # the collector's start says it in one line
            raise Unavailable(_first_line(error)) from None
        self._next_attempt = 0.0
        self._down: str | None = None
        self._lock = threading.Lock()

    def insert_many(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Store ``rows`` in one transaction; returns once committed (or raises, storing none)."""
        with self._lock:
            self._insert(rows)

    def _insert(self, rows: Iterable[Mapping[str, Any]]) -> None:
        connection = self._connected()
        now = int(time.time() * 1000)
        try:
            with connection.transaction(), connection.cursor().copy(_COPY_IN) as copy:
                for row in rows:
                    copy.write_row(_values(row, now))
        except psycopg.Error as error:
            if connection.closed or connection.broken:
                self._lost(error)
                raise Unavailable(
                    f"analytics: the database connection was lost ({_first_line(error)})"
                ) from None
            if isinstance(error, self.DATA_ERRORS):
                raise  # a value of this batch: the writer tries its events one by one
            # Read-only, no privilege, the table gone, the disk full: every event would fail
            # alike, so every event is answered 503 at once (and logged once in a while).
            raise Unavailable(
                f"analytics: the database refused the batch ({_first_line(error)})"
            ) from None

    def _connected(self) -> psycopg.Connection:
        """The open connection, a new one, or Unavailable (at most one attempt per interval)."""
        if self._connection is not None and not self._connection.broken:
            return self._connection
        now = time.monotonic()
        if now < self._next_attempt:
            raise Unavailable(f"analytics: the database is unreachable ({self._down})")
        self._next_attempt = now + RETRY_EVERY
        try:
            self._connection = connect(self.url)
        except psycopg.Error as error:
            self._lost(error)
            raise Unavailable(f"analytics: the database is unreachable ({self._down})") from None
        logger.warning("analytics: connected to the database again: %s", self.path)
        self._down = None
        return self._connection

    def _lost(self, error: Exception) -> None:
        if self._down is None:
            logger.error("analytics: lost the database %s: %s", self.path, error)
        self._down = _first_line(error)
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def problem(self) -> str | None:
        """What /health reports: None when the server answers now and would take an insert."""
        with self._lock:
            return self._problem()

    def _problem(self) -> str | None:
        try:
            # A standby, or a database set read-only, answers but refuses every insert.
            (read_only,) = self._connected().execute(_READ_ONLY).fetchone()
            if read_only == "on":
                return "the database is read-only (a standby, or default_transaction_read_only)"
        except Unavailable:
            return f"the database is unreachable: {self._down}"
        except psycopg.Error as error:
            self._lost(error)
            return f"the database is unreachable: {self._down}"
        return None

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _values(row: Mapping[str, Any], now: int) -> tuple[Any, ...]:
    """The row in COLUMNS order, stamped with the collector's clock."""
    check_columns(tuple(row))
    return (now, *(row.get(name) for name in COLUMNS[1:]))


def read_events(url: str, **where: Any) -> list[dict[str, Any]]:
    """Stored events as dicts, oldest first; ``where`` filters by column equality (tests)."""
    unknown = set(where) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown column(s): {', '.join(sorted(unknown))}")
    clause = " AND ".join(f"{name} = %s" for name in where) or "true"
    with psycopg.connect(url, **CONNECT) as connection:
        cursor = connection.cursor(row_factory=psycopg.rows.dict_row)
        query = f"SELECT id, {', '.join(COLUMNS)} FROM events WHERE {clause} ORDER BY id"  # noqa: S608 - names checked above
        return cursor.execute(query, tuple(where.values())).fetchall()


def count_events(url: str) -> int:
    """Rows committed so far (0 before the table exists)."""
    with psycopg.connect(url, **CONNECT) as connection:
        try:
            return connection.execute("SELECT count(*) FROM events").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


# ---------------------------------------------------------------------------------------
# Reading for the report: Arrow batches streamed out of the server.

BATCH_BYTES = 8 << 20  # CSV read per Arrow batch: about 65,000 events


def event_batches(
    url: str, since_ms: int | None = None, until_ms: int | None = None
) -> Iterator[Any]:
    """Events received in [since_ms, until_ms) as pyarrow RecordBatches of ``COLUMNS``.

    The server streams the rows as CSV (``COPY ... TO STDOUT``) into Arrow's CSV
    reader, which parses them in C++ a block at a time: memory stays at a few batches
    whatever the table's size (peak 210 MB for 1 M events and for 3 M), and no row
    becomes a Python object. Measured on the 2-core machine, 1 M events: 4.2-5 s; a
    server-side cursor making Arrow columns out of row tuples took 5.2 s. In
    PostgreSQL's CSV an unquoted empty field is NULL and a quoted one an empty string;
    the reader is told exactly that.
    """
    from pyarrow import csv

    bounds = (since_ms if since_ms is not None else -(2**62), until_ms or 2**62)
    query = (
        f"COPY (SELECT {', '.join(COLUMNS)} FROM events "  # noqa: S608 - fixed names
        f"WHERE received_at >= {int(bounds[0])} AND received_at < {int(bounds[1])}) "
        "TO STDOUT (FORMAT csv)"
    )
    schema = arrow_schema()
    with psycopg.connect(url, **CONNECT) as connection, connection.cursor().copy(query) as copy:
        reader = csv.open_csv(
            _CopyStream(copy),
            read_options=csv.ReadOptions(column_names=list(COLUMNS), block_size=BATCH_BYTES),
            parse_options=csv.ParseOptions(newlines_in_values=True),
            convert_options=csv.ConvertOptions(
                column_types=schema,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                null_values=[""],
            ),
        )
        yield from reader


class _CopyStream(io.RawIOBase):
    """A readable file over a COPY's chunks, for Arrow's reader."""

    def __init__(self, copy: psycopg.Copy) -> None:
        self._copy = copy
        self._rest = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` (Arrow makes one batch of each read: short reads made tiny batches)."""
        view, filled = memoryview(buffer).cast("B"), 0
        while filled < len(view):
            if not self._rest:
                self._rest = memoryview(bytes(self._copy.read()))
                if not self._rest:
                    break  # the end of the COPY
            size = min(len(view) - filled, len(self._rest))
            view[filled : filled + size] = self._rest[:size]
            self._rest = self._rest[size:]
            filled += size
        return filled
