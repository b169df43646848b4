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


def reason_sql(verdicts: Verdicts, latest: int) -> str:
    """A SQL expression: why row ``e`` is invalid (the schema's words), NULL when it is valid."""
    plausible = f"e.received_at >= {EARLIEST_MS} AND e.received_at < {latest}"
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
        f"CASE WHEN e.received_at IS NULL OR NOT ({plausible}) THEN {sql_text(IMPLAUSIBLE)} "
        f"WHEN e.type IS NULL OR e.type NOT IN ({types}) THEN {sql_text(bad_type_message())} "
        f"ELSE CASE e.type {' '.join(by_type)} END END"
    )


def id_sql(verdicts: Verdicts, site: str) -> str:
    """Why this site's row ``e`` is refused for its reader or view id (NULL: it is not)."""
    checks = [
        f"WHEN e.{column} IN {_values(f'refused_{column}', column)} "
        f"THEN {_result(f'refused_{column}', column)}"
        for column in GROUP_KEY
        if column in verdicts.refused
    ]
    if not checks:
        return "NULL"
    return f"CASE WHEN e.site = {sql_text(site)} THEN CASE {' '.join(checks)} END END"


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


def check_stored(
    connection: duckdb.DuckDBPyConnection, checks: Checks, odd: Iterable[tuple] = ()
) -> None:
    """Count what is wrong in ``stored``, then keep only the valid, clamped rows of this site.

    ``odd`` are the rows flagged odd on load, as stored (rows.judge_odd_row reads them).
    """
    _settle_odd_rows(connection, odd, checks)
    verdicts = judge_values(connection)
    reason = f"coalesce({reason_sql(verdicts, latest_ms())}, {id_sql(verdicts, checks.site)})"
    counted = connection.execute(
        f"SELECT reason, CASE WHEN reason IS NULL THEN site END, COUNT(*) "  # noqa: S608
        f"FROM (SELECT {reason} AS reason, e.site AS site FROM stored AS e) GROUP BY 1, 2"
    ).fetchall()
    for kind, site, count in counted:
        if kind is not None:
            checks.invalid[kind] += count
        elif site == checks.site:
            checks.valid += count
        else:
            checks.other_sites[str(site)] += count
    connection.execute(
        f"DELETE FROM stored AS e WHERE e.site IS DISTINCT FROM {sql_text(checks.site)} "  # noqa: S608
        f"OR ({reason}) IS NOT NULL"
    )
    for column in sorted(verdicts.changed):
        connection.execute(f"UPDATE stored AS e SET {column} = {kept_sql(column, verdicts)}")  # noqa: S608


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


def _settle_odd_rows(connection, odd: Iterable[tuple], checks: Checks) -> None:
    """Count the invalid odd rows; put the valid ones back as ordinary rows, clamped."""
    latest = latest_ms()
    from analytics.storage import COLUMNS

    for row in odd:
        number, values = row[0], row[1:]
        cells = {
            column: (values[2 * index], bool(values[2 * index + 1]))
            for index, column in enumerate(COLUMNS)
        }
        reason, kept = judge_odd_row(cells, checks.site, latest)
        connection.execute("DELETE FROM stored WHERE id = ?", (number,))
        if reason is not None:
            checks.invalid[reason] += 1
            continue
        names = ", ".join(kept)
        marks = ", ".join("?" for _ in kept)
        connection.execute(
            f"INSERT INTO stored (id, {names}, odd) VALUES (?, {marks}, false)",  # noqa: S608
            (number, *kept.values()),
        )
