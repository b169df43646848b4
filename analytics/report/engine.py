"""The report's engine: the period's checked events in DuckDB, and the tables figures come from.

Why DuckDB: the report used to sum page views in SQLite and walk them in Python
objects, which grew with readers and events (919 MB and about 20 s for a million
events of 144,000 readers). DuckDB keeps the events in columns, aggregates them
with both cores and spills to a temporary folder past its memory limit, so the
same figures come out of a few GROUP BYs (docs/operations/analytics-report.md
has the measurements).

``open_events`` is the one entrance, for the report and for anything that builds
on its figures (goal attribution): the connection it returns holds ``events``,
the valid events of the site in the period with exactly the columns of
``storage.COLUMNS``; ``tables.build`` then adds ``views``, ``uses`` and
``readers`` (one row per reader with its segment).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics.storage import COLUMNS

from . import columns
from .rows import EARLIEST_MS, Checks, check_stored, latest_ms
from .sources import check_sqlite, create_stored, load_batches, load_sqlite, odd_rows

# DuckDB spills to its temporary folder past this; the rest of the report (the
# site, the per-reader figures in Python) stays well under the 2 GB target.
MEMORY_LIMIT = "1200MB"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
Source = str | Path | Iterable[pa.RecordBatch]


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills into a temporary folder of its own."""
    folder = tempfile.mkdtemp(prefix="mag-report-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return duckdb.connect(
        config={
            "threads": 2,
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": folder,
            # Every query of the report orders what it returns itself.
            "preserve_insertion_order": False,
        }
    )


def open_events(
    source: Source,
    since_ms: int | None = None,
    until_ms: int | None = None,
    checks: Checks | None = None,
    *,
    rows: tuple[int, int] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection whose table ``events`` holds the valid events of ``checks.site`` in the period.

    ``source`` is the collector's SQLite file, a ``postgresql://`` URL, or Arrow
    record batches with the columns of ``storage.COLUMNS``. ``checks`` (by default
    for the beacon's default site) is filled with what was skipped and why.
    ``rows``: the first and last row id of the SQLite file that can hold the
    period (retention knows them), so only that part of the table is read.
    """
    checks = checks if checks is not None else Checks(site=default_site())
    start = since_ms if since_ms is not None else -(2**62)
    end = until_ms if until_ms is not None else 2**62
    connection = connect()
    try:
        create_stored(connection)
        odd = _load(connection, source, (since_ms, until_ms), rows)
        # Rows of a plausible time outside the period are not the report's business.
        connection.execute(
            f"DELETE FROM stored WHERE received_at >= {EARLIEST_MS} "  # noqa: S608 - numbers
            f"AND received_at < {latest_ms()} AND NOT (received_at >= {start} "
            f"AND received_at < {end})"
        )
        check_stored(connection, checks, odd)
        connection.execute(f"CREATE VIEW events AS SELECT {', '.join(COLUMNS)} FROM stored")  # noqa: S608
    except BaseException:
        connection.close()
        raise
    return connection


def _load(connection, source: Source, period: tuple, rows: tuple[int, int] | None) -> list[tuple]:
    """Copy the source's rows into ``stored``; returns the odd rows as stored (SQLite only)."""
    since_ms, until_ms = period
    if isinstance(source, str) and source.startswith(POSTGRES_SCHEMES):
        try:
            from analytics.postgres import event_batches  # the server database's own reader
        except ImportError as error:
            raise ValueError(f"PostgreSQL sources need analytics.postgres: {error}") from None
        load_batches(connection, event_batches(source, since_ms, until_ms))
        return []
    if not isinstance(source, str | Path):
        load_batches(connection, source)
        return []
    check_sqlite(source)
    start = since_ms if since_ms is not None else -(2**62)
    end = until_ms if until_ms is not None else 2**62
    # Rows of an implausible time are kept whatever the period: the checks count them.
    kept = (
        f"received_at < {EARLIEST_MS} OR received_at >= {latest_ms()} "
        f"OR (received_at >= {start} AND received_at < {end})"
    )
    # A part of the table (retention's days) is read directly: the columnar copy is for
    # the whole table. In the copy, a received_at that was not a whole number is NULL.
    if rows is not None or not columns.load(connection, source, f"received_at IS NULL OR {kept}"):
        where = f"typeof(received_at) != 'integer' OR {kept}"
        if rows is not None:
            where = f"id BETWEEN {int(rows[0])} AND {int(rows[1])} AND ({where})"
        load_sqlite(connection, source, where, rows)
    ids = [
        row[0]
        for row in connection.execute("SELECT id FROM stored WHERE odd ORDER BY id").fetchall()
    ]
    return list(odd_rows(source, ids))


def source_name(source: Source) -> str:
    """The source as a message may name it: a URL without its user and password."""
    if isinstance(source, str) and source.startswith(POSTGRES_SCHEMES):
        scheme, _, rest = source.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"
    return str(source) if isinstance(source, str | Path) else "the event batches"


def default_site() -> str:
    """The site id the beacon sends when MAG_BEACON names none."""
    from mag_beacon.settings import DEFAULTS

    return DEFAULTS["site"]
