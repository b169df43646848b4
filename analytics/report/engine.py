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

from . import columns
from .rows import Checks, Period, check, judge_rows
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
    """A connection whose view ``events`` holds the valid events of ``checks.site`` in the period.

    ``source`` is the collector's SQLite file, a ``postgresql://`` URL, or Arrow
    record batches with the columns of ``storage.COLUMNS``. ``checks`` (by default
    for the beacon's default site) is filled with what was skipped and why.
    ``rows``: the first and last row id of the SQLite file that can hold the
    period (retention knows them), so only that part of the table is read.
    """
    checks = checks if checks is not None else Checks(site=default_site())
    period = Period.of(since_ms, until_ms)
    connection = connect()
    try:
        create_stored(connection)
        relation = _load(connection, source, period, rows)
        check(connection, relation, checks, period, _odd(connection, relation, source, period))
    except BaseException:
        connection.close()
        raise
    return connection


def _odd(connection, relation: str, source: Source, period: Period) -> list[tuple]:
    """The rows of another type than their column's, as SQLite stores them (only it has such)."""
    if not _is_file(source):
        return []
    ids = connection.execute(
        f"SELECT id FROM {relation} WHERE odd AND {period.looked_at_sql()} ORDER BY id"  # noqa: S608
    ).fetchall()
    return list(odd_rows(source, [number for (number,) in ids]))


def _is_url(source) -> bool:
    return isinstance(source, str) and source.startswith(POSTGRES_SCHEMES)


def _is_file(source) -> bool:
    return isinstance(source, str | Path) and not _is_url(source)


def _load(connection, source: Source, period: Period, rows: tuple[int, int] | None) -> str:
    """SQL for the source's rows, judged: the columnar copy's files, or ``stored``."""
    if _is_file(source):
        check_sqlite(source)
        # A part of the table (retention's days) is read directly: the copy is for the whole table.
        if rows is None and (relation := columns.load(connection, source)) is not None:
            return relation
    _fill_stored(connection, source, period, rows)
    judge_rows(connection)
    return "stored"


def _fill_stored(connection, source: Source, period: Period, rows: tuple[int, int] | None):
    """Copy the source's rows the report looks at into ``stored``, unjudged."""
    if _is_url(source):
        try:
            from analytics.postgres import event_batches  # the server database's own reader
        except ImportError as error:
            raise ValueError(f"PostgreSQL sources need analytics.postgres: {error}") from None
        load_batches(connection, event_batches(source, period.start, period.end))
    elif not _is_file(source):
        load_batches(connection, source)
    else:
        # Rows of an implausible time are kept whatever the period: the checks count them.
        where = period.looked_at_sql(unreadable="typeof(received_at) != 'integer'")
        if rows is not None:
            where = f"id BETWEEN {int(rows[0])} AND {int(rows[1])} AND {where}"
        load_sqlite(connection, source, where, rows)


def source_name(source: Source) -> str:
    """The source as a message may name it: a URL without its user and password."""
    if _is_url(source):
        scheme, _, rest = source.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"
    return str(source) if isinstance(source, str | Path) else "the event batches"


def default_site() -> str:
    """The site id the beacon sends when MAG_BEACON names none."""
    from mag_beacon.settings import DEFAULTS

    return DEFAULTS["site"]
