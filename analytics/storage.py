"""Event storage: SQLite in WAL mode, as the collector writes it.

A server database replaces SQLite by providing the same small interface:
``Storage(path)``, ``insert_many(rows)`` (commits before returning, raises
``Unavailable`` when nothing can be stored), ``problem()`` (for /health), ``close()``,
``path`` (what messages name), ``checkpoints`` (None when the server flushes its own log),
``DATA_ERRORS`` (errors that blame an event's values), ``slow_commits`` (commit on a thread
of its own), ``read_events(path)`` for the tests and ``import_events(path, rows)`` for bulk loads
(the report reads the file itself: analytics/report/sources.py).
analytics/postgres.py does so for PostgreSQL (``--db postgresql://...``); ``is_url``
tells the two kinds of ``--db`` apart.

Durability: a committed transaction is in the database file, so an event the
collector acknowledged survives the collector being killed (SIGKILL, a crash, the
OOM killer). With ``sync="normal"`` (the collector's default) the file system is
asked to flush the log to the physical disk by the background checkpoint, about
once a second, so a power cut or a kernel crash can lose up to the last second;
with ``sync="full"`` every commit waits for that flush.

Loss is never silent: before each batch the file is checked to still be the one
that was opened (an operator deleting or replacing the folder under a running
collector is answered with ``Unavailable``, not with a commit into a file no one
will ever read again), and ``problem()`` says what /health must report.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .checkpoints import WAL_LIMIT, Checkpoints, not_writable
from .schema import storable_text

# Bumped with each change to the table; migrate() brings older files up to date.
# 2: no secondary indexes (every index is one more page written per commit, and
#    the report reads the whole table in one pass anyway).
# 3: a ``goal`` column (the id of the goal a ``goal`` event reached).
STORAGE_VERSION = 3

COLUMNS = (
    "received_at",  # milliseconds since the epoch, the collector's clock
    "v",
    "type",
    "site",
    "reader",
    "view",
    "path",
    "article",
    "format",
    "referrer",
    "audience",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "engaged_ms",
    "scroll",
    "quartile",
    "muted",
    "captions",
    "from_format",
    "kind",
    "url",
    "goal",
)
# Columns that hold whole numbers (the rest hold text): what a typed copy needs to know.
INTEGER_COLUMNS = ("received_at", "v", "engaged_ms", "scroll", "quartile", "muted", "captions")
# Columns added after the first version: migrate() adds them to older files.
ADDED_COLUMNS = ("goal",)


def arrow_schema():
    """The event columns as Arrow types: how the report and the PostgreSQL reader hand them on."""
    import pyarrow as pa  # only readers need it, not the collector

    return pa.schema(
        [(name, pa.int64() if name in INTEGER_COLUMNS else pa.string()) for name in COLUMNS]
    )


_CREATE = f"""
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    {", ".join(COLUMNS)}
);
DROP INDEX IF EXISTS events_article;
DROP INDEX IF EXISTS events_reader;
"""
SYNC_MODES = ("normal", "full")


def is_url(db: object) -> bool:
    """True when ``db`` names a server database (``postgresql://...``) rather than a file."""
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


class Unavailable(sqlite3.OperationalError):
    """The database the collector opened is gone, replaced or not writable: nothing is stored."""


@functools.lru_cache(maxsize=256)  # one check per combination of fields events carry
def check_columns(columns: tuple[str, ...]) -> None:
    """ValueError unless every name is an event column (received_at is the collector's)."""
    unknown = set(columns).difference(COLUMNS[1:])
    if unknown:
        raise ValueError(f"analytics: not event columns: {', '.join(sorted(unknown))}")


@functools.lru_cache(maxsize=256)  # one statement per combination of fields events carry
def _insert_into(columns: tuple[str, ...]) -> str:
    """The INSERT for rows with these columns (and received_at); the values are parameters."""
    check_columns(columns)
    names = ", ".join(("received_at", *columns))
    return f"INSERT INTO events ({names}) VALUES (?{', ?' * len(columns)})"  # noqa: S608


def connect(path: str | Path, sync: str = "full") -> sqlite3.Connection:
    if sync not in SYNC_MODES:
        raise ValueError(f"analytics: sync must be one of {', '.join(SYNC_MODES)}, not {sync!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    locked = not_writable(path)
    if locked:
        raise sqlite3.OperationalError(f"read-only: {', '.join(locked)}")
    # Autocommit mode: transactions are opened explicitly in insert_many.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={sync.upper()}")
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def migrate(connection: sqlite3.Connection) -> None:
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version > STORAGE_VERSION:
        raise RuntimeError(
            f"analytics: the database is version {version}, newer than this collector "
            f"({STORAGE_VERSION}); update the collector"
        )
    connection.executescript(_CREATE)
    present = {row[1] for row in connection.execute("PRAGMA table_info(events)")}
    for column in ADDED_COLUMNS:
        if column not in present:
            connection.execute(f"ALTER TABLE events ADD COLUMN {column}")
    connection.execute(f"PRAGMA user_version={STORAGE_VERSION}")


class Storage:
    """Appends events; used by one thread at a time.

    With ``background_checkpoints`` (the collector), the log is copied into the
    database file, and flushed to disk, by a thread of its own every second,
    instead of by whichever commit happens to fill it: that commit would hold up
    every request waiting behind it.
    """

    # Errors that mean the event's values were refused, not the storage (answered 400).
    DATA_ERRORS: tuple[type[Exception], ...] = (sqlite3.DataError,)
    # A commit here takes a fraction of a millisecond: the batch writer keeps it in its loop.
    slow_commits = False

    def __init__(
        self,
        path: str | Path,
        *,
        sync: str = "full",
        background_checkpoints: bool = False,
        checkpoint_every: float = 1.0,
        wal_limit: int = WAL_LIMIT,
    ) -> None:
        self.path = Path(path)
        self.connection = connect(self.path, sync)
        migrate(self.connection)
        # When the log starts over, it is cut back to this size instead of keeping its largest.
        self.connection.execute(f"PRAGMA journal_size_limit={int(wal_limit)}")
        self._identity = _identity(self.path)
        self._checkpoints: Checkpoints | None = None
        if background_checkpoints:
            self.connection.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpoints = Checkpoints(self.path, checkpoint_every, wal_limit)

    def insert_many(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Store ``rows`` in one transaction; returns once committed (or raises, storing none).

        Each row names only the columns its event has. Rows are inserted grouped
        by those names, binding just the values they carry: binding the dozen
        empty columns of every row as NULL took half the time of an insert.
        """
        problem = self.file_problem()
        if problem:
            raise Unavailable(f"analytics: {problem}: {self.path}")
        now = int(time.time() * 1000)
        by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for row in rows:
            by_columns.setdefault(tuple(row), []).append((now, *row.values()))
        connection = self.connection
        connection.execute("BEGIN")
        try:
            for columns, values in by_columns.items():
                connection.executemany(_insert_into(columns), values)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def file_problem(self) -> str | None:
        """Why events cannot be stored in the file that was opened, or None (one stat call)."""
        try:
            identity = _identity(self.path)
        except FileNotFoundError:
            return "the database file is gone"
        if identity != self._identity:
            return "the database file was replaced"
        return None

    def problem(self) -> str | None:
        """What /health reports: the file, then the background flushes; None when all is well."""
        problem = self.file_problem()
        if problem is None and not_writable(self.path):
            problem = "the database file is read-only"
        if problem is None and self._checkpoints is not None:
            problem = self._checkpoints.problem()
        return problem

    @property
    def checkpoints(self) -> Checkpoints | None:
        return self._checkpoints

    def close(self) -> None:
        if self._checkpoints:
            self._checkpoints.stop()
        self.connection.close()  # the last connection to close checkpoints what is left


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino


def read_events(path: str | Path, **where: Any) -> list[dict[str, Any]]:
    """Stored events as dicts, oldest first; ``where`` filters by column equality."""
    unknown = set(where) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown column(s): {', '.join(sorted(unknown))}")
    if not Path(path).is_file():
        raise FileNotFoundError(f"analytics: no event database at {path}")
    connection = sqlite3.connect(path)
    try:
        connection.row_factory = sqlite3.Row
        clause = " AND ".join(f"{name} = ?" for name in where) or "1"
        query = f"SELECT * FROM events WHERE {clause} ORDER BY id"  # noqa: S608 - names checked above
        return [dict(row) for row in connection.execute(query, tuple(where.values()))]
    finally:
        connection.close()


def import_events(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Store rows that carry their own ``received_at`` in one transaction (imports, benchmarks).

    The collector stamps events with its clock (``insert_many``); this keeps the
    stamp a row brings, so a period of traffic can be rebuilt. Returns the count.
    """
    storage = Storage(path)
    try:
        connection = storage.connection
        connection.execute("PRAGMA synchronous=OFF")  # one file written in one go
        values = (tuple(_storable(row.get(name)) for name in COLUMNS) for row in rows)
        connection.execute("BEGIN")
        cursor = connection.executemany(_insert_into(COLUMNS[1:]), values)  # in COLUMNS order
        connection.execute("COMMIT")
        return cursor.rowcount
    finally:
        storage.close()


def _storable(value: Any) -> Any:
    """Imported rows skip the validator, not its rule for text (schema.storable_text)."""
    return storable_text(value) if isinstance(value, str) else value
