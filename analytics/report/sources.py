"""Stored events into DuckDB: from the collector's SQLite file, or from Arrow record batches.

Why Arrow from SQLite and not DuckDB's own SQLite reader: ``ATTACH … (TYPE sqlite)``
downloads an extension at run time, which an intranet host cannot do; the
extension's pip package pins one DuckDB release and read a million events no
faster (1.8 s) while turning every untyped column into BLOB, losing the
difference between the number 5 and the text "5" that the row checks need.
Reading through the ADBC SQLite driver (C, straight into Arrow) took 1.2 s per
million events for the report's columns; Python's ``sqlite3`` module took 2.0 s
before any conversion. Measurements: docs/operations/analytics-report.md.

The collector's table has no column types (SQLite keeps whatever was stored).
The columns are first read as they are (``plain_query``): a database the
collector wrote has nothing else. At the first value of another type, or text
that is not UTF-8, the table is read again with each column as its proper type
when the stored value has it and NULL otherwise, with an ``odd`` flag on the row
(``sqlite_query``; text read as bytes and decoded by DuckDB); the few odd rows
are then read one by one and judged by the schema in Python (rows.py).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics.storage import COLUMNS, INTEGER_COLUMNS, arrow_schema

TEXT_COLUMNS = tuple(column for column in COLUMNS if column not in INTEGER_COLUMNS)
# What a read puts in ``stored``: the row id, the event columns, the odd flag.
LOADED = ("id", *COLUMNS, "odd")
# Each ordinary row's verdict, by rows.judge_rows: why it is invalid whatever the report's
# site and period (NULL: it is not), and why its reader or view id is refused (counted
# only for the report's own site).
VERDICTS = ("problem", "key_problem")
BATCH_ROWS = 131_072
# The Arrow types of a plain read: whole numbers and text, as the collector stores them.
PLAIN_TYPES = arrow_schema().types


def duck_type(column: str) -> str:
    return "BIGINT" if column in INTEGER_COLUMNS else "VARCHAR"


def create_stored(connection: duckdb.DuckDBPyConnection) -> None:
    """The table the source is copied into: the row id, the event columns, odd, the verdicts."""
    columns = ", ".join(f"{column} {duck_type(column)}" for column in COLUMNS)
    verdicts = ", ".join(f"{name} VARCHAR" for name in VERDICTS)
    connection.execute(f"CREATE TABLE stored (id BIGINT, {columns}, odd BOOLEAN, {verdicts})")


def _into_stored() -> str:
    return f"INSERT INTO stored ({', '.join(LOADED)})"


def _storage_type(column: str) -> str:
    return "integer" if column in INTEGER_COLUMNS else "text"


def sqlite_query(where: str) -> str:
    """Each column as its type or NULL (text as bytes), an odd flag; a first row fixes the types.

    The ADBC driver takes a column's Arrow type from the first rows it reads: a
    column empty there would become a number column and fail at the first text,
    so the query starts with one row that has every column set (dropped on load).
    """
    picked, witness, odd = [], [], []
    for column in COLUMNS:
        kind = _storage_type(column)
        value = column if kind == "integer" else f"CAST({column} AS BLOB)"
        picked.append(f"CASE WHEN typeof({column}) = '{kind}' THEN {value} END")
        witness.append(("0" if kind == "integer" else "X''") + f" AS {column}")
        odd.append(f"typeof({column}) NOT IN ('{kind}', 'null')")
    return (
        f"SELECT 0 AS id, {', '.join(witness)}, 0 AS odd UNION ALL "  # noqa: S608 - storage's names
        f"SELECT id, {', '.join(picked)}, {' OR '.join(odd)} FROM events WHERE {where}"
    )


def _decoded(column: str) -> str:
    return f"try(decode({column}))" if column not in INTEGER_COLUMNS else column


def _insert_batches(connection: duckdb.DuckDBPyConnection, batches: Iterable[pa.RecordBatch]):
    """Append batches of (id, COLUMNS..., odd) to ``stored``; undecodable text marks a row odd."""
    decoded = ", ".join(_decoded(column) for column in COLUMNS)
    unreadable = " OR ".join(
        f"({column} IS NOT NULL AND try(decode({column})) IS NULL)" for column in TEXT_COLUMNS
    )
    for batch in batches:
        connection.register("batch", batch)
        connection.execute(
            f"{_into_stored()} SELECT id, {decoded}, odd::BOOLEAN OR {unreadable} FROM batch"  # noqa: S608
        )
        connection.unregister("batch")


class _NotPlain(ValueError):
    """The plain read met a value of another type, or text that is not UTF-8."""


def plain_query(where: str) -> str:
    """The columns as they are: fast; the driver fails at a value of another type than the first."""
    witness = ", ".join(
        ("0" if column in INTEGER_COLUMNS else "''") + f" AS {column}" for column in COLUMNS
    )
    return (
        f"SELECT 0 AS id, {witness}, 0 AS odd UNION ALL "  # noqa: S608 - storage's names
        f"SELECT id, {', '.join(COLUMNS)}, 0 FROM events WHERE {where}"
    )


def load_sqlite(
    connection: duckdb.DuckDBPyConnection,
    db: str | Path,
    where: str,
    rows: tuple[int, int] | None = None,
) -> None:
    """Copy the rows of the SQLite file that ``where`` selects into ``stored``.

    First as the columns are (a database the collector wrote has nothing else);
    at the first value of another type, or text that is not UTF-8, everything is
    read again typed (``sqlite_query``), which takes about twice as long. One gap
    is left by the fast read: text columns holding a blob whose bytes happen to be
    UTF-8 are read as that text (the driver reads both alike).

    A large table is read by two processes, one per half: the driver holds the
    GIL while it reads, so two threads read no faster than one (measured: 7.1 s
    and 7.2 s for 3 M rows); each process streams Arrow batches to this one.
    """
    import adbc_driver_manager

    parts = _halves(db, rows)
    try:
        if parts:
            _read_in_processes(connection, db, [f"({where}) AND {part}" for part in parts])
        else:
            _read(connection, db, plain_query(where), plain=True)
    except (_NotPlain, OSError, adbc_driver_manager.Error):
        connection.execute("DELETE FROM stored")
        _read(connection, db, sqlite_query(where), plain=False)


# Below this many rows, starting the reader processes costs more than it saves.
PROCESS_ROWS = 1_000_000


def _halves(db: str | Path, rows: tuple[int, int] | None) -> list[str]:
    """Two row id ranges that split a large table (or ``rows``) in about equal parts."""
    if rows is not None:
        low, high = rows
    else:
        connection = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
        try:
            low, high = connection.execute("SELECT min(id), max(id) FROM events").fetchone()
        finally:
            connection.close()
    if low is None or high - low < PROCESS_ROWS:
        return []
    middle = (low + high) // 2
    return [f"id <= {middle}", f"id > {middle}"]


def _read_in_processes(connection, db: str | Path, wheres: list[str]) -> None:
    """Each ``where`` read by a process of its own (``python -m analytics.report.sources``)."""
    command = [sys.executable, "-m", "analytics.report.sources", str(Path(db).resolve())]
    children = [
        subprocess.Popen([*command, plain_query(where)], stdout=subprocess.PIPE) for where in wheres
    ]
    failed: list[BaseException] = []

    def receive(child: subprocess.Popen) -> None:
        try:
            with pa.ipc.open_stream(child.stdout) as batches:
                _insert_plain(connection.cursor(), batches)
        except (_NotPlain, pa.ArrowInvalid, OSError) as error:
            failed.append(error)
        finally:
            child.stdout.close()

    threads = [threading.Thread(target=receive, args=(child,)) for child in children]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = [child.wait() for child in children]
    if failed or any(codes):
        raise _NotPlain(f"a reader process stopped ({codes}): {failed[:1]}")


def _stream(db: str, query: str) -> int:
    """The reader process: the plain query's batches as an Arrow stream on stdout."""
    import adbc_driver_manager
    import adbc_driver_sqlite.dbapi as adbc

    try:
        with adbc.connect(f"{Path(db).as_uri()}?mode=ro") as source, source.cursor() as cursor:
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
            cursor.execute(query)
            reader = cursor.fetch_record_batch()
            with pa.ipc.new_stream(sys.stdout.buffer, reader.schema) as out:
                for batch in _without_first_row(reader):
                    out.write_batch(batch)
    except (OSError, adbc_driver_manager.Error):
        return 3  # a value of another type: the parent reads everything again, typed
    return 0


def _read(connection, db: str | Path, query: str, *, plain: bool) -> None:
    import adbc_driver_sqlite.dbapi as adbc

    uri = f"{Path(db).resolve().as_uri()}?mode=ro"
    with adbc.connect(uri) as source, source.cursor() as cursor:
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
        cursor.execute(query)
        batches = _without_first_row(cursor.fetch_record_batch())
        if plain:
            _insert_plain(connection, batches)
        else:
            _insert_batches(connection, batches)


def _insert_plain(connection, batches: Iterable[pa.RecordBatch]) -> None:
    for batch in batches:
        # Mixed values within one batch make the driver widen the column (to text, or
        # to a float that DuckDB would round): only the expected types are plain.
        types = [batch.schema.field(column).type for column in COLUMNS]
        if types != PLAIN_TYPES:
            raise _NotPlain("a column of another type")
        try:
            batch.validate(full=True)  # checks that every text is UTF-8, in C++
        except pa.ArrowInvalid as error:
            raise _NotPlain(str(error)) from None
        connection.register("batch", batch)
        connection.execute(f"{_into_stored()} SELECT id, {', '.join(COLUMNS)}, false FROM batch")  # noqa: S608
        connection.unregister("batch")


def _without_first_row(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    first = True
    for batch in batches:
        yield batch.slice(1) if first else batch
        first = False


def load_batches(connection: duckdb.DuckDBPyConnection, batches: Iterable[pa.RecordBatch]) -> None:
    """Copy Arrow batches with the columns of storage.COLUMNS (typed; PostgreSQL's reader)."""
    names = ", ".join(COLUMNS)
    counted = 0
    for batch in batches:
        if tuple(batch.schema.names) != COLUMNS:
            raise ValueError(
                f"analytics: event batches need the columns {', '.join(COLUMNS)}, "
                f"got {', '.join(batch.schema.names)}"
            )
        connection.register("batch", batch)
        connection.execute(
            f"{_into_stored()} SELECT {counted} + row_number() OVER (), {names}, false "  # noqa: S608
            "FROM batch"
        )
        connection.unregister("batch")
        counted += batch.num_rows


def odd_rows(db: str | Path, ids: list[int]) -> Iterator[tuple]:
    """The odd rows as stored (text as bytes), with each value's storage type."""
    connection = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    connection.text_factory = bytes
    try:
        kinds = ", ".join(f"{column}, typeof({column}) = 'text'" for column in COLUMNS)
        query = f"SELECT id, {kinds} FROM events WHERE id = ?"  # noqa: S608 - storage's names
        for number in ids:
            yield from connection.execute(query, (number,))
    finally:
        connection.close()


def check_sqlite(db: str | Path) -> None:
    """A clear error for a missing file or one that is not an event database."""
    if not Path(db).is_file():
        raise FileNotFoundError(f"analytics: no event database at {db}")
    connection = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.execute("SELECT id, received_at FROM events LIMIT 0")
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(_stream(sys.argv[1], sys.argv[2]))
