"""By department, from an optional directory CSV (pseudonymous reader id -> department).

Departments with fewer than ``min_group`` readers are suppressed, so no one can
be singled out. When the suppressed departments add up to fewer than
``min_group`` readers, the next-smallest departments are suppressed as well
(complementary suppression): otherwise subtracting the shown departments from
the site's totals would reveal the small ones. Suppressed departments are
pooled into one row, shown only when the pool itself is large enough.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mag_core import ContentError

POOLED = "その他（少人数の部署をまとめたもの）"
COLUMNS = ("reader", "department")


def read_directory(path: str | Path) -> dict[str, str]:
    """reader id -> department; the CSV needs a header with ``reader`` and ``department``."""
    path = Path(path)
    if not path.is_file():
        raise ContentError(path, "no such directory CSV")
    directory: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.DictReader(handle)
        missing = [name for name in COLUMNS if name not in (rows.fieldnames or ())]
        if missing:
            raise ContentError(
                path,
                f"missing column(s) {', '.join(missing)}",
                line=1,
                hint="the first line must name the columns: reader,department",
            )
        for row in rows:
            reader = (row["reader"] or "").strip()
            department = (row["department"] or "").strip()
            if not reader or not department:
                raise ContentError(path, "empty reader or department", line=rows.line_num)
            if directory.get(reader, department) != department:
                raise ContentError(
                    path, f"reader {reader!r} is listed in two departments", line=rows.line_num
                )
            directory[reader] = department
    return directory


@dataclass
class Department:
    name: str
    readers: int = 0
    pageviews: int = 0
    engaged_ms: int = 0
    judged: int = 0
    read: int = 0
    segments: Counter = field(default_factory=Counter)
    suppressed: bool = False

    @property
    def read_rate(self) -> float | None:
        return self.read / self.judged if self.judged else None

    @property
    def avg_engaged_s(self) -> float | None:
        return self.engaged_ms / self.readers / 1000 if self.readers else None

    def add(self, other: Department) -> None:
        self.readers += other.readers
        self.pageviews += other.pageviews
        self.engaged_ms += other.engaged_ms
        self.judged += other.judged
        self.read += other.read
        self.segments.update(other.segments)


@dataclass
class DepartmentReport:
    shown: list[Department]  # large enough, plus the pool when it is
    suppressed: list[str]  # names only
    unlisted: int  # readers not in the directory
    min_group: int


def department_report(
    connection: duckdb.DuckDBPyConnection, directory: dict[str, str], min_group: int
) -> DepartmentReport:
    groups: dict[str, Department] = {}
    unlisted = 0
    rows = connection.execute(
        # The per-reader sums tables.py already made, not a second pass over the views.
        "SELECT r.reader, r.pageviews, t.engaged_ms, r.segment, r.judged, r.read "
        "FROM readers AS r JOIN reader_totals AS t USING (reader) ORDER BY r.reader"
    ).fetchall()
    for reader, pageviews, engaged_ms, segment, judged, read in rows:
        name = directory.get(reader)
        if name is None:
            unlisted += 1
            continue
        group = groups.get(name) or groups.setdefault(name, Department(name))
        group.readers += 1
        group.pageviews += int(pageviews)
        group.engaged_ms += int(engaged_ms)
        group.segments[segment or "(none)"] += 1
        group.judged += judged
        group.read += read
    shown, hidden = suppress(list(groups.values()), min_group)
    pool = Department(POOLED, suppressed=True)
    for group in hidden:
        pool.add(group)
    if pool.readers >= min_group:
        shown.append(pool)
    return DepartmentReport(shown, sorted(g.name for g in hidden), unlisted, min_group)


def suppress(groups: list[Department], k: int) -> tuple[list[Department], list[Department]]:
    """(shown, hidden): groups under k hidden, then more until the hidden add up to k or more."""
    ordered = sorted(groups, key=lambda g: (g.readers, g.name))
    hidden = [g for g in ordered if g.readers < k]
    shown = [g for g in ordered if g.readers >= k]
    while hidden and shown and sum(g.readers for g in hidden) < k:
        hidden.append(shown.pop(0))
    for group in hidden:
        group.suppressed = True
    return sorted(shown, key=lambda g: (-g.readers, g.name)), hidden
