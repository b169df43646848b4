"""Verdicts on stored values, by the event schema's own field checks: one per distinct value.

Part of the report's data check (rows.py): each distinct value of each column is
judged once here, in Python, by the field's check in :mod:`analytics.schema`;
refused values (with the schema's message) and values the schema changes (clamped
numbers, normalised lists) go into small tables that rows.py's SQL reads. Values
repeat (a few hundred paths, two dozen formats and campaigns), so even twenty
million events need only a few hundred thousand checks, most of them view ids.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from analytics import schema
from analytics.storage import COLUMNS

from .sources import duck_type

FLAGS = ("muted", "captions")  # stored as 0/1, sent as true/false
EVENT_COLUMNS = tuple(column for column in COLUMNS if column not in ("received_at", "type"))
# A page view's key: checked after the other fields, and only for this site's rows
# (an id the schema refuses makes its rows invalid with that reason).
GROUP_KEY = ("reader", "view")


@functools.cache  # the schema's table does not change while the program runs
def fields_of(kind: str) -> dict[str, tuple[str, schema.Field]]:
    """Storage column -> (field name, field) of an event type, from the schema's table."""
    fields = {**schema.COMMON, **schema.BY_TYPE[kind]}
    return {spec.column or name: (name, spec) for name, spec in fields.items()}


@functools.cache
def shared_check(column: str) -> bool:
    """True when every event type checks ``column`` alike: judged once per value, not per type."""
    checks = {
        id(fields_of(kind)[column][1].check)
        for kind in schema.EVENT_TYPES
        if column in fields_of(kind)
    }
    return len(checks) == 1


def field_name(column: str) -> str:
    """The event field a storage column holds (``from_format`` holds ``from``)."""
    for kind in schema.EVENT_TYPES:
        if column in fields_of(kind):
            return fields_of(kind)[column][0]
    return column


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Verdicts:
    """Which columns hold values the schema refuses, or changes (clamps); per column."""

    refused: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)


class Refused(ValueError):
    """A stored value the schema refuses; the message is the one the report shows."""


def judge(column: str, kind: str, value: Any) -> Any:
    """The value the schema keeps for ``column`` of a ``kind`` event (Refused if none)."""
    name, spec = fields_of(kind)[column]
    if column in FLAGS and type(value) is int and value in (0, 1):
        value = bool(value)
    try:
        return spec.check(value)
    except schema.Invalid as error:
        raise Refused(f"field {name!r}: {error}") from None


def decoded(column: str, value: Any, is_text: bool) -> Any:
    """A value read as bytes from SQLite as the beacon sent it: text decoded (or Refused)."""
    if not is_text:
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(f"field {field_name(column)!r}: not UTF-8 text") from None


def judge_values(connection: duckdb.DuckDBPyConnection) -> Verdicts:
    """Every distinct (type, value) of each column of ``stored`` through its field's check.

    Refused values go into ``refused_<column>`` with the schema's message, changed
    ones into ``changed_<column>`` with the value the schema keeps; the type is
    "*" for a column every type checks alike. One scan first counts, per column,
    the values ``accepted_sql`` cannot vouch for: only those columns are read again.
    """
    verdicts = Verdicts()
    types = ", ".join(map(sql_text, schema.EVENT_TYPES))
    suspect = {
        column: f"{column} IS NOT NULL AND type IN ({types}) AND NOT ({accepted_sql(column)})"
        for column in EVENT_COLUMNS
    }
    counts = connection.execute(
        "SELECT "  # noqa: S608 - the schema's names
        + ", ".join(f"count(*) FILTER (WHERE {where})" for where in suspect.values())
        + " FROM stored"
    ).fetchall()[0]
    for column, count in zip(EVENT_COLUMNS, counts, strict=True):
        refused, changed = [], []
        if count:
            kind_sql = "'*'" if shared_check(column) else "type"
            found = connection.sql(
                f"SELECT DISTINCT {kind_sql}, {column} FROM stored WHERE {suspect[column]}"  # noqa: S608
            ).to_arrow_table()
            refused, changed = _judge_all(column, found)
        _remember(connection, f"refused_{column}", column, refused, "VARCHAR")
        _remember(connection, f"changed_{column}", column, changed, duck_type(column))
        if refused:
            verdicts.refused.add(column)
        if changed:
            verdicts.changed.add(column)
    return verdicts


def accepted_sql(column: str) -> str:
    """SQL true for values the schema surely accepts unchanged, so Python need not see them.

    The schema's checks are made by a few factories (``schema._text``, ``_number``,
    ``_choice``); from the values a check closes over, the same test is written in
    SQL: the pattern (RE2 in DuckDB; the schema's patterns are plain character
    classes and counts, which both engines read alike, and RE2's \\w is narrower
    than Python's, so it only ever sends more values to Python), the range of a
    number, the list of choices. Twenty million events carry millions of view ids
    and engaged times; judging each in Python took longer than the rest of the
    report. A check of another shape gets no shortcut: its values all go to Python.
    """
    tests = {}
    for kind in schema.EVENT_TYPES:
        if column in fields_of(kind):
            tests[kind] = _shortcut(column, fields_of(kind)[column][1].check)
    if not tests or None in tests.values():
        return "false"
    if len(set(tests.values())) == 1:
        return next(iter(tests.values()))
    cases = " ".join(f"WHEN {sql_text(kind)} THEN {test}" for kind, test in tests.items())
    return f"CASE type {cases} ELSE false END"


def _shortcut(column: str, check) -> str | None:
    names = dict(
        zip(
            check.__code__.co_freevars,
            (c.cell_contents for c in check.__closure__ or ()),
            strict=True,
        )
    )
    if set(names) == {"pattern"} and isinstance(names["pattern"], re.Pattern):
        return f"regexp_full_match({column}, {sql_text(names['pattern'].pattern)})"
    low, high = names.get("low"), names.get("high")
    if set(names) == {"low", "high"} and type(low) is int and type(high) is int:
        return f"{column} BETWEEN {low} AND {high}"
    options = names.get("options")
    if set(names) == {"options"} and options:
        if all(type(option) is int for option in options) and duck_type(column) == "BIGINT":
            return f"{column} IN ({', '.join(map(str, options))})"
        if all(type(option) is str for option in options) and duck_type(column) == "VARCHAR":
            return f"{column} IN ({', '.join(map(sql_text, options))})"
    return None


def _judge_all(column: str, found) -> tuple[list[tuple], list[tuple]]:
    refused, changed = [], []
    kinds, values = found.column(0).to_pylist(), found.column(1).to_pylist()
    some_kind = next((k for k in schema.EVENT_TYPES if column in fields_of(k)), None)
    for kind, value in zip(kinds, values, strict=True):
        sample = some_kind if kind == "*" else kind
        if sample is None or column not in fields_of(sample):
            continue  # a field the type lacks refuses the row as a whole
        try:
            kept = judge(column, sample, value)
        except Refused as error:
            refused.append((kind, value, str(error)))
            continue
        # Flags are stored as the 0/1 their check returns: only other fields are changed.
        if column not in FLAGS and (type(kept) is not type(value) or kept != value):
            changed.append((kind, value, kept))
    return refused, changed


def _remember(connection, table: str, column: str, rows: list[tuple], result: str) -> None:
    connection.execute(
        f"CREATE OR REPLACE TABLE {table} "
        f"(type VARCHAR, value {duck_type(column)}, result {result})"
    )
    if rows:
        connection.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", rows)  # noqa: S608
