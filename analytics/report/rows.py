"""Stored events checked again before the report counts them, by the collector's own rules.

The database is not trusted: a file restored from elsewhere, an import, a hand
edit or an older collector can put anything in it (text in a number column,
rows with no reader, 10^15 engaged milliseconds, dates in 2100, another site's
events, another schema version). The rules are :mod:`analytics.schema`'s, the
one definition of a valid event: its field checks judge every distinct value
stored (and clamp numbers to their range), and its table of fields per event
type says which fields a row must and may carry. The report only adds what the
schema cannot know: when a row was received, and whose site it is for.

Why in SQL and not row by row in Python: calling ``schema.validate`` on each of
a million stored rows took longer than the rest of the report together. Values
repeat (a few hundred paths, two dozen formats and campaigns), so each distinct
value is judged once in Python (two scans read them all); the verdicts go into
small temporary tables and one SQL expression, generated from the schema's
table, judges every row. The checked rows are offered to the storage module's
own page-view query as a temporary view named ``events``, so a page view keeps
one definition; the reader and view ids, which nearly every row has its own of,
are checked on that query's rows, once per page view.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analytics import schema

from .verdicts import (
    EVENT_COLUMNS,
    Verdicts,
    as_sent,
    field_name,
    fields_of,
    judge_values,
    shared_check,
    sql_text,
    tolerant_text,
)

# No event of this beacon is older; earlier stamps are a broken clock or a bad import.
EARLIEST_MS = int(dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
FUTURE_SLACK_MS = 24 * 60 * 60 * 1000  # a collector's clock may run a little fast
IMPLAUSIBLE = "received_at is not a plausible time (before 2020, in the future, or not a number)"


class DataError(ValueError):
    """Invalid rows with --strict: the message counts them by kind."""


@dataclass
class Checks:
    """What the check found, for one warning line per kind."""

    site: str
    invalid: Counter = field(default_factory=Counter)  # kind -> rows
    other_sites: Counter = field(default_factory=Counter)  # site id -> rows
    valid: int = 0

    def warnings(self) -> list[str]:
        lines = [f"{n} invalid row(s) skipped: {kind}" for kind, n in sorted(self.invalid.items())]
        if self.other_sites:
            sites = ", ".join(f"{site} ({n})" for site, n in self.other_sites.most_common(5))
            lines.append(
                f"{sum(self.other_sites.values())} event(s) of other sites not counted "
                f"(this site is {self.site!r}): {sites}"
            )
        return lines


def _schema_message(event: Any) -> str:
    try:
        schema.validate(event)
    except schema.Invalid as error:
        return str(error)
    return ""


def reason_sql(verdicts: Verdicts, latest_ms: int) -> str:
    """A SQL expression: why row ``e`` is invalid (the schema's words), NULL when it is valid."""
    plausible = (
        f"typeof(e.received_at) = 'integer' AND e.received_at >= {EARLIEST_MS} "
        f"AND e.received_at < {latest_ms}"
    )
    bad_type = sql_text(_schema_message({"type": None}))
    by_type = []
    for kind in schema.EVENT_TYPES:
        allowed = fields_of(kind)
        checks = [
            f"WHEN e.{column} IS NOT NULL THEN {sql_text(f'unknown field {field_name(column)!r}')}"
            for column in EVENT_COLUMNS
            if column not in allowed
        ]
        checks += [
            f"WHEN e.{column} IS NULL THEN {sql_text(f'field {name!r} is missing')}"
            for column, (name, spec) in allowed.items()
            if spec.required and column != "type"
        ]
        checks += [
            f"WHEN e.{column} IN {_values(f'refused_{column}', column)} "
            f"THEN {_result(f'refused_{column}', column)}"
            for column in sorted(verdicts.refused)
            if column in allowed
        ]
        if checks:
            by_type.append(f"WHEN {sql_text(kind)} THEN CASE {' '.join(checks)} END")
    return (
        f"CASE WHEN NOT ({plausible}) THEN {sql_text(IMPLAUSIBLE)} "
        f"WHEN e.type IS NULL OR e.type NOT IN ({', '.join(map(sql_text, schema.EVENT_TYPES))}) "
        f"THEN {bad_type} ELSE CASE e.type {' '.join(by_type)} END END"
    )


def kept_sql(column: str, verdicts: Verdicts) -> str:
    """The value the schema keeps for ``column`` of row ``e`` (clamped, normalised)."""
    if column not in verdicts.changed:
        return f"e.{column}"
    changed = f"changed_{column}"
    return (
        f"CASE WHEN e.{column} IN {_values(changed, column)} "
        f"THEN {_result(changed, column)} ELSE e.{column} END"
    )


def _values(table: str, column: str) -> str:
    """The values of a verdict table that apply to row ``e`` (all of them for a shared check)."""
    of_type = "" if shared_check(column) else " WHERE type = e.type"
    return f"(SELECT value FROM {table}{of_type})"  # noqa: S608 - names from the schema


def _result(table: str, column: str) -> str:
    of_type = "" if shared_check(column) else "type = e.type AND "
    return f"(SELECT result FROM {table} WHERE {of_type}value = e.{column})"  # noqa: S608


def checked_events(
    connection: sqlite3.Connection, since_ms: int | None, until_ms: int | None, checks: Checks
) -> None:
    """Count what is wrong in the period, then put the valid rows of this site in view.

    After this, ``events`` on ``connection`` means ``temp.events``: the valid,
    clamped rows of ``checks.site`` (the stored table stays ``main.events``).
    """
    verdicts = judge_values(connection)
    latest_ms = int(time.time() * 1000) + FUTURE_SLACK_MS
    reason = reason_sql(verdicts, latest_ms)
    start = since_ms if since_ms is not None else -(2**62)
    end = until_ms if until_ms is not None else 2**62
    counted = f"""
        SELECT reason, CASE WHEN reason IS NULL THEN site END, COUNT(*)
        FROM (SELECT {reason} AS reason, e.site AS site FROM main.events AS e
              WHERE typeof(e.received_at) != 'integer' OR e.received_at < {EARLIEST_MS}
                 OR e.received_at >= {latest_ms}
                 OR (e.received_at >= {start} AND e.received_at < {end}))
        GROUP BY 1, 2
    """  # noqa: S608 - generated from the schema's names; values are numbers or quoted
    for kind, site, count in connection.execute(counted):
        if kind is not None:
            checks.invalid[kind] += count
        elif site == checks.site:
            checks.valid += count
        else:
            checks.other_sites[str(site)] += count
    columns = ", ".join(f"{kept_sql(column, verdicts)} AS {column}" for column in EVENT_COLUMNS)
    connection.execute(  # names from the schema; the site id is quoted
        f"CREATE TEMP VIEW events AS SELECT e.received_at AS received_at, e.type AS type, "  # noqa: S608
        f"{columns} FROM main.events AS e "
        f"WHERE ({reason}) IS NULL AND e.site = {sql_text(checks.site)}"
    )


def page_views(
    connection: sqlite3.Connection, query: str, bounds: tuple[int, int], checks: Checks
) -> list[tuple]:
    """The rows of the page-view ``query`` whose reader and view ids the schema accepts.

    The ids are also read as stored (text as bytes, so text that is not UTF-8 is
    seen as such) and checked once per page view; the events of a refused page
    view are counted with the reason.
    """
    raw = "CASE WHEN typeof({0}) = 'text' THEN CAST({0} AS BLOB) ELSE {0} END"
    wrapped = f"SELECT {raw.format('reader')}, {raw.format('view')}, * FROM ({query})"  # noqa: S608
    kept, refused = [], []
    readers: dict[Any, str] = {}
    for row in connection.execute(wrapped, bounds).fetchall():
        reader, view = row[0], row[1]  # the query's key (VIEW_COLUMNS start with it)
        if reader not in readers:
            readers[reader] = _id_problem("reader", reader)
        problem = readers[reader] or _id_problem("view", view)
        if problem:
            refused.append((reader, view, problem))
        else:
            kept.append(row[2:])
    if refused:
        _count_refused(connection, refused, bounds, checks)
    return kept


def _id_problem(name: str, value: Any) -> str:
    """Why the schema refuses this reader or view id ("" when it accepts it)."""
    try:
        schema.COMMON[name].check(as_sent(name, value, isinstance(value, bytes)))
    except schema.Invalid as error:
        return f"field {name!r}: {error}"
    return ""


def _count_refused(connection, refused: list, bounds: tuple[int, int], checks: Checks) -> None:
    connection.execute("CREATE TEMP TABLE refused_ids (reader, view, reason)")
    connection.executemany(
        "INSERT INTO refused_ids VALUES (CASE WHEN typeof(?1) = 'blob' THEN CAST(?1 AS TEXT) "
        "ELSE ?1 END, CASE WHEN typeof(?2) = 'blob' THEN CAST(?2 AS TEXT) ELSE ?2 END, ?3)",
        refused,
    )
    counted = connection.execute(
        "SELECT r.reason, COUNT(*) FROM events AS e JOIN refused_ids AS r "
        "ON e.reader = r.reader AND e.view = r.view "
        "WHERE e.received_at >= ? AND e.received_at < ? GROUP BY r.reason",
        bounds,
    )
    for reason, count in counted:
        checks.invalid[reason] += count
        checks.valid -= count


def open_read_only(db: str | Path) -> sqlite3.Connection:
    """The event database, read-only; stored text that is not UTF-8 reads as U+FFFD."""
    if not Path(db).is_file():
        raise FileNotFoundError(f"analytics: no event database at {db}")
    connection = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    connection.text_factory = tolerant_text
    return connection
