"""Retention: events older than ``MAG_REPORT["retention_days"]`` become daily summaries.

    python -m analytics.retention --db var/events.sqlite3 --site output \
        --settings pelicanconf.py [--now 2027-12-31]

Each local day older than the window is read through the report's own engine
(the same row checks, page views, 読了 rule and segment rules), summed per
article, page format and segment into ``summaries`` in the same database, and
its raw rows are deleted in the same transaction: reader and view ids never
outlive the window, and a crash leaves either the day's raw rows or its
summary, never both and never neither. docs/report/summaries.md says what the
summaries can and cannot answer.

Safe next to a running collector: the day is read first (by the report's
reader); the write transaction then only inserts a few hundred summary rows and
deletes the day's rows by a range of their primary key, so it holds the write
lock for milliseconds (the collector waits up to 5 s for it). Idempotent: a day with no
raw rows left is skipped, and rows imported later for a summarised day are
added to its summary (ON CONFLICT … + excluded), never counted twice.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from analytics import postgres
from analytics.report import columns, tables
from analytics.report import settings as report_settings
from analytics.report.cli import load_settings
from analytics.report.engine import open_events
from analytics.report.rows import EARLIEST_MS, Checks
from analytics.report.site import Site
from analytics.storage import connect, is_url
from mag_core import ContentError, SettingsError

logger = logging.getLogger(__name__)

DAY = dt.timedelta(days=1)
KINDS = tables.VIDEO_FORMATS
# The figures kept per (site, day, article, format, segment); reading.md's names.
FIGURES = (
    "views",  # page views (reader + view id)
    "pageviews",  # pageview events
    "readers",  # readers of the article that day, under the format of their first view
    "newsletter",  # page views opened from the newsletter
    "engaged_ms",
    "judged",  # reader × article uses of the format whose 読了 could be judged
    "read",  # of those, read through
    *(f"{name}_{kind}" for kind in KINDS for name in ("plays", "done")),
)
SUMMARIES_SQL = f"""
CREATE TABLE IF NOT EXISTS summaries (
    site TEXT NOT NULL, day TEXT NOT NULL, article TEXT NOT NULL, format TEXT NOT NULL,
    segment TEXT NOT NULL,
    {", ".join(f"{name} BIGINT NOT NULL" for name in FIGURES)},
    PRIMARY KEY (site, day, article, format, segment)
)
"""


@dataclass
class Retired:
    day: dt.date
    events: int  # raw rows deleted
    rows: int  # summary rows written


def retire(db: str | Path, site: Site, config: dict, now: dt.datetime | None = None) -> list:
    """Summarise and delete every local day that ends before the window; returns what it did."""
    zone = config["zone"]
    now = now or dt.datetime.now(zone)
    first_kept = (now.astimezone(zone) - dt.timedelta(days=config["retention_days"])).date()
    cutoff = _start_ms(first_kept, zone)
    store = _PostgresStore(str(db)) if is_url(db) else _SqliteStore(db)
    days = store.old_days(cutoff, zone)
    done = [_retire_day(store, day, ids, site, config) for day, ids in days.items()]
    # Rows no day holds (a time before 2020, text, NULL) are garbage past the window too.
    leftover = store.drop_leftovers(cutoff)
    if leftover:
        logger.warning("analytics.retention: %d unusable old row(s) deleted", leftover)
    return done


def _start_ms(day: dt.date, zone: dt.tzinfo) -> int:
    return int(dt.datetime.combine(day, dt.time(), zone).timestamp() * 1000)


def _retire_day(store, day: dt.date, ids, site: Site, config: dict) -> Retired:
    start, end = _start_ms(day, config["zone"]), _start_ms(day + DAY, config["zone"])
    rows = []
    for site_id in store.sites(ids, start, end):
        connection = open_events(store.source, start, end, Checks(site=site_id), rows=ids)
        try:
            tables.build(connection, site, config)
            rows += [(site_id, day.isoformat(), *row) for row in _summary(connection)]
        finally:
            connection.close()
    deleted = store.replace(rows, ids, start, end)
    logger.info("analytics.retention: %s: %d events -> %d rows", day, deleted, len(rows))
    return Retired(day, deleted, len(rows))


def _days_of(hours: Iterable[tuple], zone: dt.tzinfo) -> dict[dt.date, tuple | None]:
    """Local day -> (first, last row id) of its rows (None where the store has no row ids).

    From (hour, first id, last id) rows: one pass over the table; each day is then
    read by its row ids (the SQLite table has no index on time), so a first run over
    years of backlog reads it once a day's worth at a time, not once per day.
    """
    days: dict[dt.date, tuple | None] = {}
    for hour, low, high in hours:
        day = dt.datetime.fromtimestamp(hour * 3600, zone).date()
        known = days.get(day)
        if low is None:
            days[day] = None
        else:
            days[day] = (low, high) if known is None else (min(known[0], low), max(known[1], high))
    return dict(sorted(days.items()))


def _upsert(mark: str) -> str:
    """The INSERT of summary rows that adds to a day already summarised (rows imported later)."""
    names = ("site", "day", "article", "format", "segment", *FIGURES)
    added = ", ".join(f"{name} = summaries.{name} + excluded.{name}" for name in FIGURES)
    return (
        f"INSERT INTO summaries ({', '.join(names)}) VALUES ({', '.join(mark for _ in names)}) "  # noqa: S608
        f"ON CONFLICT (site, day, article, format, segment) DO UPDATE SET {added}"
    )


class _SqliteStore:
    """The collector's SQLite file: days found and deleted by row id ranges."""

    _IN_DAY = "id BETWEEN ? AND ? AND received_at >= ? AND received_at < ?"

    def __init__(self, db: str | Path) -> None:
        self.source = self.db = db

    def old_days(self, cutoff: int, zone: dt.tzinfo) -> dict[dt.date, tuple | None]:
        with _writing(self.db) as writer:
            writer.execute(SUMMARIES_SQL)
            hours = writer.execute(
                "SELECT received_at / 3600000, min(id), max(id) FROM events "
                "WHERE typeof(received_at) = 'integer' AND received_at >= ? AND received_at < ? "
                "GROUP BY 1",
                (EARLIEST_MS, cutoff),
            ).fetchall()
        return _days_of(hours, zone)

    def sites(self, ids: tuple[int, int], start: int, end: int) -> list[str]:
        with _writing(self.db) as reader:
            found = reader.execute(
                f"SELECT DISTINCT site FROM events WHERE {self._IN_DAY} AND typeof(site) = 'text'",  # noqa: S608
                (*ids, start, end),
            ).fetchall()
        return sorted(site for (site,) in found)

    def replace(self, rows: list[tuple], ids: tuple[int, int], start: int, end: int) -> int:
        """The day's summary rows in, its raw rows out, in one transaction; the rows deleted."""
        with _writing(self.db) as writer, _transaction(writer):
            writer.executemany(_upsert("?"), rows)
            return writer.execute(
                f"DELETE FROM events WHERE {self._IN_DAY}",  # noqa: S608
                (*ids, start, end),
            ).rowcount

    def drop_leftovers(self, cutoff: int) -> int:
        with _writing(self.db) as writer:
            with _transaction(writer):
                deleted = writer.execute(
                    "DELETE FROM events WHERE received_at < ? OR typeof(received_at) != 'integer'",
                    (cutoff,),
                ).rowcount
            # The log still holds the old pages until it is copied back and cut.
            writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # The report's columnar copy of the deleted rows goes too (their reader ids with it).
        columns.discard_changed(self.db)
        return deleted


class _PostgresStore:
    """A PostgreSQL database (``--db postgresql://``): days found and deleted by time.

    The server keeps deleted rows in its files until they are vacuumed, so the
    run ends with a VACUUM of the table: no reader id stays on disk past the window.
    """

    _IN_DAY = "received_at >= %s AND received_at < %s"

    def __init__(self, url: str) -> None:
        self.source = self.url = url

    def old_days(self, cutoff: int, zone: dt.tzinfo) -> dict[dt.date, tuple | None]:
        with postgres.connect(self.url) as connection:
            connection.execute(SUMMARIES_SQL)
            hours = connection.execute(
                "SELECT received_at / 3600000, NULL, NULL FROM events "
                "WHERE received_at >= %s AND received_at < %s GROUP BY 1",
                (EARLIEST_MS, cutoff),
            ).fetchall()
        return _days_of(hours, zone)

    def sites(self, _ids: None, start: int, end: int) -> list[str]:
        with postgres.connect(self.url) as connection:
            found = connection.execute(
                f"SELECT DISTINCT site FROM events WHERE {self._IN_DAY} AND site IS NOT NULL",  # noqa: S608
                (start, end),
            ).fetchall()
        return sorted(site for (site,) in found)

    def replace(self, rows: list[tuple], _ids: None, start: int, end: int) -> int:
        with postgres.connect(self.url) as connection, connection.transaction():
            with connection.cursor() as cursor:
                cursor.executemany(_upsert("%s"), rows)
            deleted = connection.execute(
                f"DELETE FROM events WHERE {self._IN_DAY}",  # noqa: S608
                (start, end),
            )
            return deleted.rowcount

    def drop_leftovers(self, cutoff: int) -> int:
        with postgres.connect(self.url) as connection:
            with connection.transaction():
                deleted = connection.execute(
                    "DELETE FROM events WHERE received_at < %s OR received_at IS NULL", (cutoff,)
                ).rowcount
            connection.execute("VACUUM events")  # autocommit: VACUUM runs outside a transaction
        return deleted


@contextlib.contextmanager
def _writing(db: str | Path) -> Iterator[sqlite3.Connection]:
    """A connection of Python's SQLite, closed again before the report's reader opens the file.

    The reader (ADBC) brings its own copy of SQLite: two copies with the same
    file open in one process release each other's POSIX locks (SQLite's "multiple
    copies" warning), and a test with both open at once crashed with a bus error.
    """
    writer = connect(db)
    try:
        # Deleted rows are overwritten with zeros, not left in free pages of the file.
        writer.execute("PRAGMA secure_delete=ON")
        yield writer
    finally:
        writer.close()


class _transaction:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on any error), on an autocommit connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind, *_rest) -> None:
        self.connection.execute("ROLLBACK" if kind else "COMMIT")


def _summary(connection) -> list[tuple]:
    """Per (article, format, segment): FIGURES, from the engine's tables of one day."""
    fmt_views = ", ".join(
        f"count({kind}_quartile) AS plays_{kind}, "
        f"count(*) FILTER (WHERE {kind}_quartile = 100) AS done_{kind}"
        for kind in KINDS
    )
    videos = ", ".join(
        f"coalesce({name}_{kind}, 0)" for kind in KINDS for name in ("plays", "done")
    )
    judged = " UNION ALL ".join(
        f"SELECT u.article, '{fmt}' AS format, r.segment, "  # noqa: S608 - registry names
        f"count(u.fin_{fmt}) AS judged, count(*) FILTER (WHERE u.fin_{fmt}) AS read "
        f"FROM uses AS u JOIN readers AS r USING (reader) WHERE u.has_{fmt} GROUP BY ALL"
        for fmt in tables.ALL_FORMATS
    )
    query = f"""
        WITH seen AS (
            SELECT coalesce(v.article, '') AS article, coalesce(v.format, 'article') AS format,
                coalesce(r.segment, '') AS segment, count(*) AS views,
                sum(v.pageviews) AS pageviews,
                sum(v.newsletter) AS newsletter, sum(v.engaged_ms) AS engaged_ms, {fmt_views}
            FROM views AS v JOIN readers AS r USING (reader) GROUP BY ALL
        ), finished AS (
            SELECT article, format, coalesce(segment, '') AS segment, judged, read
            FROM ({judged})
        ), firsts AS (
            -- each reader once per article and day: under the format of the first view
            SELECT u.article, coalesce(v.format, 'article') AS format,
                coalesce(r.segment, '') AS segment, count(*) AS readers
            FROM uses AS u JOIN views AS v ON v.reader = u.reader AND v.view = u.first_view
            JOIN readers AS r ON r.reader = u.reader GROUP BY ALL
        ), counted AS (
            SELECT * FROM finished FULL JOIN firsts USING (article, format, segment)
        )
        SELECT article, format, segment, coalesce(views, 0), coalesce(pageviews, 0),
            coalesce(readers, 0), coalesce(newsletter, 0), coalesce(engaged_ms, 0),
            coalesce(judged, 0), coalesce(read, 0), {videos}
        FROM seen FULL JOIN counted USING (article, format, segment)
        ORDER BY article, format, segment
    """  # noqa: S608 - names from the code
    return [(*row[:3], *map(int, row[3:])) for row in connection.execute(query).fetchall()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analytics.retention",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db", required=True, help="the collector's SQLite file, or a postgresql:// URL"
    )
    parser.add_argument("--site", default=None, help="the built site, for reading times")
    parser.add_argument("--settings", default=None, help="settings file with MAG_REPORT")
    parser.add_argument("--now", default=None, help="YYYY-MM-DD: run as if on this day")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if sys.stderr.isatty() else logging.WARNING)
    try:
        config = report_settings.read(load_settings(args.settings))
        now = _day(args.now, config["zone"]) if args.now else None
        if not is_url(args.db) and not Path(args.db).is_file():
            raise FileNotFoundError(f"no event database at {args.db}")
        done = retire(args.db, Site.read(args.site), config, now)
    except (ContentError, SettingsError, ValueError, FileNotFoundError) as error:
        print(f"retention: {error}", file=sys.stderr)
        return 1
    except (sqlite3.DatabaseError, psycopg.Error) as error:
        name = postgres.shown(args.db) if is_url(args.db) else args.db
        print(f"retention: {name}: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    events = sum(item.events for item in done)
    print(f"retention: {len(done)} day(s) summarised, {events} raw event(s) deleted")
    return 0


def _day(text: str, zone: Any) -> dt.datetime:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), zone)
    except ValueError:
        raise ValueError(f"--now {text!r} is not a date like 2027-01-31") from None


if __name__ == "__main__":
    sys.exit(main())
