"""Verdicts on stored values, by the event schema's own field checks: one per distinct value.

Part of the report's data check (rows.py): each distinct value of each column is
judged once here, in Python, by the field's check in :mod:`analytics.schema`;
refused values (with the schema's message) and values the schema changes (clamped
numbers, normalised lists) go into small temporary tables that rows.py's SQL reads.
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from analytics import schema
from analytics.storage import COLUMNS

FLAGS = ("muted", "captions")  # stored as 0/1, sent as true/false
EVENT_COLUMNS = tuple(column for column in COLUMNS if column not in ("received_at", "type"))
# A page view's key: every event of a group shares these, so they are checked once per
# page view, on the summed rows (page_views), instead of in a pass of their own.
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


# Columns with many distinct values, judged in a pass of their own: taken with the
# others, they would multiply the distinct combinations to read.
SPREAD = ("engaged_ms",)


def judge_values(connection: sqlite3.Connection) -> Verdicts:
    """Every distinct (type, value) of each column through its field's check, once.

    Refused values go into ``temp.refused_<column>`` with the schema's message,
    changed ones into ``temp.changed_<column>`` with the value the schema keeps.
    Text is read as bytes, so a value that is not UTF-8 is refused, not misread.
    Two scans in all: the distinct combinations of the columns with few values,
    then the SPREAD ones (the group key is checked per page view, page_views).
    """
    verdicts = Verdicts()
    for column in EVENT_COLUMNS:
        for table in ("refused", "changed"):
            connection.execute(
                f"CREATE TEMP TABLE {table}_{column} (type, value, result, "
                "PRIMARY KEY (type, value)) WITHOUT ROWID"
            )
    few = tuple(c for c in EVENT_COLUMNS if c not in GROUP_KEY + SPREAD)
    seen: set[tuple] = set()
    connection.text_factory = bytes
    try:
        for columns in (few, *((column,) for column in SPREAD)):
            for row in connection.execute(_distinct_sql(columns)):
                kind = row[0].decode()
                for number, column in enumerate(columns):
                    value, is_text = row[1 + 2 * number], bool(row[2 + 2 * number])
                    if value is None or column not in fields_of(kind):
                        continue  # a field the type lacks refuses the row as a whole
                    found = ("*" if shared_check(column) else kind, value, is_text)
                    if (column, found) not in seen:
                        seen.add((column, found))
                        _judge(connection, verdicts, column, kind, found)
    finally:
        connection.text_factory = tolerant_text
    return verdicts


def _distinct_sql(columns: tuple[str, ...]) -> str:
    types = ", ".join(map(sql_text, schema.EVENT_TYPES))
    picked = ", ".join(f"{column}, typeof({column}) = 'text'" for column in columns)
    return f"SELECT DISTINCT type, {picked} FROM main.events WHERE type IN ({types})"  # noqa: S608


def _judge(connection, verdicts: Verdicts, column: str, kind: str, found: tuple) -> None:
    """One distinct (type or "*" for a shared check, stored value, is text) of ``column``."""
    _key, value, is_text = found
    name, spec = fields_of(kind)[column]
    try:
        given = as_sent(column, value, is_text)
        kept = spec.check(given)
    except schema.Invalid as error:
        _remember(connection, f"refused_{column}", found, f"field {name!r}: {error}")
        verdicts.refused.add(column)
        return
    # Flags are stored as the 0/1 their check returns: only other fields are changed.
    if column not in FLAGS and (type(kept) is not type(given) or kept != given):
        _remember(connection, f"changed_{column}", found, kept)
        verdicts.changed.add(column)


def as_sent(column: str, value: Any, is_text: bool) -> Any:
    """The stored value as the beacon sent it: text decoded, flags as true/false."""
    if is_text:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise schema.Invalid("not UTF-8 text") from None
    if column in FLAGS and type(value) is int and value in (0, 1):
        return bool(value)
    return value


def _remember(connection, table: str, found: tuple[str, Any, bool], result) -> None:
    """Stored text is matched as text (also when it is not UTF-8), other values as they are."""
    kind, value, is_text = found
    placeholder = "CAST(? AS TEXT)" if is_text else "?"
    connection.execute(
        f"INSERT OR IGNORE INTO {table} VALUES (?, {placeholder}, ?)",  # noqa: S608 - our names
        (kind, value, result),
    )


def tolerant_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")
