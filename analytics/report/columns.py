"""A columnar copy of the collector's events, next to its SQLite file, read instead of the file.

Why: reading a SQLite file of 20 million events into DuckDB took about 57 s of
the report's 79 s, and every report read every row again. The collector's table
only grows (ids only grow; retention deletes the oldest rows), so the rows read
once are kept as Parquet parts in ``<db file>.columns/``, each holding what
``stored`` holds once read and judged (id, the event columns with the values the
schema keeps, odd, and each row's verdicts: rows.judge_rows) for one id range,
its file name giving that range and its row count. Judging twenty million rows
took about as long as reading them; kept with the rows, a report judges only the
rows that came in since the last one (a part records, in its metadata, which
version of the checks judged it: a part judged by other checks is read again).
Each report:

1. checks every part cheaply: its Parquet footer (row count, columns, checks)
   and, when the table holds fewer or more rows up to the last part than the
   parts do, the count of SQLite rows in each part's id range (a rowid-range
   COUNT); the gaps between parts must hold no rows. A part or gap that changed
   (retention deleted rows, a killed copy, a damaged file) is read again;
2. reads only the rows above the last part from SQLite (sources.load_sqlite) and
   writes them as new parts (to a temporary name, then renamed: a killed report
   never leaves a part that is used);
3. merges the newest small parts when there are too many;
4. reads the parts where they are, with DuckDB's ``read_parquet`` (built into the
   duckdb wheel): the report's queries read only the columns they need, and the
   twenty million rows are never held in memory as a whole.

The folder can be deleted at any time: the next report reads the file again.
When the folder cannot be written, the report reads the SQLite file directly.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import sqlite3
import time
import weakref
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from analytics import schema
from mag_core.files import process_alive

from . import rows as row_checks
from . import sources, verdicts
from .rows import judge_rows
from .sources import LOADED, VERDICTS, load_sqlite

logger = logging.getLogger(__name__)

SUFFIX = ".columns"
# Parts are cut at multiples of this many ids, so retention, which deletes the
# oldest rows, makes only the first part or two be read again, not the whole copy.
CHUNK_IDS = 1_000_000
# More parts than this: the newest small ones are merged (up to CHUNK_IDS rows).
MAX_PARTS = 40
# A temporary file older than this was left by a killed report.
STALE_S = 3600
PINS = ".reading-"  # a running report's links to the parts it reads (columns._pinned)
_PART = re.compile(r"part-(\d+)-(\d+)-(\d+)\.parquet")
FIELDS = (*LOADED, *VERDICTS)
CHECKS_KEY = b"mag.checks"  # the part's metadata entry naming the checks that judged it


class CopyUnusable(Exception):
    """The copy cannot be kept up to date here (a read-only folder, a full disk)."""


@dataclass(frozen=True)
class Part:
    low: int  # first and last id of the range the part copies
    high: int
    rows: int  # the rows of that range, in SQLite and in the part
    path: Path


def folder_of(db: str | Path) -> Path:
    path = Path(db).resolve()
    return path.with_name(path.name + SUFFIX)


def load(connection: duckdb.DuckDBPyConnection, db: str | Path) -> str | None:
    """SQL for the judged rows of the whole table, from the copy brought up to date.

    None, having logged one warning and left ``stored`` empty, when the copy
    cannot be used: the caller then reads the SQLite file directly.
    """
    folder = folder_of(db)
    try:
        kept, new = sync(connection, db, folder)
        parts = _merged(connection, folder, sorted(kept + new, key=lambda part: part.low))
    except (OSError, CopyUnusable, duckdb.IOException, duckdb.InvalidInputException) as error:
        connection.execute("DELETE FROM stored")
        logger.warning(
            "analytics.report: the columnar copy %s is not used (%s); reading %s directly",
            folder,
            error,
            db,
        )
        return None
    # The rows just read are in their parts now: memory is for the report's tables.
    connection.execute("DELETE FROM stored")
    if not parts:
        return "stored"
    files = ", ".join(f"'{_quoted(path)}'" for path in _pinned(connection, folder, parts))
    return f"read_parquet([{files}])"


def _pinned(connection, folder: Path, parts: list[Part]) -> list[Path]:
    """The parts as this process reads them: hard links that another process cannot take away.

    The report reads the parts query by query, for as long as it runs; a report or
    retention running at the same time may merge or delete them meanwhile. A hard
    link in a folder of this connection's own keeps the file's data until the
    connection is closed and gone (the folder goes then; one left by a killed
    process goes at the next run).
    """
    pins = folder / f"{PINS}{os.getpid()}-{time.monotonic_ns()}"
    try:
        pins.mkdir()
        weakref.finalize(connection, shutil.rmtree, pins, True)
        for part in parts:
            os.link(part.path, pins / part.path.name)
    except OSError as error:  # a file system without hard links: read them in place
        logger.info("analytics.report: the parts are read in place (%s)", error)
        return [part.path for part in parts]
    return [pins / part.path.name for part in parts]


@functools.cache
def checks_version() -> bytes:
    """A digest of the code that reads and judges rows: the schema, the verdicts, the reader."""
    digest = hashlib.sha256()
    for module in (schema, verdicts, row_checks, sources):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16].encode()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def sync(
    connection: duckdb.DuckDBPyConnection, db: str | Path, folder: Path
) -> tuple[list[Part], list[Part]]:
    """Bring the copy up to date with the SQLite file: (parts kept, parts written).

    The rows of the parts written are left in ``stored`` (empty before).
    """
    folder.mkdir(exist_ok=True)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CopyUnusable(f"{folder} cannot be written")
    _remove_stale(folder)
    parts = _readable(_listed(folder))
    uri = f"{Path(db).resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as source:
        (last,) = source.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
        kept, stale = _checked(source, parts)
    # Above the last part (kept or read again below): the rows appended since.
    top = max((part.high for part in parts), default=0)
    if last > top:
        stale.append((top + 1, last))
    for part in (part for part in parts if part not in kept):
        part.path.unlink(missing_ok=True)
    return kept, _copied(connection, db, folder, stale) if stale else []


def discard_changed(db: str | Path) -> int:
    """Delete the parts whose rows changed in the database; returns how many.

    Retention calls this after deleting old rows: the reader ids of those rows
    must not stay behind in the copy until the next report reads it again.
    """
    folder = folder_of(db)
    if not folder.is_dir():
        return 0
    _remove_stale(folder)
    parts = _listed(folder)
    with closing(sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)) as source:
        kept, _stale = _checked(source, parts)
    changed = [part for part in parts if part not in kept]
    for part in changed:
        part.path.unlink(missing_ok=True)
    return len(changed)


def _listed(folder: Path) -> list[Part]:
    """The parts by their names; of overlapping ones (a merge killed midway) the wider wins."""
    found = []
    for path in folder.iterdir():
        if match := _PART.fullmatch(path.name):
            low, high, rows = map(int, match.groups())
            found.append(Part(low, high, rows, path))
    found.sort(key=lambda part: (part.low, -part.high))
    parts: list[Part] = []
    for part in found:
        if parts and part.low <= parts[-1].high:
            part.path.unlink(missing_ok=True)
            continue
        parts.append(part)
    return parts


def _readable(parts: list[Part]) -> list[Part]:
    """The parts whose footer reads, with the row count of their name, our columns and checks."""
    good = []
    for part in parts:
        try:
            meta = pq.read_metadata(part.path)
        except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
            _damaged(part, str(error))
            continue
        if meta.num_rows != part.rows:
            _damaged(part, "other rows than its name says")
        elif (
            tuple(meta.schema.names) != FIELDS
            or (meta.metadata or {}).get(CHECKS_KEY) != checks_version()
        ):
            logger.info("analytics.report: %s was judged by other checks: read again", part.path)
        else:
            good.append(part)
    return good


def _damaged(part: Part, problem: str) -> None:
    logger.warning(
        "analytics.report: damaged part %s of the columnar copy (%s): read again",
        part.path,
        problem,
    )


def _checked(source: sqlite3.Connection, parts: list[Part]) -> tuple[list[Part], list[tuple]]:
    """Parts whose id range still holds their count of rows, and the id ranges to read again.

    Gaps between parts (and before the first) must hold no rows: retention
    emptied them, or the copy never had rows there.
    """
    if _unchanged(source, parts):
        return parts, []
    count = "SELECT count(*) FROM events WHERE id BETWEEN ? AND ?"
    kept, stale = [], []
    below = 1
    for part in parts:
        if part.low > below and source.execute(count, (below, part.low - 1)).fetchone()[0]:
            stale.append((below, part.low - 1))
        if source.execute(count, (part.low, part.high)).fetchone()[0] == part.rows:
            kept.append(part)
        else:
            logger.info("analytics.report: %s changed in the database: read again", part.path.name)
            stale.append((part.low, part.high))
        below = part.high + 1
    return kept, stale


def _unchanged(source: sqlite3.Connection, parts: list[Part]) -> bool:
    """True when the rows up to the last part are as many as the parts hold: none deleted.

    SQLite counts a whole table from its pages without reading the rows (0.75 s at 20
    million against 1.9 s for the counts of twenty id ranges), so the usual case,
    rows only appended, costs one count; rows inserted by hand below the newest
    part with ids of deleted rows (never the collector) are not told apart.
    """
    if not parts:
        return False
    (total,) = source.execute("SELECT count(*) FROM events").fetchone()
    (above,) = source.execute(
        "SELECT count(*) FROM events WHERE id > ?", (parts[-1].high,)
    ).fetchone()
    return total - above == sum(part.rows for part in parts)


def _copied(connection, db: str | Path, folder: Path, ranges: list[tuple]) -> list[Part]:
    """Read the id ranges from SQLite into ``stored`` (empty), judge and write them as parts."""
    where = " OR ".join(f"id BETWEEN {int(low)} AND {int(high)}" for low, high in ranges)
    bounds = (min(low for low, _ in ranges), max(high for _, high in ranges))
    load_sqlite(connection, db, where, bounds)
    judge_rows(connection)
    parts = []
    for low, high in ranges:
        start = low
        while start <= high:
            # Cut at multiples of CHUNK_IDS: the next run's parts line up with these.
            end = min(high, (start // CHUNK_IDS + 1) * CHUNK_IDS)
            written = _written(
                connection, folder, f"FROM stored WHERE id BETWEEN {start} AND {end}"
            )
            if written is not None:
                parts.append(_named(Part(start, end, *written)))
            start = end + 1
    return parts


def _written(connection, folder: Path, rows_sql: str) -> tuple[int, Path] | None:
    """(row count, path) of one part written from the rows of ``rows_sql``; None for no rows."""
    (rows,) = connection.execute(f"SELECT count(*) {rows_sql}").fetchone()
    if not rows:
        return None
    temporary = folder / f".part-{os.getpid()}-{time.monotonic_ns()}.tmp"
    connection.execute(
        f"COPY (SELECT {', '.join(FIELDS)} {rows_sql}) TO '{_quoted(temporary)}' "
        f"(FORMAT parquet, COMPRESSION zstd, KV_METADATA {{'{CHECKS_KEY.decode()}': "
        f"'{checks_version().decode()}'}})"
    )
    return rows, temporary


def _named(part: Part) -> Part:
    """Give a written part its final name (a rename: readers see a whole part or none)."""
    final = part.path.with_name(f"part-{part.low:012d}-{part.high:012d}-{part.rows}.parquet")
    os.replace(part.path, final)
    return Part(part.low, part.high, part.rows, final)


def _merged(connection, folder: Path, parts: list[Part]) -> list[Part]:
    """Merge the newest small parts into one when there are more than MAX_PARTS."""
    if len(parts) <= MAX_PARTS:
        return parts
    start, rows = len(parts), 0
    while start > 0 and rows + parts[start - 1].rows <= CHUNK_IDS:
        start -= 1
        rows += parts[start].rows
    tail = parts[start:]
    if len(tail) < 2:
        return parts
    files = ", ".join(f"'{_quoted(part.path)}'" for part in tail)
    written = _written(connection, folder, f"FROM read_parquet([{files}])")
    if written is None:
        return parts
    merged = _named(Part(tail[0].low, tail[-1].high, written[0], written[1]))
    for part in tail:
        part.path.unlink(missing_ok=True)
    logger.info("analytics.report: %d parts of the columnar copy merged", len(tail))
    return [*parts[:start], merged]


def _remove_stale(folder: Path) -> None:
    """Remove what killed processes left: temporary parts, and the pins of dead reports."""
    for pins in folder.glob(f"{PINS}*"):
        if not process_alive(int(pins.name.removeprefix(PINS).split("-")[0])):
            shutil.rmtree(pins, ignore_errors=True)
    now = time.time()
    for path in folder.glob(".part-*.tmp"):
        try:
            if now - path.stat().st_mtime > STALE_S:
                path.unlink()
        except FileNotFoundError:
            pass  # another report removed it first
