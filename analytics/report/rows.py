"""Stored events checked again before the report counts them, by the collector's own rules.

The database is not trusted: a file restored from elsewhere, an import, a hand
edit or an older collector can put anything in it (text in a number column,
rows with no reader, 10^15 engaged milliseconds, dates in 2100, another site's
events, another schema version). The rules are :mod:`analytics.schema`'s, the
one definition of a valid event: its field checks judge every distinct value
stored (and clamp numbers to their range), and its table of fields per event
type says which fields a row must and may carry. The report only adds what the
schema cannot know: when a row was received, and whose site it is for.

The order in which a row's problems are looked for (the first one found names
the row's kind in the warnings) is one list, ``RULES``: DuckDB evaluates it as
one generated SQL expression over the millions of ordinary rows, and Python
evaluates the same list on the few rows whose stored types are odd (a real
number, a blob, text that is not UTF-8), which cannot be held in typed columns.

A row is judged in two steps. ``judge_rows`` writes what does not depend on the
report (the schema's verdict, and the verdict on its reader and view ids) into
the row, with the values the schema keeps; the columnar copy keeps them, so a
row is judged once, when it is first read. ``check`` then adds what does (the
report's clock and period, and its site), counts, and makes ``events``.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from analytics import schema
from analytics.storage import COLUMNS

from .sources import duck_type
from .verdicts import (
    EVENT_COLUMNS,
    GROUP_KEY,
    Refused,
    Verdicts,
    decoded,
    field_name,
    fields_of,
    judge,
    judge_values,
    shared_check,
    sql_text,
)

# No event of this beacon is older; earlier stamps are a broken clock or a bad import.
EARLIEST_MS = int(dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
FUTURE_SLACK_MS = 24 * 60 * 60 * 1000  # a collector's clock may run a little fast
IMPLAUSIBLE = "received_at is not a plausible time (before 2020, in the future, or not a number)"
UNKNOWN, MISSING, REFUSED = "unknown", "missing", "refused"


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


@functools.cache
def rules(kind: str) -> tuple[tuple[str, str, str], ...]:
    """(test, column, message) in the order a row of ``kind`` is checked after its time and type.

    Fields the type does not have, then missing required fields, then values the
    schema refuses (their message comes from the verdict). The page view's key
    (reader, view) is checked last, for this site's rows only (``id_problem``).
    """
    allowed = fields_of(kind)
    found = [
        (UNKNOWN, column, f"unknown field {field_name(column)!r}")
        for column in EVENT_COLUMNS
        if column not in allowed
    ]
    found += [
        (MISSING, column, f"field {name!r} is missing")
        for column, (name, spec) in allowed.items()
        if spec.required and column != "type"
    ]
    found += [
        (REFUSED, column, "")
        for column in sorted(EVENT_COLUMNS)
        if column in allowed and column not in GROUP_KEY
    ]
    return tuple(found)


def bad_type_message() -> str:
    try:
        schema.validate({"type": None})
    except schema.Invalid as error:
        return str(error)
    raise AssertionError("the schema accepted an event without a type")


def latest_ms() -> int:
    return int(time.time() * 1000) + FUTURE_SLACK_MS


# --- the ordinary rows, in SQL -------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The report's period [start, end) and the latest plausible time, in milliseconds."""

    start: int
    end: int
    latest: int

    @classmethod
    def of(cls, since_ms: int | None, until_ms: int | None) -> Period:
        start = since_ms if since_ms is not None else -(2**62)
        end = until_ms if until_ms is not None else 2**62
        return cls(start, end, latest_ms())

    def implausible_sql(self, unreadable: str = "received_at IS NULL") -> str:
        """Rows whose time is not plausible: ``unreadable`` (not a number), too old, in the future.

        DuckDB's typed columns hold a time that was not a whole number as NULL;
        SQLite's untyped column is tested with ``typeof`` instead.
        """
        return f"({unreadable} OR received_at < {EARLIEST_MS} OR received_at >= {self.latest})"

    def looked_at_sql(self, unreadable: str = "received_at IS NULL") -> str:
        """Rows the report looks at: in the period, or of an implausible time (counted as such)."""
        return (
            f"({self.implausible_sql(unreadable)} "
            f"OR (received_at >= {self.start} AND received_at < {self.end}))"
        )

    def counted_sql(self) -> str:
        """Rows of a plausible time in the period."""
        low, high = max(self.start, EARLIEST_MS), min(self.end, self.latest)
        return f"(received_at >= {low} AND received_at < {high})"


def judge_rows(connection: duckdb.DuckDBPyConnection) -> None:
    """Give each ordinary row of ``stored`` its verdicts, and keep the values the schema keeps.

    The verdicts (sources.VERDICTS) hold what does not depend on the report's site,
    period or clock, so the columnar copy keeps them with the rows and a report
    judges only the rows that came in since the last one. SQL's UPDATE sees the
    stored values in every expression: the verdicts are on the values as stored,
    then the clamped values replace them.
    """
    verdicts = judge_values(connection)
    changes = [f"problem = {problem_sql(verdicts)}", f"key_problem = {key_sql(verdicts)}"]
    changes += [f"{column} = {kept_sql(column, verdicts)}" for column in sorted(verdicts.changed)]
    connection.execute(f"UPDATE stored AS e SET {', '.join(changes)} WHERE NOT e.odd")  # noqa: S608


def problem_sql(verdicts: Verdicts) -> str:
    """SQL: why row ``e`` is invalid whatever its time and site (NULL when it is not)."""
    by_type = []
    for kind in schema.EVENT_TYPES:
        checks = []
        for test, column, message in rules(kind):
            if test == UNKNOWN:
                checks.append(f"WHEN e.{column} IS NOT NULL THEN {sql_text(message)}")
            elif test == MISSING:
                checks.append(f"WHEN e.{column} IS NULL THEN {sql_text(message)}")
            elif column in verdicts.refused:
                table = f"refused_{column}"
                checks.append(
                    f"WHEN e.{column} IN {_values(table, column)} THEN {_result(table, column)}"
                )
        if checks:
            by_type.append(f"WHEN {sql_text(kind)} THEN CASE {' '.join(checks)} END")
    types = ", ".join(map(sql_text, schema.EVENT_TYPES))
    return (
        f"CASE WHEN e.type IS NULL OR e.type NOT IN ({types}) THEN {sql_text(bad_type_message())} "
        f"ELSE CASE e.type {' '.join(by_type)} END END"
    )


def key_sql(verdicts: Verdicts) -> str:
    """Why row ``e``'s reader or view id is refused (NULL: it is not); counts for this site only."""
    checks = [
        f"WHEN e.{column} IN {_values(f'refused_{column}', column)} "
        f"THEN {_result(f'refused_{column}', column)}"
        for column in GROUP_KEY
        if column in verdicts.refused
    ]
    return f"CASE {' '.join(checks)} END" if checks else "NULL"


def reason_sql(site: str, period: Period) -> str:
    """Why a judged row is invalid for this report (its time first, as the collector checks)."""
    return (
        f"CASE WHEN {period.implausible_sql()} THEN {sql_text(IMPLAUSIBLE)} "
        f"ELSE coalesce(problem, CASE WHEN site = {sql_text(site)} THEN key_problem END) END"
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


def check(
    connection: duckdb.DuckDBPyConnection,
    relation: str,
    checks: Checks,
    period: Period,
    odd: Iterable[tuple] = (),
) -> None:
    """Count what is wrong in ``relation`` (judged rows) and make ``events`` of the valid ones.

    ``relation`` is SQL for the judged rows (``stored``, or the columnar copy's
    files); ``odd`` are its odd rows the report looks at, as stored in SQLite
    (sources.odd_rows). ``events`` is a view: the copy's files are read by the
    queries that need them, column by column, never held whole in memory.
    """
    _settle_odd_rows(connection, odd, checks, period.latest)
    counted = connection.execute(
        f"SELECT reason, CASE WHEN reason IS NULL THEN site END, count(*) "  # noqa: S608
        f"FROM (SELECT {reason_sql(checks.site, period)} AS reason, site "
        f"FROM {relation} WHERE NOT odd AND {period.looked_at_sql()}) GROUP BY 1, 2"
    ).fetchall()
    for kind, site, count in counted:
        if kind is not None:
            checks.invalid[kind] += count
        elif site == checks.site:
            checks.valid += count
        else:
            checks.other_sites[str(site)] += count
    names = ", ".join(COLUMNS)
    connection.execute(
        f"CREATE VIEW events AS SELECT {names} FROM {relation} "  # noqa: S608 - our names
        f"WHERE NOT odd AND problem IS NULL AND key_problem IS NULL "
        f"AND site = {sql_text(checks.site)} AND {period.counted_sql()} "
        f"UNION ALL SELECT {names} FROM settled"
    )


# --- the odd rows, in Python ---------------------------------------------------------------


def judge_odd_row(cells: dict[str, tuple[Any, bool]], site: str, latest: int):  # noqa: PLR0911
    """(reason, kept values) of one row read as stored: {column: (value, is text)}.

    The same order as ``reason_sql``; the reason is None when the row is valid.
    """
    received, received_text = cells["received_at"]
    if received_text or type(received) is not int or not EARLIEST_MS <= received < latest:
        return IMPLAUSIBLE, {}
    kind_value, kind_text = cells["type"]
    kind = kind_value.decode("utf-8", "replace") if kind_text else None
    if kind not in schema.EVENT_TYPES:
        return bad_type_message(), {}
    kept: dict[str, Any] = {"received_at": received, "type": kind}
    for test, column, message in rules(kind):
        value, is_text = cells[column]
        if test == UNKNOWN and value is not None:
            return message, {}
        if test == MISSING and value is None:
            return message, {}
        if test == REFUSED and value is not None:
            try:
                kept[column] = judge(column, kind, decoded(column, value, is_text))
            except Refused as error:
                return str(error), {}
    for column in GROUP_KEY:
        value, is_text = cells[column]
        try:
            kept[column] = decoded(column, value, is_text)
            if kept.get("site") == site:
                judge(column, kind, kept[column])
        except Refused as error:
            if kept.get("site") == site:
                return str(error), {}
            kept[column] = value.decode("utf-8", "replace")
    return None, kept


def _settle_odd_rows(connection, odd: Iterable[tuple], checks: Checks, latest: int) -> None:
    """Count the odd rows; the valid ones of this site go into ``settled``, clamped."""
    connection.execute(
        "CREATE TABLE settled ("
        + ", ".join(f"{column} {duck_type(column)}" for column in COLUMNS)
        + ")"
    )
    for row in odd:
        values = row[1:]
        cells = {
            column: (values[2 * index], bool(values[2 * index + 1]))
            for index, column in enumerate(COLUMNS)
        }
        reason, kept = judge_odd_row(cells, checks.site, latest)
        if reason is not None:
            checks.invalid[reason] += 1
        elif kept.get("site") != checks.site:
            checks.other_sites[str(kept.get("site"))] += 1
        else:
            checks.valid += 1
            names = ", ".join(kept)
            marks = ", ".join("?" for _ in kept)
            insert = f"INSERT INTO settled ({names}) VALUES ({marks})"  # noqa: S608 - our names
            connection.execute(insert, tuple(kept.values()))
